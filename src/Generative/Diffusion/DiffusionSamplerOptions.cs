namespace Generative.Diffusion;

/// <summary>
/// Options shared by <see cref="DdpmSampler"/> and <see cref="DdimSampler"/>, with diffusers' names and defaults.
/// </summary>
/// <remarks>Immutable; validated when a sampler is created.</remarks>
public abstract record DiffusionSamplerOptions
{
    /// <summary>What the network predicts. Default <see cref="Generative.PredictionType.Epsilon"/>. diffusers: <c>prediction_type</c>.</summary>
    public PredictionType PredictionType { get; init; } = PredictionType.Epsilon;

    /// <summary>Clamps the predicted x₀ to [−<see cref="ClipSampleRange"/>, <see cref="ClipSampleRange"/>]. Default true. diffusers: <c>clip_sample</c>.</summary>
    public bool ClipSample { get; init; } = true;

    /// <summary>The clamp bound, greater than 0. Default 1. diffusers: <c>clip_sample_range</c>.</summary>
    public double ClipSampleRange { get; init; } = 1.0;

    /// <summary>Dynamic thresholding of x₀ (Saharia et al. 2022); takes precedence over <see cref="ClipSample"/>. Default false. diffusers: <c>thresholding</c>.</summary>
    public bool Thresholding { get; init; }

    /// <summary>The quantile of |x₀| per sample used as threshold, in (0, 1]. Default 0.995. diffusers: <c>dynamic_thresholding_ratio</c>.</summary>
    public double DynamicThresholdingRatio { get; init; } = 0.995;

    /// <summary>The largest threshold, at least 1. Default 1. diffusers: <c>sample_max_value</c>.</summary>
    public double SampleMaxValue { get; init; } = 1.0;

    /// <summary>How inference timesteps are spread. Default <see cref="Diffusion.TimestepSpacing.Leading"/>. diffusers: <c>timestep_spacing</c>.</summary>
    public TimestepSpacing TimestepSpacing { get; init; } = TimestepSpacing.Leading;

    /// <summary>Added to every timestep under leading spacing, at least 0. Default 0. diffusers: <c>steps_offset</c>.</summary>
    public int StepsOffset { get; init; }

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it and the accepted range.</exception>
    public virtual void Validate()
    {
        if (!Enum.IsDefined(PredictionType))
        {
            throw new ArgumentOutOfRangeException(nameof(PredictionType), PredictionType, "Unknown prediction type.");
        }

        if (!Enum.IsDefined(TimestepSpacing))
        {
            throw new ArgumentOutOfRangeException(nameof(TimestepSpacing), TimestepSpacing, "Unknown timestep spacing.");
        }

        if (!(ClipSampleRange > 0) || double.IsInfinity(ClipSampleRange))
        {
            throw new ArgumentOutOfRangeException(nameof(ClipSampleRange), ClipSampleRange, "clip_sample_range must be a finite number greater than 0.");
        }

        if (!(DynamicThresholdingRatio > 0 && DynamicThresholdingRatio <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(DynamicThresholdingRatio), DynamicThresholdingRatio, "dynamic_thresholding_ratio must be in (0, 1].");
        }

        if (!(SampleMaxValue >= 1) || double.IsInfinity(SampleMaxValue))
        {
            throw new ArgumentOutOfRangeException(nameof(SampleMaxValue), SampleMaxValue, "sample_max_value must be a finite number of at least 1.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(StepsOffset);
    }
}

/// <summary>Options of <see cref="DdpmSampler"/> (diffusers' <c>DDPMScheduler</c> arguments besides the schedule's).</summary>
public sealed record DdpmSamplerOptions : DiffusionSamplerOptions
{
    /// <summary>The reverse-step variance. Default <see cref="DdpmVarianceType.FixedSmall"/>. diffusers: <c>variance_type</c>.</summary>
    public DdpmVarianceType VarianceType { get; init; } = DdpmVarianceType.FixedSmall;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (!Enum.IsDefined(VarianceType))
        {
            throw new ArgumentOutOfRangeException(nameof(VarianceType), VarianceType, "Unknown variance type.");
        }
    }
}

/// <summary>Options of <see cref="DdimSampler"/> (diffusers' <c>DDIMScheduler</c> arguments besides the schedule's, plus the
/// <c>eta</c> and <c>use_clipped_model_output</c> arguments of its <c>step</c>).</summary>
public sealed record DdimSamplerOptions : DiffusionSamplerOptions
{
    /// <summary>η in [0, 1], the weight of fresh noise per step: 0 is deterministic DDIM, 1 gives DDPM's posterior variance. Default 0 (as diffusers' <c>step</c>).
    /// The range is <see cref="SamplingOptions.Eta"/>'s: above 1 the step's variance can exceed 1 − ᾱ_{t−1} and the sample turns to NaN.</summary>
    public double Eta { get; init; }

    /// <summary>Recomputes ε from the clipped x₀ (diffusers' <c>use_clipped_model_output</c>). Default false.</summary>
    public bool UseClippedModelOutput { get; init; }

    /// <summary>Uses ᾱ = 1 after the last step (otherwise ᾱ_0). Default true. diffusers: <c>set_alpha_to_one</c>.</summary>
    public bool SetAlphaToOne { get; init; } = true;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (new SamplingOptions { Eta = Eta }.Validate() is [var problem, ..])
        {
            throw new ArgumentOutOfRangeException(nameof(Eta), Eta, problem);
        }
    }
}
