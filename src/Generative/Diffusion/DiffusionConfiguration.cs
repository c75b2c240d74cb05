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

    public static IDenoiser CreateNetwork(JsonNode? network)
    {
        string? type = network?["type"]?.GetValue<string>();
        var options = network?["options"];
        return type switch
        {
            "mlp" => new MlpDenoiser(network!["features"]!.GetValue<int>(), Read<MlpDenoiserOptions>(options)),
            "unet" => new UNetDenoiser(
                network!["channels"]!.GetValue<int>(), network["height"]!.GetValue<int>(), network["width"]!.GetValue<int>(), Read<UNetDenoiserOptions>(options)),
            _ => throw new CheckpointFormatException($"The checkpoint's network type '{type}' is not one this library can rebuild (\"mlp\" or \"unet\")."),
        };
    }

    public static JsonNode? ToNode<T>(T value) => JsonSerializer.SerializeToNode(value, Json);

    public static T Read<T>(JsonNode? node)
        where T : class
    {
        try
        {
            return node?.Deserialize<T>(Json) ?? throw new CheckpointFormatException($"The checkpoint's options lack the {typeof(T).Name}.");
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException($"The checkpoint's {typeof(T).Name} are invalid: {e.Message}");
        }
    }

    public static bool IsSupported(IDenoiser denoiser) => denoiser is MlpDenoiser or UNetDenoiser;
}
