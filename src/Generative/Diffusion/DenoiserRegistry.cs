using System.Text.Json.Nodes;
using Generative.Checkpoints;

namespace Generative.Diffusion;

/// <summary>How one denoiser network type is described in a checkpoint's <c>config.json</c> and rebuilt from it.</summary>
public sealed class DenoiserType
{
    /// <summary>Creates the format.</summary>
    /// <param name="networkType">The network's class; <see cref="DenoiserRegistry"/> finds the format of a network by it.</param>
    /// <param name="describe">Writes what rebuilding the network needs (its shape and options) as a JSON object; the
    /// registry adds the <c>"type"</c> key.</param>
    /// <param name="create">Builds a network, with fresh weights, from what <paramref name="describe"/> wrote. It reads
    /// files from anywhere: validate every value and refuse sizes that would allocate more than is reasonable
    /// (throw an <see cref="ArgumentException"/>; it is reported as a <c>CheckpointFormatException</c>).</param>
    public DenoiserType(Type networkType, Func<IDenoiser, JsonObject> describe, Func<JsonObject, IDenoiser> create)
    {
        ArgumentNullException.ThrowIfNull(networkType);
        ArgumentNullException.ThrowIfNull(describe);
        ArgumentNullException.ThrowIfNull(create);
        if (!typeof(IDenoiser).IsAssignableFrom(networkType))
        {
            throw new ArgumentException($"{networkType.Name} does not implement {nameof(IDenoiser)}.", nameof(networkType));
        }

        NetworkType = networkType;
        Describe = describe;
        Create = create;
    }

    /// <summary>The network's class.</summary>
    public Type NetworkType { get; }

    /// <summary>Writes the network's description (without the <c>"type"</c> key).</summary>
    public Func<IDenoiser, JsonObject> Describe { get; }

    /// <summary>Builds a network with fresh weights from a description.</summary>
    public Func<JsonObject, IDenoiser> Create { get; }
}

/// <summary>
/// The denoiser network types a diffusion model can be saved with and loaded from (<c>"network": {"type": …}</c> in
/// <c>config.json</c>), and whose EMA copy the trainer can make. <see cref="Default"/> holds the built-in <c>"mlp"</c>
/// (<see cref="MlpDenoiser"/>) and <c>"unet"</c> (<see cref="UNetDenoiser"/>), registered through
/// <see cref="Registry{TEntry}.Add"/> like anyone else's:
/// <code>
/// DenoiserRegistry.Default.Add("residual-mlp", new DenoiserType(typeof(MyDenoiser),
///     network => new JsonObject { ["features"] = network.SampleShape[0] },
///     json => new MyDenoiser((int)json["features"]!)));
/// </code>
/// </summary>
/// <remarks>Loading: the built-in types' descriptions are checked field by field and their tensors counted before anything
/// is built; a registered type's <see cref="DenoiserType.Create"/> builds the network first (it must validate its own
/// description), and its state is then compared with the weights file's header before any weight is copied.
/// Thread-safety: as <see cref="Registry{TEntry}"/>.</remarks>
public sealed class DenoiserRegistry : Registry<DenoiserType>
{
    /// <summary>Creates a registry.</summary>
    /// <param name="parent">A registry whose types this one also offers; <see langword="null"/> for an empty one.</param>
    public DenoiserRegistry(DenoiserRegistry? parent = null)
        : base(parent)
    {
    }

    /// <summary>The process-wide registry, holding the built-in network types.</summary>
    public static DenoiserRegistry Default { get; } = CreateDefault();

    /// <inheritdoc />
    protected override string Kind => "denoiser network type";

    /// <inheritdoc />
    protected override string HowToRegister =>
        "Register one with DenoiserRegistry.Default.Add(key, new DenoiserType(typeof(MyDenoiser), describe, create)), for instance from a plugin's IGenerativePlugin.Register.";

    /// <summary>The network's description for <c>config.json</c>: <c>{"type": key, …}</c>, from its registered type.</summary>
    /// <param name="network">The network.</param>
    /// <returns>A new JSON object.</returns>
    /// <exception cref="NotSupportedException">No type is registered for the network's class.</exception>
    public JsonObject Describe(IDenoiser network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var (key, type) = Find(network.GetType())
            ?? throw new NotSupportedException($"A {network.GetType().Name} cannot be described: its type is not registered. {UnknownKeyMessage(network.GetType().Name)}");
        var description = new JsonObject { ["type"] = key };
        foreach (var (name, value) in type.Describe(network))
        {
            description[name] = value?.DeepClone();
        }

        return description;
    }

    /// <summary>Builds a network, with fresh weights, from a description written by <see cref="Describe"/>; a built-in type's
    /// description is checked field by field.</summary>
    /// <param name="description">The description, with its <c>"type"</c>.</param>
    /// <returns>The network.</returns>
    /// <exception cref="CheckpointFormatException">The type is not registered here, or the description is invalid.</exception>
    public IDenoiser Create(JsonObject description)
    {
        ArgumentNullException.ThrowIfNull(description);
        var value = new ConfigValue(description, "(in memory)", "network");
        string key = value["type"].String();
        if (!TryGet(key, out var type))
        {
            throw value["type"].Fail($"must name a registered network type ({string.Join(", ", Keys.Select(k => '"' + k + '"'))})");
        }

        return type.Create((JsonObject)description.DeepClone());
    }

    /// <summary>The key and format registered for a network's class, if any.</summary>
    internal (string Key, DenoiserType Type)? Find(Type networkType) =>
        FindKey(t => t.NetworkType == networkType) is { } key ? (key, Get(key)) : null;

    private static DenoiserRegistry CreateDefault()
    {
        var registry = new DenoiserRegistry();
        registry.Add(MlpDenoiserConfigReader.Type, new DenoiserType(
            typeof(MlpDenoiser),
            network => new JsonObject
            {
                ["features"] = (int)network.SampleShape[0],
                ["options"] = DiffusionConfiguration.ToNode(((MlpDenoiser)network).Options),
            },
            json => DiffusionConfiguration.CreateNetwork(BuiltIn(MlpDenoiserConfigReader.Type, json))));
        registry.Add(UNetDenoiserConfigReader.Type, new DenoiserType(
            typeof(UNetDenoiser),
            network => new JsonObject
            {
                ["channels"] = (int)network.SampleShape[0],
                ["height"] = (int)network.SampleShape[1],
                ["width"] = (int)network.SampleShape[2],
                ["options"] = DiffusionConfiguration.ToNode(((UNetDenoiser)network).Options),
            },
            json => DiffusionConfiguration.CreateNetwork(BuiltIn(UNetDenoiserConfigReader.Type, json))));
        return registry;
    }

    private static JsonObject BuiltIn(string type, JsonObject description)
    {
        var network = new JsonObject { ["type"] = type };
        foreach (var (name, value) in description)
        {
            network[name] = value?.DeepClone();
        }

        return network;
    }
}
