using System.Globalization;
using Generative.Checkpoints;

namespace Generative.Diffusion;

/// <summary>
/// Reads an <see cref="MlpDenoiser"/>'s description in a checkpoint's config (<c>{"type": "mlp", "features", "options"}</c>):
/// every field's type and range, and the tensors the network has, computed from the description alone.
/// </summary>
internal static class MlpDenoiserConfigReader
{
    public const string Type = "mlp";

    public static NetworkPlan<IDenoiser> Read(ConfigValue network)
    {
        int features = network["features"].Int(1, ConfigLimits.MaxFeatures);
        var o = network["options"];
        o.RequireObject();
        var defaults = new MlpDenoiserOptions();
        var options = new MlpDenoiserOptions
        {
            Width = o["width"].Int(1, ConfigLimits.MaxWidth, defaults.Width),
            Depth = o["depth"].Int(1, ConfigLimits.MaxDepth, defaults.Depth),
            TimeEmbeddingDimension = o["time_embedding_dimension"].Int(2, ConfigLimits.MaxWidth, defaults.TimeEmbeddingDimension),
            ClassCount = o["class_count"].Int(0, ConfigLimits.MaxClasses, defaults.ClassCount),
            LearnVariance = o["learn_variance"].Bool(defaults.LearnVariance),
        };
        if (options.TimeEmbeddingDimension % 2 != 0)
        {
            throw o["time_embedding_dimension"].Fail("must be even");
        }

        long w = options.Width;
        long outputs = options.LearnVariance ? 2L * features : features;
        return new NetworkPlan<IDenoiser>(Type, new TensorShape(features), Declare, g => new MlpDenoiser(features, options, g));

        void Declare(ExpectedTensors t)
        {
            t.Linear("input", features, w);
            t.Linear("time_mlp.0", options.TimeEmbeddingDimension, w);
            t.Linear("time_mlp.2", w, w);
            if (options.ClassCount > 0)
            {
                t.Embedding("class_embedding", options.ClassCount + 1L, w);
            }

            for (int i = 0; i < options.Depth; i++)
            {
                string block = "blocks." + i.ToString(CultureInfo.InvariantCulture);
                t.Norm(block + ".norm", w);
                t.Linear(block + ".fc1", w, w);
                t.Linear(block + ".emb_proj", w, w);
                t.Linear(block + ".fc2", w, w);
            }

            t.Norm("output_norm", w);
            t.Linear("output", w, outputs);
        }
    }
}

/// <summary>
/// Reads a <see cref="UNetDenoiser"/>'s description in a checkpoint's config
/// (<c>{"type": "unet", "channels", "height", "width", "options"}</c>): every field's type and range, and the tensors
/// the network has, computed from the description alone (mirroring the constructor).
/// </summary>
internal static class UNetDenoiserConfigReader
{
    public const string Type = "unet";

    private const int MaxLevels = 8;
    private const int MaxMultiplier = 1024;
    private const int MaxBlocksPerLevel = 64;

    public static NetworkPlan<IDenoiser> Read(ConfigValue network)
    {
        int channels = network["channels"].Int(1, ConfigLimits.MaxWidth);
        int height = network["height"].Int(1, ConfigLimits.MaxFeatures);
        int width = network["width"].Int(1, ConfigLimits.MaxFeatures);
        var o = network["options"];
        o.RequireObject();
        var defaults = new UNetDenoiserOptions();
        var options = new UNetDenoiserOptions
        {
            BaseChannels = o["base_channels"].Int(1, ConfigLimits.MaxWidth, defaults.BaseChannels),
            ChannelMultipliers = o["channel_multipliers"].Exists ? o["channel_multipliers"].Ints(1, MaxMultiplier, MaxLevels) : defaults.ChannelMultipliers,
            ResidualBlocksPerLevel = o["residual_blocks_per_level"].Int(1, MaxBlocksPerLevel, defaults.ResidualBlocksPerLevel),
            AttentionAtLowestResolution = o["attention_at_lowest_resolution"].Bool(defaults.AttentionAtLowestResolution),
            GroupCount = o["group_count"].Int(1, ConfigLimits.MaxWidth, defaults.GroupCount),
            ClassCount = o["class_count"].Int(0, ConfigLimits.MaxClasses, defaults.ClassCount),
            LearnVariance = o["learn_variance"].Bool(defaults.LearnVariance),
        };
        if (options.BaseChannels % options.GroupCount != 0)
        {
            throw o["base_channels"].Fail(string.Create(CultureInfo.InvariantCulture, $"must be a multiple of group_count ({options.GroupCount})"));
        }

        int levels = options.ChannelMultipliers.Count;
        int factor = 1 << (levels - 1);
        if (height % factor != 0)
        {
            throw network["height"].Fail(string.Create(CultureInfo.InvariantCulture, $"must be a multiple of {factor} (2^(levels - 1))"));
        }

        if (width % factor != 0)
        {
            throw network["width"].Fail(string.Create(CultureInfo.InvariantCulture, $"must be a multiple of {factor} (2^(levels - 1))"));
        }

        return new NetworkPlan<IDenoiser>(Type, new TensorShape(channels, height, width), Declare, g => new UNetDenoiser(channels, height, width, options, g));

        void Declare(ExpectedTensors t)
        {
            long baseCh = options.BaseChannels;
            long embDim = 4 * baseCh;
            long timeDim = baseCh % 2 == 0 ? baseCh : baseCh + 1;
            t.Linear("time_mlp.0", timeDim, embDim);
            t.Linear("time_mlp.2", embDim, embDim);
            if (options.ClassCount > 0)
            {
                t.Embedding("class_embedding", options.ClassCount + 1L, embDim);
            }

            t.Conv2d("conv_in", channels, baseCh, 3);
            var skips = new Stack<long>();
            skips.Push(baseCh);
            long ch = baseCh;
            int block = 0;
            for (int level = 0; level < levels; level++)
            {
                long outCh = baseCh * options.ChannelMultipliers[level];
                for (int r = 0; r < options.ResidualBlocksPerLevel; r++)
                {
                    ResidualBlock(t, Name("down_blocks", block++), ch, outCh, embDim);
                    ch = outCh;
                    skips.Push(ch);
                }

                if (level < levels - 1)
                {
                    t.Conv2d(Name("downsamplers", level), ch, ch, 3);
                    skips.Push(ch);
                }
            }

            ResidualBlock(t, "mid_block1", ch, ch, embDim);
            if (options.AttentionAtLowestResolution)
            {
                t.Norm("mid_attention.norm", ch);
                t.Conv2d("mid_attention.qkv", ch, 3 * ch, 1);
                t.Conv2d("mid_attention.proj", ch, ch, 1);
            }

            ResidualBlock(t, "mid_block2", ch, ch, embDim);
            block = 0;
            int up = 0;
            for (int level = levels - 1; level >= 0; level--)
            {
                long outCh = baseCh * options.ChannelMultipliers[level];
                for (int r = 0; r <= options.ResidualBlocksPerLevel; r++)
                {
                    ResidualBlock(t, Name("up_blocks", block++), ch + skips.Pop(), outCh, embDim);
                    ch = outCh;
                }

                if (level > 0)
                {
                    t.Conv2d(Name("upsamplers", up++), ch, ch, 3);
                }
            }

            t.Norm("norm_out", ch);
            t.Conv2d("conv_out", ch, options.LearnVariance ? 2L * channels : channels, 3);
        }
    }

    private static void ResidualBlock(ExpectedTensors t, string name, long inChannels, long outChannels, long embDim)
    {
        t.Norm(name + ".norm1", inChannels);
        t.Conv2d(name + ".conv1", inChannels, outChannels, 3);
        t.Linear(name + ".emb_proj", embDim, outChannels);
        t.Norm(name + ".norm2", outChannels);
        t.Conv2d(name + ".conv2", outChannels, outChannels, 3);
        if (inChannels != outChannels)
        {
            t.Conv2d(name + ".skip", inChannels, outChannels, 1);
        }
    }

    private static string Name(string list, int index) => list + "." + index.ToString(CultureInfo.InvariantCulture);
}
