using System.Globalization;
using System.Text.Json.Nodes;
using Generative.Checkpoints;
using Generative.Gan;

namespace Generative.DenoisingGan;

/// <summary>
/// The denoising-GAN generator network types a <see cref="DenoisingGanModel"/> can be saved with and loaded from
/// (<c>"type": key</c> in <c>options.generator</c> of <c>config.json</c>), and whose EMA copy a trainer can make.
/// <see cref="Default"/> holds the built-in <c>"mlp"</c> (<see cref="MlpDenoisingGenerator"/>), registered through
/// <see cref="Registry{TEntry}.Add"/> like anyone else's:
/// <code>
/// DenoisingGeneratorRegistry.Default.Add("my-generator", new ComponentType&lt;IDenoisingGenerator&gt;(typeof(MyGenerator),
///     network => new JsonObject { ["features"] = network.SampleShape[0], ["steps"] = network.Steps },
///     (json, generator) => new MyGenerator((int)json["features"]!, (int)json["steps"]!, generator)));
/// </code>
/// </summary>
/// <remarks>Loading and thread-safety: as <see cref="NetworkTypeRegistry{TNetwork}"/>. The hosting package has no
/// builder method for this role: a plugin registers its types in <see cref="Default"/>.</remarks>
public sealed class DenoisingGeneratorRegistry : NetworkTypeRegistry<IDenoisingGenerator>
{
    /// <summary>Creates a registry.</summary>
    /// <param name="parent">A registry whose types this one also offers; <see langword="null"/> for an empty one.</param>
    public DenoisingGeneratorRegistry(DenoisingGeneratorRegistry? parent = null)
        : base(parent, "denoising generator", "type", network => network.Module, network => network.SampleShape, hostable: false)
    {
    }

    /// <summary>The process-wide registry, holding the built-in types.</summary>
    public static DenoisingGeneratorRegistry Default { get; } = CreateDefault();

    /// <summary>The registry loading uses: one made current for the load in progress, else <see cref="Default"/>.</summary>
    internal static DenoisingGeneratorRegistry Loading => Current as DenoisingGeneratorRegistry ?? Default;

    private static DenoisingGeneratorRegistry CreateDefault()
    {
        var registry = new DenoisingGeneratorRegistry();
        registry.Add(MlpDenoisingGeneratorConfigReader.Type, new ComponentType<IDenoisingGenerator>(typeof(MlpDenoisingGenerator), DescribeMlp, MlpDenoisingGeneratorConfigReader.Read));
        return registry;
    }

    private static JsonObject DescribeMlp(IDenoisingGenerator network)
    {
        var o = ((MlpDenoisingGenerator)network).Options;
        return new JsonObject
        {
            ["sampleShape"] = GanNetworkHelpers.ToJson(o.SampleShape),
            ["latentDimension"] = o.LatentDimension,
            ["hiddenWidth"] = o.HiddenWidth,
            ["hiddenLayers"] = o.HiddenLayers,
            ["steps"] = o.Steps,
            ["timeEmbeddingDimension"] = o.TimeEmbeddingDimension,
        };
    }
}

/// <summary>Reads an <see cref="MlpDenoisingGenerator"/>'s description (every field's type and range) and declares its
/// tensors from the description alone.</summary>
internal static class MlpDenoisingGeneratorConfigReader
{
    public const string Type = "mlp";

    public static NetworkPlan<IDenoisingGenerator> Read(ConfigValue o)
    {
        var options = new MlpDenoisingGeneratorOptions
        {
            SampleShape = MlpGeneratorConfigReader.ReadShape(o["sampleShape"]),
            LatentDimension = o["latentDimension"].Int(1, ConfigLimits.MaxWidth),
            HiddenWidth = o["hiddenWidth"].Int(1, ConfigLimits.MaxWidth),
            HiddenLayers = o["hiddenLayers"].Int(1, ConfigLimits.MaxDepth),
            Steps = o["steps"].Int(1, 1000),
            TimeEmbeddingDimension = o["timeEmbeddingDimension"].Int(1, ConfigLimits.MaxWidth),
        };
        return new NetworkPlan<IDenoisingGenerator>(Type, options.SampleShape, Declare, g => new MlpDenoisingGenerator(options, g));

        void Declare(ExpectedTensors t)
        {
            long elements = options.SampleShape.ElementCount;
            long input = elements + options.LatentDimension + (long)options.TimeEmbeddingDimension;
            for (int i = 0; i < options.HiddenLayers; i++)
            {
                t.Linear("body." + (2 * i).ToString(CultureInfo.InvariantCulture), i == 0 ? input : options.HiddenWidth, options.HiddenWidth);
            }

            t.Linear("body." + (2 * options.HiddenLayers).ToString(CultureInfo.InvariantCulture), options.HiddenWidth, elements);
            t.Embedding("time_embedding", options.Steps, options.TimeEmbeddingDimension);
        }
    }
}
