using Generative.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.Diffusion;

/// <summary>Options of <see cref="UNetDenoiser"/>.</summary>
public sealed record UNetDenoiserOptions
{
    /// <summary>Channels of the first level, a multiple of <see cref="GroupCount"/>. Default 32.</summary>
    public int BaseChannels { get; init; } = 32;

    /// <summary>Channel multiplier per resolution level (one level per entry; each level after the first halves the resolution).
    /// Default [1, 2].</summary>
    public IReadOnlyList<int> ChannelMultipliers { get; init; } = [1, 2];

    /// <summary>Residual blocks per level on the way down (one more on the way up), at least 1. Default 1.</summary>
    public int ResidualBlocksPerLevel { get; init; } = 1;

    /// <summary>Adds single-head self-attention at the lowest resolution (in the middle block). Default true.</summary>
    public bool AttentionAtLowestResolution { get; init; } = true;

    /// <summary>GroupNorm groups, at least 1. Default 8.</summary>
    public int GroupCount { get; init; } = 8;

    /// <summary>Number of classes for class conditioning (0 = unconditional); label <see cref="ClassCount"/> is the null class. Default 0.</summary>
    public int ClassCount { get; init; }

    /// <summary>Doubles the output channels to also predict the variance. Default false.</summary>
    public bool LearnVariance { get; init; }

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(GroupCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(BaseChannels, 1);
        if (BaseChannels % GroupCount != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(BaseChannels), BaseChannels, $"The base channels must be a multiple of the group count ({GroupCount}).");
        }

        ArgumentNullException.ThrowIfNull(ChannelMultipliers);
        if (ChannelMultipliers.Count == 0 || ChannelMultipliers.Any(m => m < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ChannelMultipliers), "At least one channel multiplier is needed, and each must be at least 1.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(ResidualBlocksPerLevel, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(ClassCount);
    }
}

/// <summary>
/// A small UNet for images from 8×8 to 32×32 (Ho et al. 2020, simplified): residual blocks with GroupNorm, SiLU and a
/// timestep (and class) embedding, strided-convolution downsampling, nearest-neighbour upsampling with skip
/// connections, optional self-attention at the lowest resolution, and a zero-initialised output convolution.
/// </summary>
/// <remarks>
/// <para>Shapes: samples <c>[N, C, H, W]</c> with H and W divisible by 2^(levels − 1); timesteps <c>[N]</c>; labels <c>[N]</c>
/// (int64; <see cref="ClassCount"/> is the null class). Output <c>[N, C, H, W]</c> (or 2C channels with learned variance).</para>
/// <para>Owns its weights; dispose it when done. Not thread-safe for training; concurrent <see cref="Predict"/> calls under
/// <c>inference_mode</c> are safe.</para>
/// </remarks>
public sealed class UNetDenoiser : nn.Module<Tensor, Tensor, Tensor>, IDenoiser
{
#pragma warning disable IDE0044, SA1306 // registered by RegisterComponents; names become state-dict keys
    private readonly SinusoidalTimestepEmbedding time_embedding;
    private readonly Sequential time_mlp;
    private readonly Embedding? class_embedding;
    private readonly Conv2d conv_in;
    private readonly ModuleList<ResidualBlock> down_blocks;
    private readonly ModuleList<Conv2d> downsamplers;
    private readonly ResidualBlock mid_block1;
    private readonly SelfAttention2d? mid_attention;
    private readonly ResidualBlock mid_block2;
    private readonly ModuleList<ResidualBlock> up_blocks;
    private readonly ModuleList<Conv2d> upsamplers;
    private readonly GroupNorm norm_out;
    private readonly Conv2d conv_out;
#pragma warning restore IDE0044, SA1306
    private readonly int _levels;
    private readonly int _blocksPerLevel;

    /// <summary>Creates the network with freshly initialised weights (PyTorch's default initialisation, GroupNorm 1/0, the output convolution zeroed).</summary>
    /// <param name="channels">Image channels, at least 1.</param>
    /// <param name="height">Image height, at least 1 and divisible by 2^(levels − 1).</param>
    /// <param name="width">Image width, likewise.</param>
    /// <param name="options">The architecture; <see langword="null"/> for the defaults.</param>
    /// <param name="generator">The source of the initial weights, for a network that the same seed rebuilds exactly;
    /// <see langword="null"/> draws them from TorchSharp's global generator.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public UNetDenoiser(int channels, int height, int width, UNetDenoiserOptions? options = null, Generator? generator = null)
        : base(nameof(UNetDenoiser))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        Options = options ?? new UNetDenoiserOptions();
        Options.Validate();
        _levels = Options.ChannelMultipliers.Count;
        _blocksPerLevel = Options.ResidualBlocksPerLevel;
        int factor = 1 << (_levels - 1);
        if (height < 1 || height % factor != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(height), height, $"The height must be a positive multiple of {factor} (2^(levels − 1)).");
        }

        if (width < 1 || width % factor != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, $"The width must be a positive multiple of {factor} (2^(levels − 1)).");
        }

        SampleShape = new TensorShape(channels, height, width);
        OutputShape = new TensorShape(Options.LearnVariance ? 2L * channels : channels, height, width);
        int g = Options.GroupCount;
        int baseCh = Options.BaseChannels;
        int embDim = 4 * baseCh;
        time_embedding = new SinusoidalTimestepEmbedding(baseCh % 2 == 0 ? baseCh : baseCh + 1);
        time_mlp = nn.Sequential(nn.Linear(time_embedding.Dimension, embDim), nn.SiLU(), nn.Linear(embDim, embDim));
        class_embedding = Options.ClassCount > 0 ? nn.Embedding(Options.ClassCount + 1, embDim) : null;
        conv_in = nn.Conv2d(channels, baseCh, 3, padding: 1);

        down_blocks = new ModuleList<ResidualBlock>();
        downsamplers = new ModuleList<Conv2d>();
        var skipChannels = new Stack<int>();
        skipChannels.Push(baseCh);
        int ch = baseCh;
        for (int level = 0; level < _levels; level++)
        {
            int outCh = baseCh * Options.ChannelMultipliers[level];
            for (int r = 0; r < _blocksPerLevel; r++)
            {
                down_blocks.Add(new ResidualBlock(ch, outCh, embDim, g));
                ch = outCh;
                skipChannels.Push(ch);
            }

            if (level < _levels - 1)
            {
                downsamplers.Add(nn.Conv2d(ch, ch, 3, stride: 2, padding: 1));
                skipChannels.Push(ch);
            }
        }

        mid_block1 = new ResidualBlock(ch, ch, embDim, g);
        mid_attention = Options.AttentionAtLowestResolution ? new SelfAttention2d(ch, g) : null;
        mid_block2 = new ResidualBlock(ch, ch, embDim, g);

        up_blocks = new ModuleList<ResidualBlock>();
        upsamplers = new ModuleList<Conv2d>();
        for (int level = _levels - 1; level >= 0; level--)
        {
            int outCh = baseCh * Options.ChannelMultipliers[level];
            for (int r = 0; r <= _blocksPerLevel; r++)
            {
                up_blocks.Add(new ResidualBlock(ch + skipChannels.Pop(), outCh, embDim, g));
                ch = outCh;
            }

            if (level > 0)
            {
                upsamplers.Add(nn.Conv2d(ch, ch, 3, padding: 1));
            }
        }

        norm_out = Layers.GroupNorm(g, ch);
        conv_out = nn.Conv2d(ch, OutputShape[0], 3, padding: 1);
        RegisterComponents();
        SeededInitialization.Apply(this, generator);
        Layers.Zero(conv_out.weight, conv_out.bias);
    }

    /// <summary>The architecture.</summary>
    public UNetDenoiserOptions Options { get; }

    /// <inheritdoc />
    public TensorShape SampleShape { get; }

    /// <inheritdoc />
    public TensorShape OutputShape { get; }

    /// <inheritdoc />
    public int ClassCount => Options.ClassCount;

    /// <inheritdoc />
    public nn.Module Module => this;

    /// <inheritdoc />
    public Tensor Predict(Tensor noisySamples, Tensor timesteps, Tensor? classLabels = null)
    {
        DenoiserInputs.Check(this, noisySamples, timesteps, classLabels);
        using var scope = NewDisposeScope();
        var emb = DenoiserInputs.Conditioning(time_mlp, time_embedding, class_embedding, ClassCount, noisySamples, timesteps, classLabels);

        var h = Convolutions.Apply(conv_in, noisySamples);
        var skips = new Stack<Tensor>();
        skips.Push(h);
        int block = 0;
        for (int level = 0; level < _levels; level++)
        {
            for (int r = 0; r < _blocksPerLevel; r++)
            {
                h = down_blocks[block++].call(h, emb);
                skips.Push(h);
            }

            if (level < _levels - 1)
            {
                h = Convolutions.Apply(downsamplers[level], h);
                skips.Push(h);
            }
        }

        h = mid_block1.call(h, emb);
        if (mid_attention is not null)
        {
            h = mid_attention.call(h);
        }

        h = mid_block2.call(h, emb);
        block = 0;
        int up = 0;
        for (int level = _levels - 1; level >= 0; level--)
        {
            for (int r = 0; r <= _blocksPerLevel; r++)
            {
                h = up_blocks[block++].call(cat([h, skips.Pop()], 1), emb);
            }

            if (level > 0)
            {
                h = Convolutions.Apply(upsamplers[up++], nn.functional.interpolate(h, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest));
            }
        }

        return Convolutions.Apply(conv_out, nn.functional.silu(norm_out.call(h))).MoveToOuterDisposeScope();
    }

    /// <summary>Same as <see cref="Predict"/> without labels.</summary>
    /// <param name="noisySamples"><c>[N, C, H, W]</c>.</param>
    /// <param name="timesteps"><c>[N]</c>.</param>
    /// <returns><c>[N, ..OutputShape]</c>.</returns>
    public override Tensor forward(Tensor noisySamples, Tensor timesteps) => Predict(noisySamples, timesteps);

    /// <summary>GroupNorm → SiLU → conv → + embedding → GroupNorm → SiLU → conv, plus a (1×1-projected) skip.</summary>
    private sealed class ResidualBlock : nn.Module<Tensor, Tensor, Tensor>
    {
#pragma warning disable IDE0044, SA1306
        private readonly GroupNorm norm1;
        private readonly Conv2d conv1;
        private readonly Linear emb_proj;
        private readonly GroupNorm norm2;
        private readonly Conv2d conv2;
        private readonly Conv2d? skip;
#pragma warning restore IDE0044, SA1306

        public ResidualBlock(int inChannels, int outChannels, int embDim, int groups)
            : base(nameof(ResidualBlock))
        {
            norm1 = Layers.GroupNorm(groups, inChannels);
            conv1 = nn.Conv2d(inChannels, outChannels, 3, padding: 1);
            emb_proj = nn.Linear(embDim, outChannels);
            norm2 = Layers.GroupNorm(groups, outChannels);
            conv2 = nn.Conv2d(outChannels, outChannels, 3, padding: 1);
            skip = inChannels != outChannels ? nn.Conv2d(inChannels, outChannels, 1) : null;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x, Tensor emb)
        {
            using var scope = NewDisposeScope();
            var h = Convolutions.Apply(conv1, nn.functional.silu(norm1.call(x)));
            h = h.Plus(emb_proj.call(nn.functional.silu(emb)).unsqueeze(-1).unsqueeze(-1));
            h = Convolutions.Apply(conv2, nn.functional.silu(norm2.call(h)));
            var residual = skip is null ? x : Convolutions.Apply(skip, x);
            return residual.Plus(h).MoveToOuterDisposeScope();
        }
    }

    /// <summary>Single-head self-attention over the pixels, with a residual connection.</summary>
    private sealed class SelfAttention2d : nn.Module<Tensor, Tensor>
    {
#pragma warning disable IDE0044, SA1306
        private readonly GroupNorm norm;
        private readonly Conv2d qkv;
        private readonly Conv2d proj;
#pragma warning restore IDE0044, SA1306

        public SelfAttention2d(int channels, int groups)
            : base(nameof(SelfAttention2d))
        {
            norm = Layers.GroupNorm(groups, channels);
            qkv = nn.Conv2d(channels, 3 * channels, 1);
            proj = nn.Conv2d(channels, channels, 1);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
            var parts = Convolutions.Apply(qkv, norm.call(x)).reshape(b, 3, c, h * w).unbind(1);
            using var scale = (1.0 / Math.Sqrt(c)).ToScalar();
            var weights = parts[0].transpose(1, 2).matmul(parts[1]).mul(scale).softmax(-1); // [b, hw, hw]
            var attended = parts[2].matmul(weights.transpose(1, 2)).reshape(b, c, h, w);
            return x.Plus(Convolutions.Apply(proj, attended)).MoveToOuterDisposeScope();
        }
    }
}
