using System.Text.Json.Nodes;
using Generative.Checkpoints;

namespace Generative.Gan;

/// <summary>
/// The critic network types that can be described as JSON and rebuilt from it (<c>{"critic": key, …}</c>), with the same
/// shape as <see cref="GeneratorRegistry"/>. <see cref="Default"/> holds the built-in <c>"mlp"</c> (<see cref="MlpCritic"/>)
/// and <c>"conv"</c> (<see cref="ConvCritic"/>), registered through <see cref="Registry{TEntry}.Add"/> like anyone else's.
/// </summary>
/// <remarks>
/// <para>Where a critic's architecture matters: a GAN model is the generator alone (<see cref="GanModel.Save"/> writes no
/// critic), and a trainer checkpoint holds the critic's weights and optimiser state, but resuming loads them into the critic
/// the caller built (the trainer never rebuilds a network from a file, and no critic is ever loaded from
/// <c>config.json</c>). So no file format records a critic; this registry describes and builds critics by key, for code that
/// chooses a critic by name (a configuration, a comparison's contender) or checks one, and it keeps critics open to other
/// assemblies with the same contract as generators.</para>
/// <para>Thread-safety: as <see cref="Registry{TEntry}"/>.</para>
/// </remarks>
public sealed class CriticRegistry : NetworkTypeRegistry<IDiscriminator>
{
    /// <summary>Creates a registry.</summary>
    /// <param name="parent">A registry whose types this one also offers; <see langword="null"/> for an empty one.</param>
    public CriticRegistry(CriticRegistry? parent = null)
        : base(parent, "critic", "critic", network => network.Module, network => network.SampleShape)
    {
    }

    /// <summary>The process-wide registry, holding the built-in critic types.</summary>
    public static CriticRegistry Default { get; } = CreateDefault();

    /// <summary>The registry loading uses: a container's, while its model-family registry loads, else <see cref="Default"/>.</summary>
    internal static CriticRegistry Loading => Current as CriticRegistry ?? Default;

    private static CriticRegistry CreateDefault()
    {
        var registry = new CriticRegistry();
        registry.Add("mlp", new ComponentType<IDiscriminator>(typeof(MlpCritic), DescribeMlp, CreateMlp));
        registry.Add("conv", new ComponentType<IDiscriminator>(typeof(ConvCritic), DescribeConv, CreateConv));
        return registry;
    }

    private static JsonObject DescribeMlp(IDiscriminator network)
    {
        var o = ((MlpCritic)network).Options;
        var description = WithShared(
            new JsonObject { ["sampleShape"] = GanNetworkHelpers.ToJson(o.SampleShape), ["hiddenWidth"] = o.HiddenWidth, ["hiddenLayers"] = o.HiddenLayers },
            new Shared(o.LeakyReluSlope, o.ClassCount, o.SpectralNormalization, o.PowerIterations));

        // Written only when set, so that the descriptions of critics without them stay as they were.
        if (o.MaxoutPieces != 1)
        {
            description["maxoutPieces"] = o.MaxoutPieces;
        }

        if (o.DropoutRate != 0)
        {
            description["dropoutRate"] = o.DropoutRate;
        }

        if (o.WeightInitStandardDeviation is double sigma)
        {
            description["weightInitStandardDeviation"] = sigma;
        }

        return description;
    }

    private static JsonObject DescribeConv(IDiscriminator network)
    {
        var o = ((ConvCritic)network).Options;
        return WithShared(
            new JsonObject { ["imageSize"] = o.ImageSize, ["channels"] = o.Channels, ["width"] = o.Width },
            new Shared(o.LeakyReluSlope, o.ClassCount, o.SpectralNormalization, o.PowerIterations));
    }

    // Every value's type and range is checked (a description may come from anywhere); the options' own rules are checked by the constructor.
    private static MlpCritic CreateMlp(JsonObject json, TorchSharp.torch.Generator? generator)
    {
        var o = new ConfigValue(json, "(description)", string.Empty);
        var shared = ReadShared(o);
        return new MlpCritic(
            new MlpCriticOptions
            {
                SampleShape = MlpGeneratorConfigReader.ReadShape(o["sampleShape"]),
                HiddenWidth = o["hiddenWidth"].Int(1, ConfigLimits.MaxWidth),
                HiddenLayers = o["hiddenLayers"].Int(1, ConfigLimits.MaxDepth),
                LeakyReluSlope = shared.LeakyReluSlope, ClassCount = shared.ClassCount,
                SpectralNormalization = shared.SpectralNormalization, PowerIterations = shared.PowerIterations,
                MaxoutPieces = o["maxoutPieces"].Int(1, MlpCriticOptions.MaxMaxoutPieces, fallback: 1),
                DropoutRate = o["dropoutRate"].Exists ? o["dropoutRate"].Double(0, 0.999999) : 0,
                WeightInitStandardDeviation = MlpGeneratorConfigReader.ReadStandardDeviation(o["weightInitStandardDeviation"]),
            },
            generator);
    }

    private static ConvCritic CreateConv(JsonObject json, TorchSharp.torch.Generator? generator)
    {
        var o = new ConfigValue(json, "(description)", string.Empty);
        var shared = ReadShared(o);
        return new ConvCritic(
            new ConvCriticOptions
            {
                ImageSize = o["imageSize"].Int(8, 64),
                Channels = o["channels"].Int(1, ConfigLimits.MaxWidth),
                Width = o["width"].Int(1, ConfigLimits.MaxWidth),
                LeakyReluSlope = shared.LeakyReluSlope, ClassCount = shared.ClassCount,
                SpectralNormalization = shared.SpectralNormalization, PowerIterations = shared.PowerIterations,
            },
            generator);
    }

    private static JsonObject WithShared(JsonObject description, Shared shared)
    {
        description["leakyReluSlope"] = shared.LeakyReluSlope;
        description["classCount"] = shared.ClassCount;
        description["spectralNormalization"] = shared.SpectralNormalization;
        description["powerIterations"] = shared.PowerIterations;
        return description;
    }

    private static Shared ReadShared(ConfigValue o) => new(
        o["leakyReluSlope"].Double(0, 1),
        o["classCount"].Int(0, ConfigLimits.MaxClasses),
        o["spectralNormalization"].Bool(),
        o["powerIterations"].Int(1, ConfigLimits.MaxDepth));

    /// <summary>The settings both built-in critics have.</summary>
    private readonly record struct Shared(double LeakyReluSlope, int ClassCount, bool SpectralNormalization, int PowerIterations);
}
