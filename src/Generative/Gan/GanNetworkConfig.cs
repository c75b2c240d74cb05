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

    public static IGenerator FromJson(JsonNode? options, string directory)
    {
        try
        {
            var o = options?.AsObject() ?? throw new CheckpointFormatException($"The GAN checkpoint in '{directory}' records no generator architecture.");
            return o["generator"]?.GetValue<string>() switch
            {
                "mlp" => new MlpGenerator(new MlpGeneratorOptions
                {
                    SampleShape = new TensorShape([.. o["sampleShape"]!.AsArray().Select(d => d!.GetValue<long>())]),
                    LatentDimension = o["latentDimension"]!.GetValue<int>(),
                    HiddenWidth = o["hiddenWidth"]!.GetValue<int>(),
                    HiddenLayers = o["hiddenLayers"]!.GetValue<int>(),
                    ClassCount = o["classCount"]!.GetValue<int>(),
                    ClassEmbeddingDimension = o["classEmbeddingDimension"]!.GetValue<int>(),
                }),
                "conv" => new ConvGenerator(new ConvGeneratorOptions
                {
                    ImageSize = o["imageSize"]!.GetValue<int>(),
                    Channels = o["channels"]!.GetValue<int>(),
                    LatentDimension = o["latentDimension"]!.GetValue<int>(),
                    Width = o["width"]!.GetValue<int>(),
                    ClassCount = o["classCount"]!.GetValue<int>(),
                    ClassEmbeddingDimension = o["classEmbeddingDimension"]!.GetValue<int>(),
                    TanhOutput = o["tanhOutput"]!.GetValue<bool>(),
                }),
                var other => throw new CheckpointFormatException($"The GAN checkpoint in '{directory}' names an unknown generator '{other}'."),
            };
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException or ArgumentException)
        {
            throw new CheckpointFormatException($"The GAN checkpoint in '{directory}' has an invalid generator architecture: {e.Message}", e);
        }
    }
}
