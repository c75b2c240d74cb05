using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Generative.Checkpoints;

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

    public static JsonObject Describe(IDenoiser denoiser)
    {
        return denoiser switch
        {
            MlpDenoiser mlp => new JsonObject
            {
                ["type"] = "mlp",
                ["features"] = (int)mlp.SampleShape[0],
                ["options"] = JsonSerializer.SerializeToNode(mlp.Options, Json),
            },
            UNetDenoiser unet => new JsonObject
            {
                ["type"] = "unet",
                ["channels"] = (int)unet.SampleShape[0],
                ["height"] = (int)unet.SampleShape[1],
                ["width"] = (int)unet.SampleShape[2],
                ["options"] = JsonSerializer.SerializeToNode(unet.Options, Json),
            },
            _ => throw new NotSupportedException(
                $"Only {nameof(MlpDenoiser)} and {nameof(UNetDenoiser)} can be saved and rebuilt from a checkpoint, not {denoiser.GetType().Name}."),
        };
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
        return NetworkReaders.TryGetValue(type, out var read)
            ? read(network)
            : throw network["type"].Fail($"must name a network type this library can rebuild ({string.Join(", ", NetworkReaders.Keys.Select(k => '"' + k + '"'))})");
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

    public static bool IsSupported(IDenoiser denoiser) => denoiser is MlpDenoiser or UNetDenoiser;
}
