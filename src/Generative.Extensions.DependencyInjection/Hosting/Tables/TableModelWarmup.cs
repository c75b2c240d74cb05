using Generative.Tabular;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Generative.Hosting;

/// <summary>Loads every tabular model whose <see cref="TableModelOptions.LoadOnStart"/> is set when the host starts, in
/// registration order, so that a broken folder stops the host instead of failing the first request.</summary>
internal sealed class TableModelWarmup : IHostedService
{
    private readonly IServiceProvider _services;
    private readonly TableModelCatalog _catalog;
    private readonly IOptionsMonitor<TableModelOptions> _options;

    public TableModelWarmup(IServiceProvider services, TableModelCatalog catalog, IOptionsMonitor<TableModelOptions> options)
    {
        _services = services;
        _catalog = catalog;
        _options = options;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var registration in _catalog.Registrations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_options.Get(registration.Name).LoadOnStart)
            {
                _ = _services.GetRequiredKeyedService<ITableSynthesizer>(registration.Name);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
