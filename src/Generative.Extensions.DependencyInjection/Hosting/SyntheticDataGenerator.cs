using System.Globalization;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace Generative.Hosting;

/// <summary>The <see cref="ISyntheticDataGenerator"/> over the registry's models.</summary>
internal sealed class SyntheticDataGenerator : ISyntheticDataGenerator
{
    private readonly IGenerativeModelRegistry _registry;
    private readonly GenerativeModelCatalog _catalog;
    private readonly IOptionsMonitor<GenerativeModelOptions> _options;

    public SyntheticDataGenerator(
        IGenerativeModelRegistry registry, GenerativeModelCatalog catalog, IOptionsMonitor<GenerativeModelOptions> options)
    {
        _registry = registry;
        _catalog = catalog;
        _options = options;
    }

    public GeneratedSamples Generate(string modelName, GenerationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(request);
        if (!_catalog.TryFind(modelName, out var registration))
        {
            throw new KeyNotFoundException(_registry is GenerativeModelRegistry r
                ? r.UnknownModelMessage(modelName)
                : $"No generative model is registered under the name '{modelName}'.");
        }

        string name = registration.Name;
        var configured = _options.Get(name);
        var model = _registry.Get(name);
        var sampling = Resolve(name, configured, model, request);
        long seed = request.Seed ?? Random.Shared.NextInt64(0, GenerationRequest.MaxRandomSeed + 1);

        cancellationToken.ThrowIfCancellationRequested();
        using var generator = new torch.Generator(unchecked((ulong)seed));
        torch.Tensor? classLabels = null;
        try
        {
            if (request.ClassLabel is { } label)
            {
                classLabels = torch.full(request.Count, label, dtype: torch.int64);
                sampling = sampling with { ClassLabels = classLabels };
            }

            // The result owns the samples: take them out of any dispose scope the caller has open.
            var samples = model.Sample(request.Count, generator, sampling, cancellationToken).DetachFromDisposeScope();
            try
            {
                model.SampleShape.EnsureBatch(samples, "samples");
                if (samples.shape[0] != request.Count)
                {
                    throw new InvalidOperationException(
                        $"Generative model '{name}' returned {samples.shape[0]} samples where {request.Count} were asked for.");
                }
            }
            catch
            {
                samples.Dispose();
                throw;
            }

            return new GeneratedSamples(
                name, seed, sampling with { ClassLabels = null, Progress = null }, model.SampleShape,
                GenerativeModelDescriptor.KindOf(model.SampleShape, model.FeatureNames), model.FeatureNames,
                samples, configured.ImageMinimum, configured.ImageMaximum);
        }
        finally
        {
            classLabels?.Dispose();
        }
    }

    private SamplingOptions Resolve(string name, GenerativeModelOptions configured, IGenerativeModel model, GenerationRequest request)
    {
        if (request.Count < 1 || request.Count > configured.MaxCount)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Count,
                $"Count must be between 1 and {configured.MaxCount} (the MaxCount of generative model '{name}'), but is {request.Count}.");
        }

        if (request.Seed is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Seed,
                $"Seed must be at least 0, but is {request.Seed}.");
        }

        if (request.Steps is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Steps, $"Steps must be at least 1, but is {request.Steps}.");
        }

        if (request.BatchSize is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.BatchSize, $"BatchSize must be at least 1, but is {request.BatchSize}.");
        }

        if (request.Eta is { } eta && !(eta >= 0 && eta <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(request), eta,
                $"Eta must be in [0, 1], but is {eta.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (request.GuidanceScale is { } guidance && !(guidance >= 0 && double.IsFinite(guidance)))
        {
            throw new ArgumentOutOfRangeException(nameof(request), guidance,
                $"GuidanceScale must be finite and at least 0, but is {guidance.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (request.Sampler is not null && !_catalog.IsKnownSampler(request.Sampler))
        {
            throw new ArgumentException(
                $"Sampler '{request.Sampler}' is unknown; known samplers: {string.Join(", ", _catalog.KnownSamplers.Order(StringComparer.Ordinal))}.",
                nameof(request));
        }

        if (request.ClassLabel is { } label)
        {
            if (model.ClassCount == 0)
            {
                throw new ArgumentException(
                    $"Generative model '{name}' is unconditional; a class label cannot be given.", nameof(request));
            }

            if (label < 0 || label >= model.ClassCount)
            {
                throw new ArgumentOutOfRangeException(nameof(request), label,
                    $"ClassLabel must be in [0, {model.ClassCount}) for generative model '{name}', but is {label}.");
            }
        }

        var defaults = configured.ToSamplingOptions();
        return defaults with
        {
            Sampler = request.Sampler?.Trim().ToLowerInvariant() ?? defaults.Sampler,
            Steps = request.Steps ?? defaults.Steps,
            Eta = request.Eta ?? defaults.Eta,
            GuidanceScale = request.GuidanceScale ?? defaults.GuidanceScale,
            BatchSize = request.BatchSize ?? defaults.BatchSize,
            Progress = request.Progress,
        };
    }
}
