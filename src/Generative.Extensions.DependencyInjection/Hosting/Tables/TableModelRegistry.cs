using System.Diagnostics.CodeAnalysis;
using Generative.Tabular;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Generative.Hosting;

/// <summary>The registry over the keyed tabular model singletons of the catalogue.</summary>
internal sealed class TableModelRegistry : ITableModelRegistry
{
    private readonly IServiceProvider _services;
    private readonly TableModelCatalog _catalog;
    private readonly IOptionsMonitor<TableModelOptions> _options;

    public TableModelRegistry(IServiceProvider services, TableModelCatalog catalog, IOptionsMonitor<TableModelOptions> options)
    {
        _services = services;
        _catalog = catalog;
        _options = options;
    }

    public IReadOnlyList<string> Names => _catalog.Names;

    public bool Contains(string name) => name is not null && _catalog.TryFind(name, out _);

    public ITableSynthesizer Get(string name) =>
        TryGet(name, out var model) ? model : throw new KeyNotFoundException(UnknownModelMessage(name));

    public bool TryGet(string name, [NotNullWhen(true)] out ITableSynthesizer? model)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_catalog.TryFind(name, out var registration))
        {
            model = null;
            return false;
        }

        model = _services.GetRequiredKeyedService<ITableSynthesizer>(registration.Name);
        return true;
    }

    public TableModelDescriptor Describe(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_catalog.TryFind(name, out var registration))
        {
            throw new KeyNotFoundException(UnknownModelMessage(name));
        }

        var model = _services.GetRequiredKeyedService<ITableSynthesizer>(registration.Name);
        return new TableModelDescriptor(registration.Name, model.Name, model.Schema, _options.Get(registration.Name).MaxCount);
    }

    public IReadOnlyList<TableModelDescriptor> DescribeAll() => [.. _catalog.Names.Select(Describe)];

    internal string UnknownModelMessage(string name) =>
        _catalog.Names.Count == 0
            ? $"No tabular model is registered under the name '{name}'; no tabular models are registered."
            : $"No tabular model is registered under the name '{name}'. Registered tabular models: {string.Join(", ", _catalog.Names.Select(n => $"'{n}'"))}.";
}
