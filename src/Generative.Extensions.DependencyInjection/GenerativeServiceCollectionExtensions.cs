using Generative.Hosting;
using Generative.Tabular;
using Generative.TabularSynthesis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Generative's hosting services: trained models as keyed singletons, the model registry and the
/// synthetic-data generator.</summary>
public static class GenerativeServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Generative services (idempotent: call it as often as you like) and returns a builder on which models are
    /// registered by name.
    /// </summary>
    /// <remarks>
    /// Registers, unless already registered: <see cref="IGenerativeModelLoader"/> (<see cref="CheckpointModelLoader"/>),
    /// the container's <see cref="Generative.Diffusion.SamplerRegistry"/> (the samplers added with
    /// <see cref="GenerativeBuilder.AddSampler(string, Generative.Diffusion.SamplerFactory)"/> over
    /// <see cref="Generative.Diffusion.SamplerRegistry.Default"/>),
    /// <see cref="IGenerativeModelRegistry"/>, <see cref="ISyntheticDataGenerator"/>, for tabular models
    /// <see cref="ITableModelRegistry"/>, <see cref="ITableDataGenerator"/> and the <see cref="TableSynthesizerRegistry"/>
    /// they are loaded with (<see cref="TableSynthesizerRegistry.Default"/>), the validation of every model's
    /// <see cref="GenerativeModelOptions"/> at host start, and a hosted service that loads the models at host start
    /// (<see cref="GenerativeModelOptions.LoadOnStart"/>). Without a host (a bare service provider), models
    /// are validated and loaded when first resolved.
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <returns>The builder for the models of <paramref name="services"/>.</returns>
    public static GenerativeBuilder AddGenerative(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var catalog = services
            .Where(d => d.ServiceType == typeof(GenerativeModelCatalog) && !d.IsKeyedService)
            .Select(d => d.ImplementationInstance)
            .OfType<GenerativeModelCatalog>()
            .FirstOrDefault();
        if (catalog is null)
        {
            catalog = new GenerativeModelCatalog();
            services.AddSingleton(catalog);
        }

        var tables = services
            .Where(d => d.ServiceType == typeof(TableModelCatalog) && !d.IsKeyedService)
            .Select(d => d.ImplementationInstance)
            .OfType<TableModelCatalog>()
            .FirstOrDefault();
        if (tables is null)
        {
            tables = new TableModelCatalog();
            services.AddSingleton(tables);
        }

        services.AddOptions();
        services.TryAddSingleton(provider => catalog.CreateSamplerRegistry(provider));
        services.TryAddSingleton<IGenerativeModelLoader, CheckpointModelLoader>();
        services.TryAddSingleton<IGenerativeModelRegistry, GenerativeModelRegistry>();
        services.TryAddSingleton<ISyntheticDataGenerator, SyntheticDataGenerator>();
        services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IValidateOptions<GenerativeModelOptions>, GenerativeModelOptionsValidator>());
        services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IPostConfigureOptions<GenerativeModelOptions>, GenerativeModelPathResolver>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GenerativeModelWarmup>());

        // Tabular models (ITableSynthesizer), loaded through the process-wide synthesizer registry unless one is registered.
        services.TryAddSingleton(TableSynthesizerRegistry.Default);
        services.TryAddSingleton<ITableModelRegistry, TableModelRegistry>();
        services.TryAddSingleton<ITableDataGenerator, TableDataGenerator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TableModelOptions>, TableModelOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<TableModelOptions>, TableModelPathResolver>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TableModelWarmup>());
        return new GenerativeBuilder(services, catalog, tables);
    }
}
