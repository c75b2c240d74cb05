using System.Diagnostics.CodeAnalysis;
using Generative.Diffusion;

namespace Generative.Hosting;

/// <summary>Where a model registration comes from.</summary>
internal enum GenerativeModelSource
{
    /// <summary><c>AddModel(name, checkpointPath)</c>.</summary>
    Checkpoint,

    /// <summary><c>AddModelsFromConfiguration(section)</c>.</summary>
    Configuration,

    /// <summary><c>AddModel(name, factory)</c>.</summary>
    Code,
}

/// <summary>One registered model.</summary>
/// <param name="Name">The model's name (the service key and the options name).</param>
/// <param name="Source">Where it comes from.</param>
/// <param name="ConfigurationPath">The configuration section it is bound from, if any (for messages).</param>
/// <param name="Factory">The factory of a model registered from code.</param>
internal sealed record GenerativeModelRegistration(
    string Name,
    GenerativeModelSource Source,
    string? ConfigurationPath,
    Func<IServiceProvider, IGenerativeModel>? Factory)
{
    /// <summary>How a message names an option: its configuration key if bound from configuration, its property otherwise.</summary>
    /// <param name="property">The options property (or configuration key) name.</param>
    public string KeyOf(string property) =>
        ConfigurationPath is null ? $"{nameof(GenerativeModelOptions)}.{property}" : $"{ConfigurationPath}:{property}";
}

/// <summary>
/// The models registered in one service collection (a singleton instance shared by every
/// <see cref="Microsoft.Extensions.DependencyInjection.GenerativeBuilder"/> over that collection). Filled while the
/// services are configured, read-only afterwards.
/// </summary>
internal sealed class GenerativeModelCatalog
{
    private readonly List<GenerativeModelRegistration> _registrations = [];
    private readonly Dictionary<string, GenerativeModelRegistration> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string Name, Func<IServiceProvider, SamplerFactory> Create)> _samplers = [];

    // Holds the names of the samplers added so far, over the process-wide default registry: it checks new names
    // (syntax, duplicates) with the registry's own rules and messages when they are added.
    private readonly SamplerRegistry _samplerNames = new(SamplerRegistry.Default);
    private string[] _names = [];

    public IReadOnlyList<string> Names => Volatile.Read(ref _names);

    public IReadOnlyList<GenerativeModelRegistration> Registrations => _registrations;

    /// <summary>Adds a sampler registration; the factory is made when the container's <see cref="SamplerRegistry"/> is built.</summary>
    /// <exception cref="ArgumentException">The name is invalid or already registered (here or in <see cref="SamplerRegistry.Default"/>).</exception>
    public void AddSampler(string name, Func<IServiceProvider, SamplerFactory> create)
    {
        _samplerNames.Add(name, _ => throw new InvalidOperationException("A placeholder of the catalog; never called."));
        _samplers.Add((name.Trim(), create));
    }

    /// <summary>The container's sampler registry: the samplers added through the builder, over <see cref="SamplerRegistry.Default"/>.</summary>
    public SamplerRegistry CreateSamplerRegistry(IServiceProvider services)
    {
        var registry = new SamplerRegistry(SamplerRegistry.Default);
        foreach (var (name, create) in _samplers)
        {
            registry.Add(name, create(services));
        }

        return registry;
    }

    public bool TryFind(string name, [NotNullWhen(true)] out GenerativeModelRegistration? registration) =>
        _byName.TryGetValue(name, out registration);

    public void Add(GenerativeModelRegistration registration)
    {
        if (_byName.TryGetValue(registration.Name, out var existing))
        {
            throw new ArgumentException(
                $"A generative model named '{existing.Name}' is already registered (model names are case-insensitive).",
                "name");
        }

        _registrations.Add(registration);
        _byName.Add(registration.Name, registration);
        Volatile.Write(ref _names, [.. _registrations.Select(r => r.Name)]);
    }
}
