using System.Globalization;
using Generative.Checkpoints;

namespace Generative.Gan;

/// <summary>
/// Reads an <see cref="MlpGenerator"/>'s description in a GAN checkpoint's config (<c>{"generator": "mlp", "sampleShape",
/// "latentDimension", "hiddenWidth", "hiddenLayers", "classCount", "classEmbeddingDimension"}</c>, and when set
/// <c>"batchNormalization"</c>, <c>"batchNormEpsilon"</c>, <c>"residual"</c>, <c>"weightInitStandardDeviation"</c>): every
/// field's type and range, and the tensors the generator has, computed from the description alone.
/// </summary>
internal static class MlpGeneratorConfigReader
{
    public const string Type = "mlp";

    private const int MaxSampleDimensions = 8;

    /// <summary>A sample shape written by <see cref="GanNetworkHelpers.ToJson"/>: 1 to 8 dimensions, at most
    /// <see cref="ConfigLimits.MaxFeatures"/> values in all.</summary>
    public static TensorShape ReadShape(ConfigValue shapeValue)
    {
        var array = shapeValue.RequireArray();
        if (array.Count is 0 or > MaxSampleDimensions)
        {
            throw shapeValue.Fail($"must hold 1 to {MaxSampleDimensions} dimensions");
        }

        var dimensions = new long[array.Count];
        long elements = 1;
        for (int i = 0; i < dimensions.Length; i++)
        {
            dimensions[i] = shapeValue.At(i).Long(1, ConfigLimits.MaxFeatures);
            elements *= dimensions[i]; // at most 8 factors of 2^24 could overflow: checked right away
            if (elements > ConfigLimits.MaxFeatures)
            {
                throw shapeValue.Fail(string.Create(CultureInfo.InvariantCulture, $"must describe at most {ConfigLimits.MaxFeatures} values per sample"));
            }
        }

        return new TensorShape(dimensions);
    }

    /// <summary>An optional initial-weight σ (absent: <see langword="null"/>): positive, at most 10.</summary>
    public static double? ReadStandardDeviation(ConfigValue value) => ReadOptionalPositive(value, 10);

    /// <summary>An optional batch-norm ε (absent: PyTorch's 1e-5): positive, at most 1.</summary>
    public static double ReadBatchNormEpsilon(ConfigValue value) => ReadOptionalPositive(value, 1) ?? MlpGeneratorOptions.DefaultBatchNormEpsilon;

    /// <summary>An optional number in (0, <paramref name="max"/>], or <see langword="null"/> when absent.</summary>
    private static double? ReadOptionalPositive(ConfigValue value, double max)
    {
        if (!value.Exists)
        {
            return null;
        }

        double number = value.Double(0, max);
        return number > 0 ? number : throw value.Fail("must be positive");
    }

    public static NetworkPlan<IGenerator> Read(ConfigValue o)
    {
        var shape = ReadShape(o["sampleShape"]);
        long elements = shape.ElementCount;
        var options = new MlpGeneratorOptions
        {
            SampleShape = shape,
            LatentDimension = o["latentDimension"].Int(1, ConfigLimits.MaxWidth),
            HiddenWidth = o["hiddenWidth"].Int(1, ConfigLimits.MaxWidth),
            HiddenLayers = o["hiddenLayers"].Int(1, ConfigLimits.MaxDepth),
            ClassCount = o["classCount"].Int(0, ConfigLimits.MaxClasses),
            ClassEmbeddingDimension = o["classEmbeddingDimension"].Int(1, ConfigLimits.MaxWidth),
            BatchNormalization = o["batchNormalization"].Bool(fallback: false),
            BatchNormEpsilon = ReadBatchNormEpsilon(o["batchNormEpsilon"]),
            Residual = o["residual"].Bool(fallback: false),
            WeightInitStandardDeviation = ReadStandardDeviation(o["weightInitStandardDeviation"]),
        };
        return new NetworkPlan<IGenerator>(Type, options.SampleShape, Declare, g => new MlpGenerator(options, g));

        void Declare(ExpectedTensors t)
        {
            long input = options.LatentDimension + (options.ClassCount > 0 ? (long)options.ClassEmbeddingDimension : 0);
            bool norm = options.BatchNormalization;
            int perLayer = norm ? 3 : 2; // Linear, [BatchNorm1d,] ReLU
            for (int i = 0; i < options.HiddenLayers; i++)
            {
                t.Linear("body." + (perLayer * i).ToString(CultureInfo.InvariantCulture), MlpGenerator.InputWidth(options, input, i), options.HiddenWidth, bias: !norm);
                if (norm)
                {
                    t.BatchNorm("body." + ((perLayer * i) + 1).ToString(CultureInfo.InvariantCulture), options.HiddenWidth);
                }
            }

            t.Linear("body." + (perLayer * options.HiddenLayers).ToString(CultureInfo.InvariantCulture), MlpGenerator.InputWidth(options, input, options.HiddenLayers), elements);
            if (options.ClassCount > 0)
            {
                t.Embedding("class_embedding", options.ClassCount, options.ClassEmbeddingDimension);
            }
        }
    }
}

/// <summary>
/// Reads a <see cref="ConvGenerator"/>'s description in a GAN checkpoint's config (<c>{"generator": "conv", "imageSize",
/// "channels", "latentDimension", "width", "classCount", "classEmbeddingDimension", "tanhOutput"}</c>): every field's type
/// and range, and the tensors the generator has, computed from the description alone (mirroring the constructor).
/// </summary>
internal static class ConvGeneratorConfigReader
{
    public const string Type = "conv";

    public static NetworkPlan<IGenerator> Read(ConfigValue o)
    {
        int imageSize = o["imageSize"].Int(8, 64);
        if (imageSize is not (8 or 16 or 32 or 64))
        {
            throw o["imageSize"].Fail("must be 8, 16, 32 or 64");
        }

        var options = new ConvGeneratorOptions
        {
            ImageSize = imageSize,
            Channels = o["channels"].Int(1, ConfigLimits.MaxWidth),
            LatentDimension = o["latentDimension"].Int(1, ConfigLimits.MaxWidth),
            Width = o["width"].Int(1, ConfigLimits.MaxWidth),
            ClassCount = o["classCount"].Int(0, ConfigLimits.MaxClasses),
            ClassEmbeddingDimension = o["classEmbeddingDimension"].Int(1, ConfigLimits.MaxWidth),
            TanhOutput = o["tanhOutput"].Bool(),
        };
        return new NetworkPlan<IGenerator>(Type, options.SampleShape, Declare, g => new ConvGenerator(options, g));

        void Declare(ExpectedTensors t)
        {
            int n = options.UpsamplingBlocks;
            long channels = (long)options.Width << n;
            long input = options.LatentDimension + (options.ClassCount > 0 ? (long)options.ClassEmbeddingDimension : 0);
            t.Linear("project", input, channels * 16);
            t.BatchNorm("blocks.0", channels);
            for (int i = 0, k = 2; i < n; i++, k += 3)
            {
                t.ConvTranspose2d("blocks." + k.ToString(CultureInfo.InvariantCulture), channels, channels / 2, 4, bias: false);
                t.BatchNorm("blocks." + (k + 1).ToString(CultureInfo.InvariantCulture), channels / 2);
                channels /= 2;
            }

            t.Conv2d("to_image", channels, options.Channels, 3);
            if (options.ClassCount > 0)
            {
                t.Embedding("class_embedding", options.ClassCount, options.ClassEmbeddingDimension);
            }
        }
    }
}
