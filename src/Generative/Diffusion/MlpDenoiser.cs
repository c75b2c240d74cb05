using Generative.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.Diffusion;

/// <summary>Options of <see cref="MlpDenoiser"/>.</summary>
public sealed record MlpDenoiserOptions
{
    /// <summary>Hidden width, at least 1. Default 256.</summary>
    public int Width { get; init; } = 256;

    /// <summary>Number of residual blocks, at least 1. Default 3.</summary>
    public int Depth { get; init; } = 3;

    /// <summary>Size of the sinusoidal timestep embedding, even, at least 2. Default 128.</summary>
    public int TimeEmbeddingDimension { get; init; } = 128;

    /// <summary>Number of classes for class conditioning (0 = unconditional). Label <see cref="ClassCount"/> is the null class of
    /// classifier-free guidance. Default 0.</summary>
    public int ClassCount { get; init; }

    /// <summary>Doubles the output to also predict the variance (DDPM <see cref="DdpmVarianceType.Learned"/>/<see cref="DdpmVarianceType.LearnedRange"/>). Default false.</summary>
    public bool LearnVariance { get; init; }

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Depth, 1);
        if (TimeEmbeddingDimension < 2 || TimeEmbeddingDimension % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(TimeEmbeddingDimension), TimeEmbeddingDimension, "The time embedding dimension must be an even number of at least 2.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(ClassCount);
    }
}

/// <summary>
/// A denoiser for vectors and table rows: input projection, sinusoidal timestep embedding through a small MLP (plus a
/// class embedding when conditional), <see cref="MlpDenoiserOptions.Depth"/> pre-norm residual SiLU blocks, and a
/// zero-initialised output layer. 3 blocks of width 256 with a 128-d embedding (the defaults) fit 2-D toy data well.
/// </summary>
/// <remarks>
/// <para>Shapes: samples <c>[N, F]</c>, timesteps <c>[N]</c>, labels <c>[N]</c> (int64, in [0, ClassCount]; ClassCount is the
/// null class); output <c>[N, F]</c> (or <c>[N, 2F]</c> with <see cref="MlpDenoiserOptions.LearnVariance"/>).</para>
/// <para>The denoiser is its own <see cref="Module"/> and owns its weights; dispose it when done. Created on the CPU; move
/// it with <c>.to(device)</c>. Not thread-safe for training; concurrent <see cref="Predict"/> calls under
/// <c>inference_mode</c> are safe.</para>
/// </remarks>
public sealed class MlpDenoiser : nn.Module<Tensor, Tensor, Tensor>, IDenoiser
{
#pragma warning disable IDE0044, SA1306 // fields are registered as submodules by RegisterComponents; names become state-dict keys
    private readonly Linear input;
    private readonly SinusoidalTimestepEmbedding time_embedding;
    private readonly Sequential time_mlp;
    private readonly Embedding? class_embedding;
    private readonly ModuleList<MlpResidualBlock> blocks;
    private readonly LayerNorm output_norm;
    private readonly Linear output;
#pragma warning restore IDE0044, SA1306

    /// <summary>Creates the network with freshly initialised weights (PyTorch's default initialisation, the output layer zeroed).</summary>
    /// <param name="features">The number of features of a sample, at least 1.</param>
    /// <param name="options">The architecture; <see langword="null"/> for the defaults.</param>
    /// <param name="generator">The source of the initial weights, for a network that the same seed rebuilds exactly;
    /// <see langword="null"/> draws them from TorchSharp's global generator.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public MlpDenoiser(int features, MlpDenoiserOptions? options = null, Generator? generator = null)
        : base(nameof(MlpDenoiser))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        Options = options ?? new MlpDenoiserOptions();
        Options.Validate();
        int w = Options.Width;
        SampleShape = new TensorShape(features);
        OutputShape = new TensorShape(Options.LearnVariance ? 2L * features : features);
        input = nn.Linear(features, w);
        time_embedding = new SinusoidalTimestepEmbedding(Options.TimeEmbeddingDimension);
        time_mlp = nn.Sequential(nn.Linear(Options.TimeEmbeddingDimension, w), nn.SiLU(), nn.Linear(w, w));
        class_embedding = Options.ClassCount > 0 ? nn.Embedding(Options.ClassCount + 1, w) : null;
        blocks = new ModuleList<MlpResidualBlock>();
        for (int i = 0; i < Options.Depth; i++)
        {
            blocks.Add(new MlpResidualBlock(w));
        }

        output_norm = nn.LayerNorm(w);
        output = nn.Linear(w, OutputShape[0]);
        RegisterComponents();
        SeededInitialization.Apply(this, generator);
        Layers.Zero(output.weight, output.bias);
    }

    /// <summary>The architecture.</summary>
    public MlpDenoiserOptions Options { get; }

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

        var h = input.call(noisySamples);
        foreach (var block in blocks)
        {
            h = block.call(h, emb);
        }

        return output.call(nn.functional.silu(output_norm.call(h))).MoveToOuterDisposeScope();
    }

    /// <summary>Same as <see cref="Predict"/> without labels (the unconditional or null-class prediction).</summary>
    /// <param name="noisySamples"><c>[N, F]</c>.</param>
    /// <param name="timesteps"><c>[N]</c>.</param>
    /// <returns><c>[N, ..OutputShape]</c>.</returns>
    public override Tensor forward(Tensor noisySamples, Tensor timesteps) => Predict(noisySamples, timesteps);

    private sealed class MlpResidualBlock : nn.Module<Tensor, Tensor, Tensor>
    {
#pragma warning disable IDE0044, SA1306
        private readonly LayerNorm norm;
        private readonly Linear fc1;
        private readonly Linear emb_proj;
        private readonly Linear fc2;
#pragma warning restore IDE0044, SA1306

        public MlpResidualBlock(int width)
            : base(nameof(MlpResidualBlock))
        {
            norm = nn.LayerNorm(width);
            fc1 = nn.Linear(width, width);
            emb_proj = nn.Linear(width, width);
            fc2 = nn.Linear(width, width);
            RegisterComponents();
        }

        public override Tensor forward(Tensor h, Tensor emb)
        {
            using var scope = NewDisposeScope();
            var z = fc1.call(nn.functional.silu(norm.call(h))).Plus(emb_proj.call(nn.functional.silu(emb)));
            return h.Plus(fc2.call(nn.functional.silu(z))).MoveToOuterDisposeScope();
        }
    }
}

/// <summary>Argument checks shared by the denoisers.</summary>
internal static class DenoiserInputs
{
    /// <summary>
    /// The conditioning vector of a denoiser: the time MLP of the sinusoidal embedding of the timesteps, plus the class
    /// embedding (the null class, index <paramref name="classCount"/>, for rows without a label) when the network is
    /// conditional.
    /// </summary>
    public static Tensor Conditioning(
        Sequential timeMlp,
        SinusoidalTimestepEmbedding timeEmbedding,
        Embedding? classEmbedding,
        int classCount,
        Tensor noisySamples,
        Tensor timesteps,
        Tensor? classLabels)
    {
        // The embedding is computed in float32; a float64 network (a numerical reference, for instance) gets it in float64.
        var embedding = timeEmbedding.call(timesteps);
        var emb = timeMlp.call(embedding.dtype == noisySamples.dtype ? embedding : embedding.to_type(noisySamples.dtype));
        if (classEmbedding is null)
        {
            return emb;
        }

        var labels = classLabels ?? HeldScalars.Full([noisySamples.shape[0]], (long)classCount, ScalarType.Int64, noisySamples.device);
        return emb.Plus(classEmbedding.call(labels.to(noisySamples.device)));
    }

    public static void Check(IDenoiser denoiser, Tensor noisySamples, Tensor timesteps, Tensor? classLabels)
    {
        ArgumentNullException.ThrowIfNull(timesteps);
        denoiser.SampleShape.EnsureBatch(noisySamples, nameof(noisySamples));
        long n = noisySamples.shape[0];
        if (timesteps.dim() != 1 || timesteps.shape[0] != n)
        {
            throw new ArgumentException($"Expected timesteps of shape [{n}], but got {TensorShape.Format(timesteps.shape)}.", nameof(timesteps));
        }

        if (classLabels is null)
        {
            return;
        }

        if (denoiser.ClassCount == 0)
        {
            throw new ArgumentException("The denoiser is unconditional (ClassCount = 0) but class labels were given.", nameof(classLabels));
        }

        if (classLabels.dim() != 1 || classLabels.shape[0] != n)
        {
            throw new ArgumentException($"Expected class labels of shape [{n}], but got {TensorShape.Format(classLabels.shape)}.", nameof(classLabels));
        }
    }
}
