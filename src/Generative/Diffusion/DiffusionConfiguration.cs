using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Generative.Checkpoints;
using TorchSharp;

namespace Generative.Diffusion;

/// <summary>The JSON under <c>"options"</c> in a diffusion checkpoint's config.json: the network's type and options, the
/// schedule's options, and the model's (or the training step's) options.</summary>
internal static class DiffusionConfiguration
{
    public const string Family = "diffusion";

    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>The network's description in config.json: <c>{"type": key, …}</c>, from its registered <see cref="DenoiserType"/>.</summary>
    public static JsonObject Describe(IDenoiser denoiser)
    {
        var (key, type) = DenoiserRegistry.Default.Find(denoiser.GetType())
            ?? throw new NotSupportedException(
                $"A {denoiser.GetType().Name} cannot be saved or copied: its type is not registered. {DenoiserRegistry.Default.UnknownKeyMessage(denoiser.GetType().Name)}");
        var network = new JsonObject { ["type"] = key };
        foreach (var (name, value) in type.Describe(denoiser))
        {
            network[name] = value?.DeepClone();
        }

        return network;
    }

    /// <summary>The config reader of each network type, by its <c>"type"</c> key. Each reader checks its own fields.</summary>
    private static readonly Dictionary<string, Func<ConfigValue, NetworkPlan<IDenoiser>>> NetworkReaders = new(StringComparer.Ordinal)
    {
        [MlpDenoiserConfigReader.Type] = MlpDenoiserConfigReader.Read,
        [UNetDenoiserConfigReader.Type] = UNetDenoiserConfigReader.Read,
    };

    /// <summary>Rebuilds a network from a description written by <see cref="Describe"/> (trusted, in memory).</summary>
    public static IDenoiser CreateNetwork(JsonNode? network) => ReadNetwork(new ConfigValue(network, "(in memory)", "network")).Create();

    /// <summary>Validates a network description from a checkpoint and computes its tensors, without building it.</summary>
    public static NetworkPlan<IDenoiser> ReadNetwork(ConfigValue network)
    {
        string type = network["type"].String();
        if (NetworkReaders.TryGetValue(type, out var read))
        {
            return read(network);
        }

        if (!DenoiserRegistry.Default.TryGet(type, out var registered))
        {
            throw network["type"].Fail(
                $"must name a registered network type ({string.Join(", ", DenoiserRegistry.Default.Keys.Select(k => '"' + k + '"'))}; " +
                "a plugin registers others with DenoiserRegistry.Default.Add)");
        }

        // A registered type: its own code validates the description and builds the network; the network's state is then
        // declared, so that it is compared with the weights file's header (and counted) before any weight is copied.
        IDenoiser? first;
        try
        {
            first = registered.Create(network.RequireObject());
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or NotSupportedException)
        {
            throw network.Invalid($"the registered denoiser type '{type}' cannot build this description: {e.Message}", e);
        }

        var probe = first;
        return new NetworkPlan<IDenoiser>(type, probe.SampleShape, Declare, () => Interlocked.Exchange(ref first, null) ?? registered.Create(network.RequireObject()));

        void Declare(ExpectedTensors tensors)
        {
            foreach (var (name, tensor) in probe.Module.state_dict())
            {
                tensors.Add(name, tensor.dtype, tensor.shape);
            }
        }
    }

    /// <summary>Reads and validates options written by <see cref="ToNode{T}"/> from a checkpoint.</summary>
    public static T ReadOptions<T>(ConfigValue value, Action<T> validate)
        where T : class
    {
        value.RequireObject();
        try
        {
            var options = value.Node!.Deserialize<T>(Json) ?? throw value.Fail($"must describe the {typeof(T).Name}");
            validate(options);
            return options;
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or NotSupportedException or FormatException or OverflowException)
        {
            throw value.Invalid($"these are not valid {typeof(T).Name}: {e.Message}", e);
        }
    }

    public static JsonNode? ToNode<T>(T value) => JsonSerializer.SerializeToNode(value, Json);

    public static bool IsSupported(IDenoiser denoiser) => DenoiserRegistry.Default.Find(denoiser.GetType()) is not null;
}
