using System.Globalization;
using static TorchSharp.torch;

namespace Generative;

/// <summary>
/// How to draw samples from an <see cref="IGenerativeModel"/>: the one place for sampling settings. Every member is
/// optional; a model uses its own default for what is left unset and ignores what does not apply to its family (a GAN
/// has no sampler steps). Hosting options and service requests map onto this record and are checked by
/// <see cref="Validate"/>, the single rule set.
/// </summary>
public sealed record SamplingOptions
{
    /// <summary>Samples per network call, at least 1; bounds the memory a call needs. Default: the model's (typically 512).</summary>
    public int? BatchSize { get; init; }

    /// <summary>Diffusion and flow models: the registered name of the sampler (case-insensitive) — for diffusion
    /// <c>"ddpm"</c>, <c>"ddim"</c> or a name registered in <c>SamplerRegistry</c>; for flow matching the ODE solver,
    /// <c>"euler"</c>, <c>"midpoint"</c>, <c>"heun"</c> or a name registered in <c>FlowSolverRegistry</c> (Generative package).</summary>
    public string? Sampler { get; init; }

    /// <summary>Diffusion and flow models: the number of denoising (or solver) steps, at least 1 (for diffusion at most the
    /// model's train timesteps).</summary>
    public int? Steps { get; init; }

    /// <summary>Diffusion only (DDIM): η in [0, 1], the amount of fresh noise per step; 0 is deterministic DDIM, 1 is
    /// DDPM's posterior variance (Song et al. 2021, eq. 16). Above 1 the step's variance can exceed 1 − ᾱ_{t−1} and the
    /// sample turns to NaN, so it is rejected (diffusers does not check it).</summary>
    public double? Eta { get; init; }

    /// <summary>Conditional diffusion only: the classifier-free guidance scale w, finite and at least 0 (1 = no guidance,
    /// 0 = the unconditional model).</summary>
    public double? GuidanceScale { get; init; }

    /// <summary>Diffusion only: samples with the model's EMA network when it has one (<see langword="true"/>), or with the
    /// trained network (<see langword="false"/>). Default: the model's.</summary>
    public bool? UseEma { get; init; }

    /// <summary>Conditional models only: the class of each sample, <c>[count]</c>, int64; <see langword="null"/> draws classes uniformly.</summary>
    public Tensor? ClassLabels { get; init; }

    /// <summary>Receives progress as batches (and sampler steps) complete.</summary>
    public IProgress<SamplingProgress>? Progress { get; init; }

    /// <summary>
    /// Checks every set member against the library's one rule set for sampling settings. Whether <see cref="Sampler"/>
    /// names a registered sampler, and whether <see cref="Steps"/> fits the model's schedule, is checked by the model.
    /// </summary>
    /// <returns>Every problem found, each starting with the member's name (for example
    /// <c>"Eta must be in [0, 1], but is 1.5."</c>); empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (BatchSize is < 1)
        {
            problems.Add($"{nameof(BatchSize)} must be at least 1, but is {BatchSize.Value}.");
        }

        if (Sampler is not null && string.IsNullOrWhiteSpace(Sampler))
        {
            problems.Add($"{nameof(Sampler)} must name a sampler, but is empty.");
        }

        if (Steps is < 1)
        {
            problems.Add($"{nameof(Steps)} must be at least 1, but is {Steps.Value}.");
        }

        if (Eta is { } eta && !(eta >= 0 && eta <= 1))
        {
            problems.Add($"{nameof(Eta)} must be in [0, 1], but is {Format(eta)}.");
        }

        if (GuidanceScale is { } guidance && !(guidance >= 0 && double.IsFinite(guidance)))
        {
            problems.Add($"{nameof(GuidanceScale)} must be finite and at least 0, but is {Format(guidance)}.");
        }

        return problems;
    }

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Progress of a sampling call.</summary>
/// <param name="SamplesDone">Samples finished so far.</param>
/// <param name="SamplesTotal">Samples asked for.</param>
/// <param name="Step">The sampler step within the current batch (0 for a GAN).</param>
/// <param name="StepsTotal">Sampler steps per batch (0 for a GAN).</param>
public sealed record SamplingProgress(int SamplesDone, int SamplesTotal, int Step, int StepsTotal);
