namespace Generative.Hosting;

/// <summary>
/// One request for samples from a registered model: how many, an optional seed, and optional overrides of the model's
/// configured sampling defaults.
/// </summary>
/// <param name="Count">How many samples, from 1 to the model's <see cref="GenerativeModelOptions.MaxCount"/>.</param>
public sealed record GenerationRequest(int Count)
{
    /// <summary>The largest seed <see cref="ISyntheticDataGenerator"/> draws when none is given: 2⁵³ − 1, so that a
    /// reported seed survives a round trip through JSON in JavaScript.</summary>
    public const long MaxRandomSeed = (1L << 53) - 1;

    /// <summary>The seed of the request's random generator, at least 0: the same seed (and settings) gives the same
    /// samples. <see langword="null"/> draws a random seed, which the result reports.</summary>
    public long? Seed { get; init; }

    /// <summary>Overrides the configured number of denoising steps (diffusion), at least 1.</summary>
    public int? Steps { get; init; }

    /// <summary>Overrides the configured sampler (diffusion): <c>ddpm</c>, <c>ddim</c> or a name registered with
    /// <see cref="Microsoft.Extensions.DependencyInjection.GenerativeBuilder.AddSampler(string, Generative.Diffusion.SamplerFactory)"/>.</summary>
    public string? Sampler { get; init; }

    /// <summary>Overrides the configured η (DDIM), in [0, 1].</summary>
    public double? Eta { get; init; }

    /// <summary>Overrides the configured guidance scale (conditional diffusion), finite and at least 0.</summary>
    public double? GuidanceScale { get; init; }

    /// <summary>Overrides the configured batch size, at least 1.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Conditional models only: draw every sample from this class, in [0, ClassCount). <see langword="null"/>
    /// lets the model draw classes.</summary>
    public int? ClassLabel { get; init; }

    /// <summary>Receives progress as batches and sampler steps complete.</summary>
    public IProgress<SamplingProgress>? Progress { get; init; }

    /// <summary>The request's sampling overrides as <see cref="SamplingOptions"/> (unset members stay <see langword="null"/>),
    /// checked by <see cref="SamplingOptions.Validate"/>.</summary>
    /// <returns>A new record.</returns>
    public SamplingOptions ToSamplingOptions() => new()
    {
        Sampler = Sampler?.Trim().ToLowerInvariant(),
        Steps = Steps,
        Eta = Eta,
        GuidanceScale = GuidanceScale,
        BatchSize = BatchSize,
        Progress = Progress,
    };
}
