using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Generative.Hosting;

/// <summary>Loads every model whose <see cref="GenerativeModelOptions.LoadOnStart"/> is set when the host starts, in
/// registration order, so that a broken checkpoint stops the host instead of failing the first request.</summary>
internal sealed class GenerativeModelWarmup : IHostedService
{
    private readonly IServiceProvider _services;
    private readonly GenerativeModelCatalog _catalog;
    private readonly IOptionsMonitor<GenerativeModelOptions> _options;

    public GenerativeModelWarmup(
        IServiceProvider services, GenerativeModelCatalog catalog, IOptionsMonitor<GenerativeModelOptions> options)
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
                _ = _services.GetRequiredKeyedService<IGenerativeModel>(registration.Name);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
