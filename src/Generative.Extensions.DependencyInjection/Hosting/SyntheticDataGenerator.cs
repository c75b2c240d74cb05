using Generative.Diffusion;
using Generative.Sampling;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace Generative.Hosting;

/// <summary>The <see cref="ISyntheticDataGenerator"/> over the registry's models.</summary>
internal sealed class SyntheticDataGenerator : ISyntheticDataGenerator
{
    private readonly IGenerativeModelRegistry _registry;
    private readonly GenerativeModelCatalog _catalog;
    private readonly IOptionsMonitor<GenerativeModelOptions> _options;
    private readonly SamplerRegistry _samplers;

    public SyntheticDataGenerator(
        IGenerativeModelRegistry registry, GenerativeModelCatalog catalog, IOptionsMonitor<GenerativeModelOptions> options,
        SamplerRegistry samplers)
    {
        _registry = registry;
        _catalog = catalog;
        _options = options;
        _samplers = samplers;
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
                using var value = label.ToScalar(); // held across the call: an implicit Scalar can be finalised during it (docs/troubleshooting.md)
                classLabels = torch.full(request.Count, value, dtype: torch.int64);
                sampling = sampling with { ClassLabels = classLabels };
            }

            // The result owns the samples: take them out of any dispose scope the caller has open.
            var samples = Sample(model, request.Count, generator, sampling, cancellationToken).DetachFromDisposeScope();
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

        // The one rule set of sampling settings (SamplingOptions.Validate), applied to the request's overrides.
        var problems = request.ToSamplingOptions().Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentOutOfRangeException(nameof(request), string.Join(" ", problems));
        }

        // A family that resolves its own sampler names (a flow model's solvers) is checked against them; any other model
        // against the container's sampler registry, whose samplers the diffusion path uses.
        if (request.Sampler is not null)
        {
            if (model is GenerativeModel { SamplerNames: { } own })
            {
                if (!own.Contains(request.Sampler.Trim(), StringComparer.OrdinalIgnoreCase))
                {
                    throw new ArgumentException(
                        $"Sampler '{request.Sampler}' is unknown to generative model '{name}' (family '{model.Family}'); known samplers: {string.Join(", ", own)}.",
                        nameof(request));
                }
            }
            else if (!_samplers.Contains(request.Sampler))
            {
                throw new ArgumentException(
                    $"Sampler '{request.Sampler}' is unknown; known samplers: {string.Join(", ", _samplers.Keys)}. " +
                    "Register a sampler with GenerativeBuilder.AddSampler (or SamplerRegistry.Default.Add).",
                    nameof(request));
            }
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

    /// <summary>Samples a diffusion model with the sampler the container's <see cref="SamplerRegistry"/> names (so that
    /// samplers added with <c>AddSampler</c> work), any other model through <see cref="IGenerativeModel.Sample"/>.</summary>
    private torch.Tensor Sample(IGenerativeModel model, int count, torch.Generator generator, SamplingOptions sampling, CancellationToken cancellationToken)
    {
        if (model is DiffusionModel diffusion)
        {
            string name = sampling.Sampler ?? diffusion.Options.Sampler;
            if (!_samplers.TryGet(name, out var factory))
            {
                throw new ArgumentException(_samplers.UnknownKeyMessage(name), nameof(sampling));
            }

            return diffusion.SampleWith(factory, count, generator, sampling, cancellationToken);
        }

        return model.Sample(count, generator, sampling, cancellationToken);
    }
}
