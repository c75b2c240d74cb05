using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Generative.Hosting;

/// <summary>The registry over the keyed model singletons of the catalogue.</summary>
internal sealed class GenerativeModelRegistry : IGenerativeModelRegistry
{
    private readonly IServiceProvider _services;
    private readonly GenerativeModelCatalog _catalog;
    private readonly IOptionsMonitor<GenerativeModelOptions> _options;

    public GenerativeModelRegistry(
        IServiceProvider services, GenerativeModelCatalog catalog, IOptionsMonitor<GenerativeModelOptions> options)
    {
        _services = services;
        _catalog = catalog;
        _options = options;
    }

    public IReadOnlyList<string> Names => _catalog.Names;

    public bool Contains(string name) => name is not null && _catalog.TryFind(name, out _);

    public IGenerativeModel Get(string name) =>
        TryGet(name, out var model)
            ? model
            : throw new KeyNotFoundException(UnknownModelMessage(name));

    public bool TryGet(string name, [NotNullWhen(true)] out IGenerativeModel? model)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_catalog.TryFind(name, out var registration))
        {
            model = null;
            return false;
        }

        model = _services.GetRequiredKeyedService<IGenerativeModel>(registration.Name);
        return true;
    }

    public GenerativeModelDescriptor Describe(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_catalog.TryFind(name, out var registration))
        {
            throw new KeyNotFoundException(UnknownModelMessage(name));
        }

        var model = _services.GetRequiredKeyedService<IGenerativeModel>(registration.Name);
        var options = _options.Get(registration.Name);
        return new GenerativeModelDescriptor(
            registration.Name,
            model.Family,
            model.SampleShape,
            GenerativeModelDescriptor.KindOf(model.SampleShape, model.FeatureNames),
            model.FeatureNames,
            model.ClassCount,
            options.ToSamplingOptions(),
            options.MaxCount);
    }

    public IReadOnlyList<GenerativeModelDescriptor> DescribeAll() => [.. _catalog.Names.Select(Describe)];

    internal string UnknownModelMessage(string name) =>
        _catalog.Names.Count == 0
            ? $"No generative model is registered under the name '{name}'; no models are registered."
            : $"No generative model is registered under the name '{name}'. Registered models: {string.Join(", ", _catalog.Names.Select(n => $"'{n}'"))}.";
}
