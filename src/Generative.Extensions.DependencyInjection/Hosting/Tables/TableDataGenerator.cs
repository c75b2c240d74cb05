using Generative.Tabular;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace Generative.Hosting;

/// <summary>The <see cref="ITableDataGenerator"/> over the registry's tabular models.</summary>
internal sealed class TableDataGenerator : ITableDataGenerator
{
    private readonly ITableModelRegistry _registry;
    private readonly TableModelCatalog _catalog;
    private readonly IOptionsMonitor<TableModelOptions> _options;

    public TableDataGenerator(ITableModelRegistry registry, TableModelCatalog catalog, IOptionsMonitor<TableModelOptions> options)
    {
        _registry = registry;
        _catalog = catalog;
        _options = options;
    }

    public GeneratedTable Generate(string modelName, TableGenerationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(request);
        if (!_catalog.TryFind(modelName, out var registration))
        {
            throw new KeyNotFoundException(_registry is TableModelRegistry r
                ? r.UnknownModelMessage(modelName)
                : $"No tabular model is registered under the name '{modelName}'.");
        }

        string name = registration.Name;
        int maxCount = _options.Get(name).MaxCount;
        if (request.Count < 1 || request.Count > maxCount)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Count,
                $"Count must be between 1 and {maxCount} (the MaxCount of tabular model '{name}'), but is {request.Count}.");
        }

        if (request.Seed is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Seed, $"Seed must be at least 0, but is {request.Seed}.");
        }

        var model = _registry.Get(name);
        var condition = request.Where ?? TableCondition.None;
        condition.Validate(model.Schema);
        long seed = request.Seed ?? Random.Shared.NextInt64(0, GenerationRequest.MaxRandomSeed + 1);

        cancellationToken.ThrowIfCancellationRequested();
        using var generator = new torch.Generator(unchecked((ulong)seed));
        var rows = condition.IsEmpty
            ? model.Sample(request.Count, generator)
            : model.Sample(request.Count, condition, generator);
        if (rows.RowCount != request.Count)
        {
            throw new InvalidOperationException(
                $"Tabular model '{name}' returned {rows.RowCount} rows where {request.Count} were asked for.");
        }

        return new GeneratedTable(name, model.Name, seed, condition, rows);
    }
}
