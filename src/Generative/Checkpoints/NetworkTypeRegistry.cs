using System.Text.Json.Nodes;
using TorchSharp;

namespace Generative.Checkpoints;

/// <summary>
/// The network types of one role (denoisers, generators, critics) that can be described in a checkpoint's
/// <c>config.json</c>, rebuilt from it and copied (for an EMA network): the base of <see cref="Diffusion.DenoiserRegistry"/>,
/// <see cref="Gan.GeneratorRegistry"/> and <see cref="Gan.CriticRegistry"/>, which differ only by their type argument and
/// the key their description is written under.
/// </summary>
/// <remarks>Loading: a built-in type's description is checked field by field and its tensors counted before anything is
/// built; a registered type's <see cref="ComponentType{TComponent}.Create"/> builds the network first (it must validate its
/// own description), and its state is then compared with the weights file's header before any weight is copied.
/// Thread-safety: as <see cref="Registry{TEntry}"/>.</remarks>
/// <typeparam name="TNetwork">The network's interface.</typeparam>
public abstract class NetworkTypeRegistry<TNetwork> : Registry<ComponentType<TNetwork>>
    where TNetwork : class
{
    private static readonly AsyncLocal<NetworkTypeRegistry<TNetwork>?> Ambient = new();

    private readonly string _role;
    private readonly string _typeKey;
    private readonly Func<TNetwork, torch.nn.Module> _module;
    private readonly Func<TNetwork, TensorShape> _sampleShape;
    private readonly bool _hostable;

    /// <summary>Creates a registry of the network types of one role.</summary>
    /// <param name="parent">A registry whose types this one also offers.</param>
    /// <param name="role">The networks' role, for messages (<c>"denoiser"</c>).</param>
    /// <param name="typeKey">The key of the network's type in its description (<c>"type"</c>, <c>"generator"</c>).</param>
    /// <param name="module">A network's module.</param>
    /// <param name="sampleShape">The shape of one sample of a network.</param>
    /// <param name="hostable">Whether the dependency-injection builder has a method that registers a type of this role
    /// (<c>Add</c> + the role, e.g. <c>AddDenoiser</c>); messages name it only then.</param>
    private protected NetworkTypeRegistry(
        NetworkTypeRegistry<TNetwork>? parent, string role, string typeKey, Func<TNetwork, torch.nn.Module> module, Func<TNetwork, TensorShape> sampleShape, bool hostable = true)
        : base(parent)
    {
        _hostable = hostable;
        _role = role;
        _typeKey = typeKey;
        _module = module;
        _sampleShape = sampleShape;
    }

    /// <inheritdoc />
    protected sealed override string Kind => _role + " network type";

    /// <inheritdoc />
    protected sealed override string HowToRegister =>
        $"Register one with {Name}.Default.Add(key, new ComponentType<{typeof(TNetwork).Name}>(typeof(MyNetwork), describe, create)), for instance from a plugin's IGenerativePlugin.Register" +
        (_hostable ? $", or with services.AddGenerative().{AddMethod}(key, describe, create) in a host." : ".");

    /// <summary>The dependency-injection builder's method that registers a type of this role (<c>"AddDenoiser"</c>).</summary>
    private string AddMethod => "Add" + char.ToUpperInvariant(_role[0]) + _role[1..];

    /// <summary>The registry the loading in progress on this flow uses (set by <see cref="Use"/>), or <see langword="null"/>
    /// for the default one. A model family's loader delegate takes only a directory: this is how it loads with the registries
    /// of the container whose model-family registry called it (the pattern of <c>AssemblyLoadContext.EnterContextualReflection</c>).</summary>
    private protected static NetworkTypeRegistry<TNetwork>? Current => Ambient.Value;

    /// <summary>Makes <paramref name="registry"/> the <see cref="Current"/> one until the returned scope is disposed.</summary>
    internal static IDisposable Use(NetworkTypeRegistry<TNetwork> registry) => new Scope(registry);

    /// <summary>The registry's class name, for messages (<c>"DenoiserRegistry"</c>).</summary>
    private string Name => GetType().Name;

    /// <summary>Whether a type is registered for the network's class.</summary>
    /// <param name="network">The network.</param>
    /// <returns><see langword="true"/> if it can be described, saved, loaded and copied.</returns>
    public bool CanDescribe(TNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return Find(network.GetType()) is not null;
    }

    /// <summary>The network's description: <c>{TypeKey: key, …}</c>, from its registered type.</summary>
    /// <param name="network">The network.</param>
    /// <returns>A new JSON object.</returns>
    /// <exception cref="NotSupportedException">No type is registered for the network's class.</exception>
    public JsonObject Describe(TNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var (key, type) = Find(network.GetType())
            ?? throw new NotSupportedException(
                $"A {network.GetType().Name} cannot be saved or copied: its type is not registered. {UnknownKeyMessage(network.GetType().Name)}");
        var description = new JsonObject { [_typeKey] = key };
        foreach (var (name, value) in type.Describe(network))
        {
            description[name] = value?.DeepClone();
        }

        return description;
    }

    /// <summary>Builds a network from a description written by <see cref="Describe"/>.</summary>
    /// <param name="description">The description, with its type key.</param>
    /// <param name="generator">The source of the fresh weights; <see langword="null"/> for a fresh one.</param>
    /// <returns>The network, with fresh weights.</returns>
    /// <exception cref="CheckpointFormatException">The type is not registered, or the description is invalid.</exception>
    public TNetwork Create(JsonObject description, torch.Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(description);
        return Plan(new ConfigValue(description, "(in memory)", "network")).Create(generator);
    }

    /// <summary>A network of the same type and description as <paramref name="network"/>, on its device and dtype, with
    /// fresh weights (to be overwritten: an EMA copy); <see langword="null"/> when its type is not registered.</summary>
    internal TNetwork? CreateCopy(TNetwork network)
    {
        if (!CanDescribe(network))
        {
            return null;
        }

        var copy = Create(Describe(network));
        var first = _module(network).parameters().FirstOrDefault();
        if (first is not null)
        {
            _module(copy).to(first.device).to(first.dtype);
        }

        return copy;
    }

    /// <summary>Validates a description from a checkpoint and computes its tensors; a built-in type builds nothing, a
    /// registered one builds the network once (kept for the plan's first <c>Create</c>) to declare its state.</summary>
    internal NetworkPlan<TNetwork> Plan(ConfigValue description)
    {
        string key = description[_typeKey].String();
        if (!TryGet(key, out var type))
        {
            throw description[_typeKey].Fail(
                $"must name a registered network type ({string.Join(", ", Keys.Select(k => '"' + k + '"'))}; a plugin registers others with {Name}.Default.Add" +
                (_hostable ? $", a host with services.AddGenerative().{AddMethod})" : ")"));
        }

        if (type.Read is { } read)
        {
            return read(description);
        }

        TNetwork? first;
        try
        {
            first = type.Create(description.RequireObject(), null);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or NotSupportedException)
        {
            throw description.Invalid($"the registered network type '{key}' cannot build this description: {e.Message}", e);
        }

        var probe = first;
        return new NetworkPlan<TNetwork>(key, _sampleShape(probe), Declare, Build);

        TNetwork Build(torch.Generator? generator)
        {
            var built = Interlocked.Exchange(ref first, null);
            if (built is not null && generator is null)
            {
                return built;
            }

            if (built is not null)
            {
                _module(built).Dispose(); // its weights came from a fresh source; the caller asked for its own
            }

            return type.Create(description.RequireObject(), generator);
        }

        void Declare(ExpectedTensors tensors)
        {
            foreach (var (name, tensor) in _module(probe).state_dict())
            {
                tensors.Add(name, tensor.dtype, tensor.shape);
            }
        }
    }

    private (string Key, ComponentType<TNetwork> Type)? Find(Type networkType) =>
        FindKey(t => t.ImplementationType == networkType) is { } key ? (key, Get(key)) : null;

    private sealed class Scope : IDisposable
    {
        private readonly NetworkTypeRegistry<TNetwork>? _previous = Ambient.Value;

        public Scope(NetworkTypeRegistry<TNetwork> registry) => Ambient.Value = registry;

        public void Dispose() => Ambient.Value = _previous;
    }
}
