using System.Globalization;
using Generative.Diffusion;
using Microsoft.Extensions.Options;

namespace Generative.Hosting;

/// <summary>
/// Validates each registered model's <see cref="GenerativeModelOptions"/> (run at host start by <c>ValidateOnStart</c>
/// and on every first read). Every failure names the model and the key: its configuration key when the model is
/// bound from configuration, its property otherwise.
/// </summary>
internal sealed class GenerativeModelOptionsValidator : IValidateOptions<GenerativeModelOptions>
{
    private readonly GenerativeModelCatalog _catalog;
    private readonly SamplerRegistry _samplers;

    public GenerativeModelOptionsValidator(GenerativeModelCatalog catalog, SamplerRegistry samplers)
    {
        _catalog = catalog;
        _samplers = samplers;
    }

    public ValidateOptionsResult Validate(string? name, GenerativeModelOptions options)
    {
        if (name is null || !_catalog.TryFind(name, out var registration))
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        void Fail(string key, string problem) =>
            failures.Add($"Generative model '{registration.Name}': '{registration.KeyOf(key)}' {problem}");

        if (registration.Source != GenerativeModelSource.Code)
        {
            if (string.IsNullOrWhiteSpace(options.CheckpointPath))
            {
                Fail("Path", "is missing; set it to the model's checkpoint directory (config.json + model.safetensors).");
            }
            else if (!Directory.Exists(options.CheckpointPath))
            {
                Fail("Path", $"names the directory '{options.CheckpointPath}', which does not exist.");
            }
            else if (!HoldsCheckpoint(options.CheckpointPath))
            {
                Fail("Path", $"names the directory '{options.CheckpointPath}', which holds no checkpoint (no config.json, and no step-* checkpoint directory with one under it).");
            }
        }

        // The sampling settings follow SamplingOptions' one rule set; each problem starts with the setting's name.
        foreach (string problem in options.ToSamplingOptions().Validate())
        {
            int space = problem.IndexOf(' ', StringComparison.Ordinal);
            Fail(problem[..space], problem[(space + 1)..]);
        }

        if (!string.IsNullOrWhiteSpace(options.Sampler) && !_samplers.Contains(options.Sampler))
        {
            Fail(nameof(options.Sampler), $"is '{options.Sampler}', an unknown sampler; known samplers: {string.Join(", ", _samplers.Keys)}. " +
                "Register a sampler with GenerativeBuilder.AddSampler (or SamplerRegistry.Default.Add).");
        }

        if (options.MaxCount < 1)
        {
            Fail(nameof(options.MaxCount), $"must be at least 1, but is {options.MaxCount}.");
        }

        if (!double.IsFinite(options.ImageMinimum) || !double.IsFinite(options.ImageMaximum)
            || options.ImageMaximum <= options.ImageMinimum)
        {
            Fail(nameof(options.ImageMaximum),
                $"must be finite and greater than ImageMinimum, but ImageMinimum is {Format(options.ImageMinimum)} and ImageMaximum is {Format(options.ImageMaximum)}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>A checkpoint directory, or a training root whose <c>step-*</c> subdirectories are checkpoints (the
    /// loader takes the latest).</summary>
    private static bool HoldsCheckpoint(string directory) =>
        File.Exists(Path.Combine(directory, "config.json"))
        || Directory.EnumerateDirectories(directory, "step-*").Any(d => File.Exists(Path.Combine(d, "config.json")));

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
