using Microsoft.Extensions.Configuration;

namespace Generative.Hosting;

/// <summary>
/// Where a registered model comes from and how it samples by default. One instance per model, as named options
/// (the name is the model's name), validated when the host starts.
/// </summary>
/// <remarks>
/// <para>Bound from configuration by
/// <see cref="Microsoft.Extensions.DependencyInjection.GenerativeBuilder.AddModelsFromConfiguration"/>, one section
/// per model; the configuration keys are the property names, except <see cref="CheckpointPath"/>, whose key is
/// <c>Path</c>. Unknown keys are errors.</para>
/// <para>Sampling settings left <see langword="null"/> fall back to the model's own defaults. Settings that do not
/// apply to a model's family (steps for a GAN) are ignored by the model.</para>
/// </remarks>
public sealed class GenerativeModelOptions
{
    /// <summary>The default of <see cref="MaxCount"/>.</summary>
    public const int DefaultMaxCount = 10_000;

    /// <summary>
    /// The checkpoint directory (<c>config.json</c> + <c>model.safetensors</c>) of a model registered from a checkpoint.
    /// A relative path is resolved against the host's content root (the current directory without a host).
    /// Configuration key: <c>Path</c>. Ignored for models created from code.
    /// </summary>
    [ConfigurationKeyName("Path")]
    public string? CheckpointPath { get; set; }

    /// <summary>Diffusion only: the default sampler, <c>ddpm</c>, <c>ddim</c> or a name registered with
    /// <see cref="Microsoft.Extensions.DependencyInjection.GenerativeBuilder.AddSampler(string, Generative.Diffusion.SamplerFactory)"/>
    /// (case-insensitive); <see langword="null"/> for the model's default.</summary>
    public string? Sampler { get; set; }

    /// <summary>Diffusion only: the default number of denoising steps, at least 1; <see langword="null"/> for the model's default.</summary>
    public int? Steps { get; set; }

    /// <summary>Diffusion only (DDIM): the default η in [0, 1]; <see langword="null"/> for the model's default.</summary>
    public double? Eta { get; set; }

    /// <summary>Conditional diffusion only: the default classifier-free guidance scale, finite and at least 0; <see langword="null"/> for the model's default.</summary>
    public double? GuidanceScale { get; set; }

    /// <summary>Samples per network call, at least 1; bounds the memory one call needs. <see langword="null"/> for the model's default.</summary>
    public int? BatchSize { get; set; }

    /// <summary>The most samples one generation request may ask for, at least 1.</summary>
    /// <value>The default value is <see cref="DefaultMaxCount"/>.</value>
    public int MaxCount { get; set; } = DefaultMaxCount;

    /// <summary>Whether the host loads the model when it starts (so that a broken checkpoint stops the host at once)
    /// rather than on first use.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool LoadOnStart { get; set; } = true;

    /// <summary>Images only: the sample value drawn as black (0) in PNG output.</summary>
    /// <value>The default value is 0.</value>
    public double ImageMinimum { get; set; }

    /// <summary>Images only: the sample value drawn as white (255) in PNG output; greater than <see cref="ImageMinimum"/>.</summary>
    /// <value>The default value is 1.</value>
    public double ImageMaximum { get; set; } = 1.0;

    /// <summary>The configured sampling settings as the model's <see cref="SamplingOptions"/>, whose
    /// <see cref="SamplingOptions.Validate"/> is the rule set these settings are checked with at start.</summary>
    /// <returns>A new record; unset settings stay <see langword="null"/>.</returns>
    public SamplingOptions ToSamplingOptions() => new()
    {
        Sampler = Sampler?.Trim().ToLowerInvariant(),
        Steps = Steps,
        Eta = Eta,
        GuidanceScale = GuidanceScale,
        BatchSize = BatchSize,
    };
}
