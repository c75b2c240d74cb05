using Generative.Checkpoints;
using System.Buffers;
using Generative;
using System.Text.Json.Nodes;
using Generative.Diffusion;
using Generative.Gan;
using Generative.Hosting;
using Generative.Models;
using Generative.Tabular;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers trained models by name, each as a keyed singleton <see cref="IGenerativeModel"/> (key: the name) with
/// named, start-validated <see cref="GenerativeModelOptions"/>. Returned by
/// <see cref="GenerativeServiceCollectionExtensions.AddGenerative"/>; every method returns the builder for chaining.
/// </summary>
/// <remarks>
/// <para>Model names: 1 to 100 characters among letters, digits, <c>-</c>, <c>_</c> and <c>.</c> (they appear in
/// URLs and configuration keys), unique regardless of case.</para>
/// <para>Ownership: the container creates each model once, on first use (or at host start), and disposes it with
/// itself.</para>
/// <para>Not thread-safe: configure services from one thread, before the provider is built.</para>
/// </remarks>
public sealed class GenerativeBuilder
{
    private static readonly SearchValues<char> NameCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");

    // The configuration keys of GenerativeModelOptions (the binder's own unknown-key check ignores ConfigurationKeyName).
    private static readonly HashSet<string> KnownKeys = new(
        typeof(GenerativeModelOptions).GetProperties()
            .Where(p => p.CanWrite)
            .Select(p => p.GetCustomAttributes(typeof(ConfigurationKeyNameAttribute), false)
                .OfType<ConfigurationKeyNameAttribute>().FirstOrDefault()?.Name ?? p.Name),
        StringComparer.OrdinalIgnoreCase);

    private static readonly HashSet<string> TableKnownKeys = new(["Path", nameof(TableModelOptions.MaxCount), nameof(TableModelOptions.LoadOnStart)], StringComparer.OrdinalIgnoreCase);

    private readonly GenerativeModelCatalog _catalog;
    private readonly TableModelCatalog _tables;

    internal GenerativeBuilder(IServiceCollection services, GenerativeModelCatalog catalog, TableModelCatalog tables)
    {
        Services = services;
        _catalog = catalog;
        _tables = tables;
    }

    /// <summary>The service collection the models are registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Registers the model saved in a checkpoint directory, loaded by the registered <see cref="IGenerativeModelLoader"/>.</summary>
    /// <param name="name">The model's name (service key and options name).</param>
    /// <param name="checkpointPath">The checkpoint directory; relative to the host's content root (or the current directory) if relative.
    /// Validated at host start: it must exist and hold a checkpoint (<c>config.json</c>), or <c>step-*</c> checkpoints of a training run (the latest is loaded).</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered, or the path is empty.</exception>
    public GenerativeBuilder AddModel(string name, string checkpointPath) => AddModel(name, checkpointPath, configure: null);

    /// <summary>Registers the model saved in a checkpoint directory, with sampling defaults and limits.</summary>
    /// <param name="name">The model's name (service key and options name).</param>
    /// <param name="checkpointPath">The checkpoint directory; relative to the host's content root (or the current directory) if relative.
    /// Validated at host start: it must exist and hold a checkpoint (<c>config.json</c>), or <c>step-*</c> checkpoints of a training run (the latest is loaded).</param>
    /// <param name="configure">Sets sampling defaults and limits; <see langword="null"/> for none.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered, or the path is empty.</exception>
    public GenerativeBuilder AddModel(string name, string checkpointPath, Action<GenerativeModelOptions>? configure)
    {
        ValidateName(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpointPath);
        var registration = new GenerativeModelRegistration(name, GenerativeModelSource.Checkpoint, null, null);
        Register(registration, options =>
        {
            options.CheckpointPath = checkpointPath;
            configure?.Invoke(options);
        });
        return this;
    }

    /// <summary>Registers a model created from code (trained in-process, built by hand, a test double).</summary>
    /// <param name="name">The model's name (service key and options name).</param>
    /// <param name="factory">Creates the model once, when it is first resolved; the container owns and disposes what it returns.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered.</exception>
    public GenerativeBuilder AddModel(string name, Func<IServiceProvider, IGenerativeModel> factory) =>
        AddModel(name, factory, configure: null);

    /// <summary>Registers a model created from code, with sampling defaults and limits.</summary>
    /// <param name="name">The model's name (service key and options name).</param>
    /// <param name="factory">Creates the model once, when it is first resolved; the container owns and disposes what it returns.</param>
    /// <param name="configure">Sets sampling defaults and limits; <see langword="null"/> for none. <see cref="GenerativeModelOptions.CheckpointPath"/> is ignored.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered.</exception>
    public GenerativeBuilder AddModel(
        string name, Func<IServiceProvider, IGenerativeModel> factory, Action<GenerativeModelOptions>? configure)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(factory);
        var registration = new GenerativeModelRegistration(name, GenerativeModelSource.Code, null, factory);
        Register(registration, configure);
        return this;
    }

    /// <summary>
    /// Registers one checkpoint model per child of <paramref name="section"/>: the child's key is the model's name, its
    /// keys are <see cref="GenerativeModelOptions"/>' properties (<c>Path</c>, <c>Sampler</c>, <c>Steps</c>, <c>Eta</c>,
    /// <c>GuidanceScale</c>, <c>BatchSize</c>, <c>MaxCount</c>, <c>LoadOnStart</c>, <c>ImageMinimum</c>,
    /// <c>ImageMaximum</c>). A child with a plain string value is a path. Example (appsettings.json):
    /// <code>
    /// "Generative": { "Models": {
    ///   "wine": { "Path": "models/wine", "Sampler": "ddim", "Steps": 50, "Eta": 0, "MaxCount": 5000 },
    ///   "moons": "models/moons" } }
    /// </code>
    /// with <c>AddModelsFromConfiguration(configuration.GetSection("Generative:Models"))</c>.
    /// </summary>
    /// <remarks>The models are registered in the order configuration lists the children (sorted by key). Unknown keys and values that do not convert stop the host at start with a message naming the model
    /// and the configuration key, as do the rules of <see cref="GenerativeModelOptions"/>.</remarks>
    /// <param name="section">The section whose children are the models; an absent or empty section registers none.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">A child's key is not a valid model name, or is already registered.</exception>
    public GenerativeBuilder AddModelsFromConfiguration(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        foreach (var child in section.GetChildren())
        {
            ValidateName(child.Key);
            var registration = new GenerativeModelRegistration(child.Key, GenerativeModelSource.Configuration, child.Path, null);
            Register(registration, options => Bind(registration, child, options));
        }

        return this;
    }

    /// <summary>Replaces the <see cref="IGenerativeModelLoader"/> used for checkpoint models (a singleton).</summary>
    /// <typeparam name="TLoader">The loader type, created by the container.</typeparam>
    /// <returns>This builder.</returns>
    public GenerativeBuilder UseModelLoader<TLoader>()
        where TLoader : class, IGenerativeModelLoader
    {
        Services.Replace(ServiceDescriptor.Singleton<IGenerativeModelLoader, TLoader>());
        return this;
    }

    /// <summary>Replaces the <see cref="IGenerativeModelLoader"/> used for checkpoint models with an instance (not disposed by the container).</summary>
    /// <param name="loader">The loader.</param>
    /// <returns>This builder.</returns>
    public GenerativeBuilder UseModelLoader(IGenerativeModelLoader loader)
    {
        ArgumentNullException.ThrowIfNull(loader);
        Services.Replace(ServiceDescriptor.Singleton(loader));
        return this;
    }

    /// <summary>
    /// Registers a sampler under a name, for the models of this container: options (<see cref="GenerativeModelOptions.Sampler"/>)
    /// and requests (<see cref="GenerationRequest.Sampler"/>) may then name it, and <see cref="ISyntheticDataGenerator"/>
    /// samples diffusion models with it. The registration lives in the container's
    /// <see cref="SamplerRegistry"/> (a singleton service), over <see cref="SamplerRegistry.Default"/>.
    /// </summary>
    /// <param name="name">The sampler's name (1 to 100 letters, digits, <c>-</c>, <c>_</c> or <c>.</c>; case-insensitive).</param>
    /// <param name="factory">Builds a fresh sampler for each batch, from the model's schedule and sampling settings.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered (built-ins included).</exception>
    public GenerativeBuilder AddSampler(string name, SamplerFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _catalog.AddSampler(name, _ => factory);
        return this;
    }

    /// <summary>
    /// Registers a sampler type under a name (see <see cref="AddSampler(string, SamplerFactory)"/>). A new
    /// <typeparamref name="TSampler"/> is made for each batch with its public constructor that has the most parameters
    /// this method can fill: an <see cref="INoiseSchedule"/> (the model's schedule), a <see cref="PredictionType"/>,
    /// a <see cref="SamplerContext"/>, <see cref="SamplingOptions"/> (the call's settings), a
    /// <see cref="Generative.Diffusion.DiffusionModelOptions"/> (the model's defaults), any service of the container, and
    /// optional parameters left to their defaults.
    /// </summary>
    /// <typeparam name="TSampler">The sampler type.</typeparam>
    /// <param name="name">The sampler's name (1 to 100 letters, digits, <c>-</c>, <c>_</c> or <c>.</c>; case-insensitive).</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered, or <typeparamref name="TSampler"/> has no public constructor.</exception>
    public GenerativeBuilder AddSampler<TSampler>(string name)
        where TSampler : class, ISampler
    {
        var activator = SamplerActivator.For(typeof(TSampler));
        _catalog.AddSampler(name, services => context => activator(services, context));
        return this;
    }

    /// <summary>
    /// Registers a model family for the checkpoint models of this container: <see cref="CheckpointModelLoader"/>
    /// rebuilds a checkpoint whose <c>config.json</c> names <paramref name="family"/> with <paramref name="loader"/>.
    /// The container's <see cref="ModelFamilyRegistry"/> (a singleton service) sits over <see cref="ModelFamilyRegistry.Default"/>,
    /// so the built-in families and those of plugins stay available.
    /// </summary>
    /// <param name="family">The family name, as saved in <c>config.json</c> (case-insensitive).</param>
    /// <param name="loader">Rebuilds a model from its checkpoint directory.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered (built-ins included).</exception>
    public GenerativeBuilder AddModelFamily(string family, ModelLoader loader)
    {
        ArgumentNullException.ThrowIfNull(loader);
        Families().Add(family, loader);
        return this;
    }

    /// <summary>
    /// Registers a denoiser network type for the checkpoint models of this container: <see cref="CheckpointModelLoader"/>
    /// rebuilds a diffusion checkpoint whose network's <c>"type"</c> is <paramref name="key"/> with it. The type lives in the
    /// container's <see cref="NetworkTypes.Denoisers"/> (of the container's <see cref="ModelFamilyRegistry"/>), over
    /// <see cref="DenoiserRegistry.Default"/>; other containers and <see cref="DiffusionModel.Load"/> do not see it.
    /// </summary>
    /// <typeparam name="TDenoiser">The network's class.</typeparam>
    /// <param name="key">The type's key, as saved in <c>config.json</c> (1 to 100 letters, digits, <c>-</c>, <c>_</c> or <c>.</c>; case-insensitive).</param>
    /// <param name="describe">Writes what rebuilding a network needs as a JSON object (see <see cref="ComponentType{TComponent}"/>).</param>
    /// <param name="create">Builds a network from its description, its fresh weights from the generator given; validates every value.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The key is invalid or already registered (built-ins included).</exception>
    public GenerativeBuilder AddDenoiser<TDenoiser>(string key, Func<TDenoiser, JsonObject> describe, Func<JsonObject, torch.Generator?, TDenoiser> create)
        where TDenoiser : class, IDenoiser =>
        AddNetworkType(Families().Networks.Denoisers, key, describe, create);

    /// <summary>Registers a GAN generator network type for the checkpoint models of this container, as
    /// <see cref="AddDenoiser{TDenoiser}"/> does a denoiser (in the container's <see cref="NetworkTypes.Generators"/>, over
    /// <see cref="GeneratorRegistry.Default"/>).</summary>
    /// <typeparam name="TGenerator">The network's class.</typeparam>
    /// <param name="key">The type's key, as saved in <c>config.json</c> under <c>"generator"</c>.</param>
    /// <param name="describe">Writes what rebuilding a network needs as a JSON object.</param>
    /// <param name="create">Builds a network from its description, its fresh weights from the generator given; validates every value.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The key is invalid or already registered (built-ins included).</exception>
    public GenerativeBuilder AddGenerator<TGenerator>(string key, Func<TGenerator, JsonObject> describe, Func<JsonObject, torch.Generator?, TGenerator> create)
        where TGenerator : class, IGenerator =>
        AddNetworkType(Families().Networks.Generators, key, describe, create);

    /// <summary>Registers a GAN critic network type in this container's <see cref="NetworkTypes.Critics"/> (over
    /// <see cref="CriticRegistry.Default"/>), as <see cref="AddDenoiser{TDenoiser}"/> does a denoiser. No checkpoint records
    /// a critic (see <see cref="CriticRegistry"/>): the registration serves code that builds critics by key from the
    /// container's <see cref="NetworkTypes"/>.</summary>
    /// <typeparam name="TCritic">The network's class.</typeparam>
    /// <param name="key">The type's key.</param>
    /// <param name="describe">Writes what rebuilding a network needs as a JSON object.</param>
    /// <param name="create">Builds a network from its description, its fresh weights from the generator given; validates every value.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The key is invalid or already registered (built-ins included).</exception>
    public GenerativeBuilder AddCritic<TCritic>(string key, Func<TCritic, JsonObject> describe, Func<JsonObject, torch.Generator?, TCritic> create)
        where TCritic : class, IDiscriminator =>
        AddNetworkType(Families().Networks.Critics, key, describe, create);

    /// <summary>
    /// Registers a tabular model (an <see cref="ITableSynthesizer"/>) saved in a folder by <see cref="ITableSynthesizer.Save"/>:
    /// a keyed singleton <see cref="ITableSynthesizer"/> (key: the name), loaded through the container's
    /// <see cref="Generative.TabularSynthesis.TableSynthesizerRegistry"/> (<see cref="Generative.TabularSynthesis.TableSynthesizerRegistry.Default"/> unless one is registered), which
    /// dispatches on the synthesizer named in <c>synthesizer.json</c> — the built-ins and any registered by a third party.
    /// </summary>
    /// <param name="name">The model's name (service key and options name), unique among all models.</param>
    /// <param name="directory">The folder; relative to the host's content root (or the current directory) if relative.
    /// Validated at host start: it must exist and hold <c>synthesizer.json</c>; the model is loaded at host start.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered, or the path is empty.</exception>
    public GenerativeBuilder AddTableModel(string name, string directory) => AddTableModel(name, directory, configure: null);

    /// <summary>Registers a tabular model saved in a folder, with its limits (see <see cref="AddTableModel(string, string)"/>).</summary>
    /// <param name="name">The model's name (service key and options name), unique among all models.</param>
    /// <param name="directory">The folder; relative to the host's content root (or the current directory) if relative.</param>
    /// <param name="configure">Sets the limits; <see langword="null"/> for the defaults.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered, or the path is empty.</exception>
    public GenerativeBuilder AddTableModel(string name, string directory, Action<TableModelOptions>? configure)
    {
        ValidateName(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        RegisterTable(new TableModelRegistration(name, null, null), options =>
        {
            options.Directory = directory;
            configure?.Invoke(options);
        });
        return this;
    }

    /// <summary>Registers a tabular model created from code (fitted in-process, a test double).</summary>
    /// <param name="name">The model's name (service key and options name), unique among all models.</param>
    /// <param name="factory">Creates the model once, when it is first resolved; the container owns it (and disposes it if it is disposable).</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered.</exception>
    public GenerativeBuilder AddTableModel(string name, Func<IServiceProvider, ITableSynthesizer> factory) => AddTableModel(name, factory, configure: null);

    /// <summary>Registers a tabular model created from code, with its limits.</summary>
    /// <param name="name">The model's name (service key and options name), unique among all models.</param>
    /// <param name="factory">Creates the model once, when it is first resolved; the container owns it (and disposes it if it is disposable).</param>
    /// <param name="configure">Sets the limits; <see langword="null"/> for the defaults. <see cref="TableModelOptions.Directory"/> is ignored.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered.</exception>
    public GenerativeBuilder AddTableModel(string name, Func<IServiceProvider, ITableSynthesizer> factory, Action<TableModelOptions>? configure)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(factory);
        RegisterTable(new TableModelRegistration(name, null, factory), configure);
        return this;
    }

    /// <summary>
    /// Registers one saved tabular model per child of <paramref name="section"/>: the child's key is the model's name, its
    /// keys are <c>Path</c> (the folder), <c>MaxCount</c> and <c>LoadOnStart</c>; a child with a plain string value is a
    /// path. Example (appsettings.json), with <c>AddTableModelsFromConfiguration(configuration.GetSection("Generative:Tables"))</c>:
    /// <code>
    /// "Generative": { "Tables": {
    ///   "adult": { "Path": "models/adult", "MaxCount": 5000 },
    ///   "penguins": "models/penguins" } }
    /// </code>
    /// </summary>
    /// <remarks>Unknown keys and values that do not convert stop the host at start with a message naming the model and
    /// the configuration key, as does a folder that does not exist or holds no <c>synthesizer.json</c>.</remarks>
    /// <param name="section">The section whose children are the models; an absent or empty section registers none.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">A child's key is not a valid model name, or is already registered.</exception>
    public GenerativeBuilder AddTableModelsFromConfiguration(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        foreach (var child in section.GetChildren())
        {
            ValidateName(child.Key);
            var registration = new TableModelRegistration(child.Key, child.Path, null);
            RegisterTable(registration, options => BindTable(registration, child, options));
        }

        return this;
    }

    private void RegisterTable(TableModelRegistration registration, Action<TableModelOptions>? configure)
    {
        if (_catalog.TryFind(registration.Name, out var model))
        {
            throw new ArgumentException($"A generative model named '{model.Name}' is already registered (model names are case-insensitive and shared by all models).", "name");
        }

        _tables.Add(registration);
        var optionsBuilder = Services.AddOptions<TableModelOptions>(registration.Name);
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        optionsBuilder.ValidateOnStart();
        Services.AddKeyedSingleton<ITableSynthesizer>(registration.Name, (services, _) => TableModelFactory.Create(services, registration));
    }

    private static void BindTable(TableModelRegistration registration, IConfigurationSection section, TableModelOptions options)
    {
        if (section.Value is { } path && !section.GetChildren().Any())
        {
            options.Directory = path;
            return;
        }

        var unknown = section.GetChildren().Select(child => child.Key).Where(key => !TableKnownKeys.Contains(key)).ToList();
        if (unknown.Count > 0)
        {
            throw new OptionsValidationException(
                registration.Name,
                typeof(TableModelOptions),
                [.. unknown.Select(key =>
                    $"Tabular model '{registration.Name}': '{section.Path}:{key}' is not a known setting; known settings: {string.Join(", ", TableKnownKeys.Order(StringComparer.Ordinal))}.")]);
        }

        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new OptionsValidationException(
                registration.Name,
                typeof(TableModelOptions),
                [$"Tabular model '{registration.Name}': configuration section '{section.Path}' is invalid: {ex.Message}"]);
        }
    }

    private GenerativeBuilder AddNetworkType<TNetwork, TImplementation>(
        NetworkTypeRegistry<TNetwork> registry, string key, Func<TImplementation, JsonObject> describe, Func<JsonObject, torch.Generator?, TImplementation> create)
        where TNetwork : class
        where TImplementation : class, TNetwork
    {
        ArgumentNullException.ThrowIfNull(describe);
        ArgumentNullException.ThrowIfNull(create);
        registry.Add(key, new ComponentType<TNetwork>(typeof(TImplementation), network => describe((TImplementation)network), (json, generator) => create(json, generator)));
        return this;
    }

    /// <summary>The container's model families (a singleton service), made on first use over <see cref="ModelFamilyRegistry.Default"/>
    /// with the container's <see cref="NetworkTypes"/> (also a singleton service) over <see cref="NetworkTypes.Default"/>'s.</summary>
    private ModelFamilyRegistry Families()
    {
        var registry = Services
            .Where(d => d.ServiceType == typeof(ModelFamilyRegistry) && !d.IsKeyedService)
            .Select(d => d.ImplementationInstance)
            .OfType<ModelFamilyRegistry>()
            .FirstOrDefault();
        if (registry is null)
        {
            var networks = new NetworkTypes(
                new DenoiserRegistry(DenoiserRegistry.Default), new GeneratorRegistry(GeneratorRegistry.Default), new CriticRegistry(CriticRegistry.Default));
            registry = new ModelFamilyRegistry(ModelFamilyRegistry.Default, networks);
            Services.AddSingleton(registry);
            Services.AddSingleton(networks);
        }

        return registry;
    }

    private void Register(GenerativeModelRegistration registration, Action<GenerativeModelOptions>? configure)
    {
        if (_tables.TryFind(registration.Name, out var table))
        {
            throw new ArgumentException($"A tabular model named '{table.Name}' is already registered (model names are case-insensitive and shared by all models).", "name");
        }

        _catalog.Add(registration);
        var optionsBuilder = Services.AddOptions<GenerativeModelOptions>(registration.Name);
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        optionsBuilder.ValidateOnStart();
        Services.AddKeyedSingleton<IGenerativeModel>(
            registration.Name, (services, _) => GenerativeModelFactory.Create(services, registration));
    }

    private static void Bind(GenerativeModelRegistration registration, IConfigurationSection section, GenerativeModelOptions options)
    {
        if (section.Value is { } path && !section.GetChildren().Any())
        {
            options.CheckpointPath = path;
            return;
        }

        var unknown = section.GetChildren()
            .Select(child => child.Key)
            .Where(key => !KnownKeys.Contains(key))
            .ToList();
        if (unknown.Count > 0)
        {
            throw new OptionsValidationException(
                registration.Name,
                typeof(GenerativeModelOptions),
                [.. unknown.Select(key =>
                    $"Generative model '{registration.Name}': '{section.Path}:{key}' is not a known setting; known settings: {string.Join(", ", KnownKeys.Order(StringComparer.Ordinal))}.")]);
        }

        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new OptionsValidationException(
                registration.Name,
                typeof(GenerativeModelOptions),
                [$"Generative model '{registration.Name}': configuration section '{section.Path}' is invalid: {ex.Message}"]);
        }
    }

    private static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Length > 100 || name.AsSpan().IndexOfAnyExcept(NameCharacters) >= 0)
        {
            throw new ArgumentException(
                $"The model name '{name}' is invalid: use 1 to 100 letters, digits, '-', '_' or '.'.", nameof(name));
        }
    }
}
