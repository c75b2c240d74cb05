namespace Generative.Diffusion;

/// <summary>Defaults of a <see cref="DiffusionModel"/>'s sampling; every member can be overridden per call through <see cref="SamplingOptions"/>.</summary>
public sealed record DiffusionModelOptions
{
    /// <summary>What the network predicts; must match how it was trained. Default <see cref="Generative.PredictionType.Epsilon"/>.</summary>
    public PredictionType PredictionType { get; init; } = PredictionType.Epsilon;

    /// <summary>The default sampler: a name registered in the <see cref="SamplerRegistry"/> the model samples with
    /// (<c>"ddpm"</c>, <c>"ddim"</c> or one of yours; checked when sampling). Default <c>"ddim"</c>.</summary>
    public string Sampler { get; init; } = "ddim";

    /// <summary>The default number of steps; <see langword="null"/> means all train timesteps for DDPM and 50 for DDIM.</summary>
    public int? Steps { get; init; }

    /// <summary>The default η of DDIM, in [0, 1] (see <see cref="SamplingOptions.Eta"/>). Default 0.</summary>
    public double Eta { get; init; }

    /// <summary>The default classifier-free guidance scale, finite and at least 0 (1 = none). Default 1.</summary>
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

    /// <summary>Checks every option; the sampling settings by the rules of <see cref="SamplingOptions.Validate"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names every problem.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(PredictionType))
        {
            throw new ArgumentOutOfRangeException(nameof(PredictionType), PredictionType, "Unknown prediction type.");
        }

        ArgumentNullException.ThrowIfNull(Sampler);
        var problems = ToSamplingOptions().Validate(); // the one rule set of sampling settings
        if (problems.Count > 0)
        {
            string first = problems[0];
            throw new ArgumentOutOfRangeException(first[..first.IndexOf(' ', StringComparison.Ordinal)], string.Join(" ", problems));
        }

        ArgumentNullException.ThrowIfNull(Ddpm);
        ArgumentNullException.ThrowIfNull(Ddim);
        Ddpm.Validate();
        Ddim.Validate();
    }

    /// <summary>These defaults as per-call <see cref="SamplingOptions"/>.</summary>
    internal SamplingOptions ToSamplingOptions() => new()
    {
        Sampler = Sampler,
        Steps = Steps,
        Eta = Eta,
        GuidanceScale = GuidanceScale,
        BatchSize = BatchSize,
        UseEma = UseEma,
    };
}
