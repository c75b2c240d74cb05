using static TorchSharp.torch;

namespace Generative;

/// <summary>
/// How to draw samples from an <see cref="IGenerativeModel"/>. Every member is optional; a model uses its own default
/// for what is left unset and ignores what does not apply to its family (a GAN has no sampler steps).
/// </summary>
public sealed record SamplingOptions
{
    /// <summary>Samples per network call; bounds the memory a call needs. Default: the model's (typically 512).</summary>
    public int? BatchSize { get; init; }

    /// <summary>Diffusion only: the sampler, <c>"ddpm"</c> or <c>"ddim"</c> (or a name a library author registered).</summary>
    public string? Sampler { get; init; }

    /// <summary>Diffusion only: the number of denoising steps.</summary>
    public int? Steps { get; init; }

    /// <summary>Diffusion only (DDIM): η, the amount of fresh noise per step; 0 is deterministic DDIM, 1 is DDPM-like.</summary>
    public double? Eta { get; init; }

    /// <summary>Conditional diffusion only: the classifier-free guidance scale w (1 = no guidance).</summary>
    public double? GuidanceScale { get; init; }

    /// <summary>Conditional models only: the class of each sample, <c>[count]</c>, int64; <see langword="null"/> draws classes uniformly.</summary>
    public Tensor? ClassLabels { get; init; }

    /// <summary>Receives progress as batches (and sampler steps) complete.</summary>
    public IProgress<SamplingProgress>? Progress { get; init; }
}

/// <summary>Progress of a sampling call.</summary>
/// <param name="SamplesDone">Samples finished so far.</param>
/// <param name="SamplesTotal">Samples asked for.</param>
/// <param name="Step">The sampler step within the current batch (0 for a GAN).</param>
/// <param name="StepsTotal">Sampler steps per batch (0 for a GAN).</param>
public sealed record SamplingProgress(int SamplesDone, int SamplesTotal, int Step, int StepsTotal);
