using System.Globalization;
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

    public GenerativeModelOptionsValidator(GenerativeModelCatalog catalog) => _catalog = catalog;

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

        if (options.Sampler is not null && !_catalog.IsKnownSampler(options.Sampler))
        {
            Fail(nameof(options.Sampler), $"is '{options.Sampler}', an unknown sampler; known samplers: {string.Join(", ", _catalog.KnownSamplers.Order(StringComparer.Ordinal))}.");
        }

        if (options.Steps is < 1)
        {
            Fail(nameof(options.Steps), $"must be at least 1, but is {options.Steps.Value}.");
        }

        if (options.Eta is { } eta && !(eta >= 0 && eta <= 1))
        {
            Fail(nameof(options.Eta), $"must be in [0, 1], but is {Format(eta)}.");
        }

        if (options.GuidanceScale is { } guidance && !(guidance >= 0 && double.IsFinite(guidance)))
        {
            Fail(nameof(options.GuidanceScale), $"must be finite and at least 0, but is {Format(guidance)}.");
        }

        if (options.BatchSize is < 1)
        {
            Fail(nameof(options.BatchSize), $"must be at least 1, but is {options.BatchSize.Value}.");
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
