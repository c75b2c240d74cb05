using Generative.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.DenoisingGan;

/// <summary>
/// A fully connected denoising-GAN generator for vectors and table rows:
/// [x_t, z, embed(t)] → (Linear → SiLU) × L → Linear → x_0, with a learned embedding of each step t ∈ 1 … T. The output
/// layer is linear, so it suits standardised data of any sign and scale.
/// </summary>
/// <remarks>
/// <para>Module names (for checkpoints): <c>body.{i}</c>, <c>time_embedding</c>. Initial weights are drawn from the
/// generator passed in (PyTorch's default distributions). Ownership and thread-safety: see <see cref="IDenoisingGenerator"/>.</para>
/// </remarks>
public sealed class MlpDenoisingGenerator : nn.Module<Tensor, Tensor, Tensor, Tensor>, IDenoisingGenerator
{
    private readonly Sequential body;
    private readonly Embedding time_embedding;

    /// <summary>Builds the generator.</summary>
    /// <param name="options">The architecture.</param>
    /// <param name="generator">Draws the initial weights; <see langword="null"/> uses TorchSharp's default initialisation (the global generator).</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names every problem.</exception>
    public MlpDenoisingGenerator(MlpDenoisingGeneratorOptions options, Generator? generator = null)
        : base(nameof(MlpDenoisingGenerator))
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionProblems.ThrowIfAny(options.Validate(), nameof(options));
        Options = options;
        LatentShape = new TensorShape(options.LatentDimension);
        long input = options.SampleShape.ElementCount + options.LatentDimension + options.TimeEmbeddingDimension;
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int i = 0; i < options.HiddenLayers; i++)
        {
            layers.Add(($"{2 * i}", nn.Linear(i == 0 ? input : options.HiddenWidth, options.HiddenWidth)));
            layers.Add(($"{(2 * i) + 1}", nn.SiLU()));
        }

        layers.Add(($"{2 * options.HiddenLayers}", nn.Linear(options.HiddenWidth, options.SampleShape.ElementCount)));
        body = nn.Sequential(layers.ToArray());
        time_embedding = nn.Embedding(options.Steps, options.TimeEmbeddingDimension);
        RegisterComponents();
        Nn.SeededInitialization.Apply(this, generator);
    }

    /// <summary>The architecture this generator was built with.</summary>
    public MlpDenoisingGeneratorOptions Options { get; }

    /// <inheritdoc />
    public TensorShape SampleShape => Options.SampleShape;

    /// <inheritdoc />
    public TensorShape LatentShape { get; }

    /// <inheritdoc />
    public int Steps => Options.Steps;

    /// <inheritdoc />
    public nn.Module Module => this;

    /// <inheritdoc />
    public Tensor PredictOriginal(Tensor noisy, Tensor latent, Tensor steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        SampleShape.EnsureBatch(noisy, nameof(noisy));
        LatentShape.EnsureBatch(latent, nameof(latent));
        long n = noisy.shape[0];
        if (latent.shape[0] != n || steps.Dimensions != 1 || steps.shape[0] != n)
        {
            throw new ArgumentException(
                $"Expected {n} latents and steps shaped [{n}], but got latents {TensorShape.Format(latent.shape)} and steps {TensorShape.Format(steps.shape)}.", nameof(steps));
        }

        using var scope = NewDisposeScope();
        var index = steps.to(noisy.device).to_type(ScalarType.Int64).Minus(1);
        var input = cat([noisy.flatten(1), latent.to(noisy.dtype), time_embedding.call(index).to(noisy.dtype)], 1);
        return body.call(input).reshape(SampleShape.WithBatch(n)).MoveToOuterDisposeScope();
    }

    /// <summary>The forward pass: <see cref="PredictOriginal"/>.</summary>
    /// <param name="noisy">x_t.</param>
    /// <param name="latent">z.</param>
    /// <param name="steps">t.</param>
    /// <returns>The predicted x_0.</returns>
    public override Tensor forward(Tensor noisy, Tensor latent, Tensor steps) => PredictOriginal(noisy, latent, steps);
}
