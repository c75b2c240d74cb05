using Generative.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Generative.SyntheticDataService;

/// <summary>Healthy when every registered model (tabular ones included) is loaded (models load at start, so a running
/// service is healthy unless a model was registered with LoadOnStart = false and fails to load); degraded when no model
/// is registered.</summary>
internal sealed class ModelsHealthCheck(IGenerativeModelRegistry registry, ITableModelRegistry tables) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        int count = registry.Names.Count + tables.Names.Count;
        var data = new Dictionary<string, object> { ["models"] = count };
        if (count == 0)
        {
            return Task.FromResult(HealthCheckResult.Degraded("No generative model is registered.", data: data));
        }

        foreach (string name in registry.Names.Concat(tables.Names))
        {
            try
            {
                _ = registry.Contains(name) ? registry.Get(name) : (object)tables.Get(name);
            }
            catch (Exception ex)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy($"Generative model '{name}' cannot be loaded.", ex, data));
            }
        }

        return Task.FromResult(HealthCheckResult.Healthy($"{count} generative model(s) ready.", data));
    }
}
