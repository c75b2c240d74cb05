using System.Text.Json.Nodes;
using Generative.Checkpoints;

namespace Generative.Gan;

/// <summary>
/// The generator network types a GAN can be saved with and loaded from (<c>"generator": key</c> beside the generator's
/// description under <c>"options"</c> in <c>config.json</c>), and whose EMA copy the GAN trainer can make.
/// <see cref="Default"/> holds the built-in <c>"mlp"</c> (<see cref="MlpGenerator"/>) and <c>"conv"</c>
/// (<see cref="ConvGenerator"/>), registered through <see cref="Registry{TEntry}.Add"/> like anyone else's:
/// <code>
/// GeneratorRegistry.Default.Add("my-generator", new ComponentType&lt;IGenerator&gt;(typeof(MyGenerator),
///     network => new JsonObject { ["features"] = network.SampleShape[0] },
///     (json, generator) => new MyGenerator((int)json["features"]!, generator)));
/// </code>
/// </summary>
/// <remarks>A description's keys sit beside the model's own (<c>"featureNames"</c>) in <c>"options"</c>: do not use that
/// key. Loading and thread-safety: as <see cref="NetworkTypeRegistry{TNetwork}"/>.</remarks>
public sealed class GeneratorRegistry : NetworkTypeRegistry<IGenerator>
{
    /// <summary>Creates a registry.</summary>
    /// <param name="parent">A registry whose types this one also offers; <see langword="null"/> for an empty one.</param>
    public GeneratorRegistry(GeneratorRegistry? parent = null)
        : base(parent, "generator", "generator", network => network.Module, network => network.SampleShape)
    {
    }

    /// <summary>The process-wide registry, holding the built-in generator types.</summary>
    public static GeneratorRegistry Default { get; } = CreateDefault();

    /// <summary>The registry loading uses: a container's, while its model-family registry loads, else <see cref="Default"/>.</summary>
    internal static GeneratorRegistry Loading => Current as GeneratorRegistry ?? Default;

    private static GeneratorRegistry CreateDefault()
    {
        var registry = new GeneratorRegistry();
        registry.Add(MlpGeneratorConfigReader.Type, new ComponentType<IGenerator>(typeof(MlpGenerator), DescribeMlp, MlpGeneratorConfigReader.Read));
        registry.Add(ConvGeneratorConfigReader.Type, new ComponentType<IGenerator>(typeof(ConvGenerator), DescribeConv, ConvGeneratorConfigReader.Read));
        return registry;
    }

    private static JsonObject DescribeMlp(IGenerator network)
    {
        var o = ((MlpGenerator)network).Options;
        var description = new JsonObject
        {
            ["sampleShape"] = GanNetworkHelpers.ToJson(o.SampleShape),
            ["latentDimension"] = o.LatentDimension,
            ["hiddenWidth"] = o.HiddenWidth,
            ["hiddenLayers"] = o.HiddenLayers,
            ["classCount"] = o.ClassCount,
            ["classEmbeddingDimension"] = o.ClassEmbeddingDimension,
        };

        // Written only when set, so that the descriptions (and config.json files) of generators without them stay as they were.
        if (o.BatchNormalization)
        {
            description["batchNormalization"] = true;
            if (o.BatchNormEpsilon != MlpGeneratorOptions.DefaultBatchNormEpsilon)
            {
                description["batchNormEpsilon"] = o.BatchNormEpsilon;
            }
        }

        if (o.Residual)
        {
            description["residual"] = true;
        }

        if (o.WeightInitStandardDeviation is double sigma)
        {
            description["weightInitStandardDeviation"] = sigma;
        }

        return description;
    }

    private static JsonObject DescribeConv(IGenerator network)
    {
        var o = ((ConvGenerator)network).Options;
        return new JsonObject
        {
            ["imageSize"] = o.ImageSize,
            ["channels"] = o.Channels,
            ["latentDimension"] = o.LatentDimension,
            ["width"] = o.Width,
            ["classCount"] = o.ClassCount,
            ["classEmbeddingDimension"] = o.ClassEmbeddingDimension,
            ["tanhOutput"] = o.TanhOutput,
        };
    }
}
