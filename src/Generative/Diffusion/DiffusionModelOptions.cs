namespace Generative.Diffusion;

/// <summary>Defaults of a <see cref="DiffusionModel"/>'s sampling; every member can be overridden per call through <see cref="SamplingOptions"/>.</summary>
public sealed record DiffusionModelOptions
{
    /// <summary>What the network predicts; must match how it was trained. Default <see cref="Generative.PredictionType.Epsilon"/>.</summary>
    public PredictionType PredictionType { get; init; } = PredictionType.Epsilon;

    /// <summary>The default sampler, <c>"ddpm"</c> or <c>"ddim"</c>. Default <c>"ddim"</c>.</summary>
    public string Sampler { get; init; } = "ddim";

    /// <summary>The default number of steps; <see langword="null"/> means all train timesteps for DDPM and 50 for DDIM.</summary>
    public int? Steps { get; init; }

    /// <summary>The default η of DDIM. Default 0.</summary>
    public double Eta { get; init; }

    /// <summary>The default classifier-free guidance scale (1 = none). Default 1.</summary>
    public double GuidanceScale { get; init; } = 1.0;

    /// <summary>Samples per network call by default, at least 1. Default 512.</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>Samples with the EMA network when the model has one. Default true.</summary>
    public bool UseEma { get; init; } = true;

    /// <summary>The DDPM options used when sampling with DDPM (prediction type replaced by <see cref="PredictionType"/>).
    /// Default: diffusers' defaults except no clipping of x₀, since the model's data need not lie in [−1, 1].</summary>
    public DdpmSamplerOptions Ddpm { get; init; } = new() { ClipSample = false };

    /// <summary>The DDIM options used when sampling with DDIM (prediction type and η replaced). Default: diffusers' defaults except no clipping.</summary>
    public DdimSamplerOptions Ddim { get; init; } = new() { ClipSample = false };

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(PredictionType))
        {
            throw new ArgumentOutOfRangeException(nameof(PredictionType), PredictionType, "Unknown prediction type.");
        }

        if (Sampler is not ("ddpm" or "ddim"))
        {
            throw new ArgumentOutOfRangeException(nameof(Sampler), Sampler, "The sampler must be \"ddpm\" or \"ddim\".");
        }

        if (Steps is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "The number of steps must be at least 1.");
        }

        if (!(Eta >= 0) || double.IsInfinity(Eta))
        {
            throw new ArgumentOutOfRangeException(nameof(Eta), Eta, "eta must be a finite number of at least 0.");
        }

        if (!double.IsFinite(GuidanceScale))
        {
            throw new ArgumentOutOfRangeException(nameof(GuidanceScale), GuidanceScale, "The guidance scale must be finite.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1);
        ArgumentNullException.ThrowIfNull(Ddpm);
        ArgumentNullException.ThrowIfNull(Ddim);
        Ddpm.Validate();
        Ddim.Validate();
    }
}
