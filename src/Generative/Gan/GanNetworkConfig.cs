using System.Text.Json.Nodes;
using Generative.Checkpoints;

namespace Generative.Gan;

/// <summary>Writes the architecture of the built-in generators to JSON and rebuilds them from it (for checkpoints).</summary>
internal static class GanNetworkConfig
{
    public static JsonObject ToJson(IGenerator generator) => generator switch
    {
        MlpGenerator { Options: var o } => new JsonObject
        {
            ["generator"] = "mlp",
            ["sampleShape"] = new JsonArray([.. o.SampleShape.Dimensions.Select(d => (JsonNode)JsonValue.Create(d))]),
            ["latentDimension"] = o.LatentDimension,
            ["hiddenWidth"] = o.HiddenWidth,
            ["hiddenLayers"] = o.HiddenLayers,
            ["classCount"] = o.ClassCount,
            ["classEmbeddingDimension"] = o.ClassEmbeddingDimension,
        },
        ConvGenerator { Options: var o } => new JsonObject
        {
            ["generator"] = "conv",
            ["imageSize"] = o.ImageSize,
            ["channels"] = o.Channels,
            ["latentDimension"] = o.LatentDimension,
            ["width"] = o.Width,
            ["classCount"] = o.ClassCount,
            ["classEmbeddingDimension"] = o.ClassEmbeddingDimension,
            ["tanhOutput"] = o.TanhOutput,
        },
        _ => throw new NotSupportedException(
            $"Only MlpGenerator and ConvGenerator can be saved with their architecture; {generator.GetType().Name} cannot."),
    };

    /// <summary>The config reader of each generator type, by its <c>"generator"</c> key. Each reader checks its own fields.</summary>
    private static readonly Dictionary<string, Func<ConfigValue, NetworkPlan<IGenerator>>> Readers = new(StringComparer.Ordinal)
    {
        [MlpGeneratorConfigReader.Type] = MlpGeneratorConfigReader.Read,
        [ConvGeneratorConfigReader.Type] = ConvGeneratorConfigReader.Read,
    };

    /// <summary>Validates a generator description from a checkpoint and computes its tensors, without building it.</summary>
    public static NetworkPlan<IGenerator> Read(ConfigValue options)
    {
        string type = options["generator"].String();
        return Readers.TryGetValue(type, out var read)
            ? read(options)
            : throw options["generator"].Fail($"must name a generator type this library can rebuild ({string.Join(", ", Readers.Keys.Select(k => '"' + k + '"'))})");
    }
}
