using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>
/// A fully connected GAN generator for vectors and table rows: [z, embed(y)] → (Linear → ReLU) × L → Linear, reshaped to
/// the sample shape, optionally (Linear → BatchNorm → ReLU) × L as in PacGAN's generator. The output layer is linear, so
/// it suits standardised data of any sign and scale.
/// </summary>
/// <remarks>
/// <para>Shapes: latent <c>[N, LatentDimension]</c>, labels <c>[N]</c> int64 (conditional only) → samples
/// <c>[N, ..SampleShape]</c>. Module names (for checkpoints): <c>body.{i}</c> (Linear, [BatchNorm1d,] ReLU per hidden
/// layer, then the output Linear), <c>class_embedding</c>. With batch normalisation the generator's output depends on the
/// rest of the batch in training mode; a <see cref="GanModel"/> samples in evaluation mode (running statistics).</para>
/// <para>Ownership and thread-safety: see <see cref="IGenerator"/>; the caller disposes the generator.</para>
/// </remarks>
public sealed class MlpGenerator : nn.Module<Tensor, Tensor>, IGenerator
{
    private readonly Sequential body;
    private readonly Embedding? class_embedding;

    /// <summary>Builds the generator.</summary>
    /// <param name="options">The architecture.</param>
    /// <param name="generator">Draws the initial weights (PyTorch's default distributions, or N(0, σ²) with
    /// <see cref="MlpGeneratorOptions.WeightInitStandardDeviation"/>); <see langword="null"/> uses the global generator.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public MlpGenerator(MlpGeneratorOptions options, Generator? generator = null)
        : base(nameof(MlpGenerator))
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(nameof(options));
        Options = options;
        LatentShape = new TensorShape(options.LatentDimension);
        int input = options.LatentDimension + (options.ClassCount > 0 ? options.ClassEmbeddingDimension : 0);
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        bool norm = options.BatchNormalization;
        for (int i = 0; i < options.HiddenLayers; i++)
        {
            // With batch normalisation the Linear layer has no bias (the normalisation's shift replaces it), as in PacGAN.
            layers.Add(($"{layers.Count}", nn.Linear(InputWidth(options, input, i), options.HiddenWidth, hasBias: !norm)));
            if (norm)
            {
                layers.Add(($"{layers.Count}", nn.BatchNorm1d(options.HiddenWidth, eps: options.BatchNormEpsilon)));
            }

            layers.Add(($"{layers.Count}", nn.ReLU()));
        }

        layers.Add(($"{layers.Count}", nn.Linear(InputWidth(options, input, options.HiddenLayers), options.SampleShape.ElementCount)));
        body = nn.Sequential(layers.ToArray());
        if (options.ClassCount > 0)
        {
            class_embedding = nn.Embedding(options.ClassCount, options.ClassEmbeddingDimension);
        }

        RegisterComponents();
        Nn.SeededInitialization.Apply(this, options.WeightInitStandardDeviation, generator);
    }

    /// <summary>The architecture this generator was built with.</summary>
    public MlpGeneratorOptions Options { get; }

    /// <inheritdoc />
    public TensorShape LatentShape { get; }

    /// <inheritdoc />
    public TensorShape SampleShape => Options.SampleShape;

    /// <inheritdoc />
    public int ClassCount => Options.ClassCount;

    /// <inheritdoc />
    public nn.Module Module => this;

    /// <inheritdoc />
    public Tensor Generate(Tensor latent, Tensor? classLabels = null)
    {
        LatentShape.EnsureBatch(latent, nameof(latent));
        GanNetworkHelpers.EnsureLabels(classLabels, ClassCount, latent.shape[0], nameof(classLabels));
        using var scope = NewDisposeScope();
        var input = class_embedding is null ? latent : cat([latent, class_embedding.call(classLabels!).to(latent.dtype)], 1);
        var output = Options.Residual ? ResidualForward(input) : body.call(input);
        return output.reshape(SampleShape.WithBatch(latent.shape[0])).MoveToOuterDisposeScope();
    }

    /// <summary>The width of the input of Linear layer <paramref name="layer"/> (the output layer is layer L): the
    /// previous hidden width, or with <see cref="MlpGeneratorOptions.Residual"/> the input and every hidden layer so far.</summary>
    internal static long InputWidth(MlpGeneratorOptions options, long input, int layer) =>
        options.Residual ? input + ((long)layer * options.HiddenWidth) : layer == 0 ? input : options.HiddenWidth;

    private Tensor ResidualForward(Tensor input)
    {
        var modules = body.children().Cast<nn.Module<Tensor, Tensor>>().ToArray();
        int perLayer = Options.BatchNormalization ? 3 : 2;
        var h = input;
        for (int i = 0; i < Options.HiddenLayers; i++)
        {
            var hidden = h;
            for (int j = 0; j < perLayer; j++)
            {
                hidden = modules[(i * perLayer) + j].call(hidden);
            }

            h = cat([hidden, h], 1);
        }

        return modules[^1].call(h);
    }

    /// <summary>An unconditional forward pass: <see cref="Generate"/> without labels.</summary>
    /// <param name="input">Latent vectors <c>[N, LatentDimension]</c>.</param>
    /// <returns>Samples <c>[N, ..SampleShape]</c>.</returns>
    public override Tensor forward(Tensor input) => Generate(input);
}
