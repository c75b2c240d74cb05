using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>
/// A fully connected GAN critic (discriminator) for vectors and table rows:
/// φ(x) = (Linear → LeakyReLU [→ Dropout]) × L applied to the flattened sample — or (Linear → maxout with k pieces) × L, PacGAN's
/// discriminator (<see cref="MlpCriticOptions.MaxoutPieces"/>); score = ψ(φ(x)) with ψ linear, plus
/// ⟨embed(y), φ(x)⟩ for a class-conditional projection critic (Miyato &amp; Koyama 2018, "cGANs with Projection
/// Discriminator", arXiv:1802.05637). No batch normalisation, so the gradient penalty's per-sample gradients are valid.
/// </summary>
/// <remarks>
/// <para>Shapes: samples <c>[N, ..SampleShape]</c>, labels <c>[N]</c> int64 (conditional only) → scores <c>[N]</c>.
/// Module names: <c>features.{i}</c> (a maxout layer's Linear has HiddenWidth × k outputs, unit j's pieces being outputs
/// j·k … j·k + k − 1), <c>score</c>, <c>class_projection</c>. With spectral normalisation the Linear
/// layers carry PyTorch's <c>weight_orig</c>/<c>weight_u</c>/<c>weight_v</c> names.</para>
/// <para>Ownership and thread-safety: see <see cref="IDiscriminator"/>.</para>
/// </remarks>
public sealed class MlpCritic : nn.Module<Tensor, Tensor>, IDiscriminator
{
    private readonly Sequential features;
    private nn.Module<Tensor, Tensor> score;
    private readonly Embedding? class_projection;

    /// <summary>Builds the critic.</summary>
    /// <param name="options">The architecture.</param>
    /// <param name="generator">Draws the initial weights and the spectral-norm vectors, and, with
    /// <see cref="MlpCriticOptions.DropoutRate"/> above 0, the dropout masks in training mode (the critic keeps a reference
    /// to it: keep it alive while training); <see langword="null"/> uses the global generator.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public MlpCritic(MlpCriticOptions options, Generator? generator = null)
        : base(nameof(MlpCritic))
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(nameof(options));
        Options = options;
        long input = options.SampleShape.ElementCount;
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        int pieces = options.MaxoutPieces;
        for (int i = 0; i < options.HiddenLayers; i++)
        {
            layers.Add(($"{2 * i}", nn.Linear(i == 0 ? input : options.HiddenWidth, (long)options.HiddenWidth * pieces)));
            layers.Add(($"{2 * i + 1}", pieces > 1 ? new Maxout(pieces) : nn.LeakyReLU(options.LeakyReluSlope)));
            if (options.DropoutRate > 0)
            {
                layers.Add(($"dropout{i}", new SeededDropout(options.DropoutRate, generator)));
            }
        }

        features = nn.Sequential(layers.ToArray());
        score = nn.Linear(options.HiddenWidth, 1);
        if (options.ClassCount > 0)
        {
            class_projection = nn.Embedding(options.ClassCount, options.HiddenWidth);
        }

        RegisterComponents();
        Nn.SeededInitialization.Apply(this, options.WeightInitStandardDeviation, generator);
        if (options.SpectralNormalization)
        {
            SpectralNorm.ApplyToAll(this, options.PowerIterations, SpectralNorm.DefaultEpsilon, generator);
        }
    }

    /// <summary>The architecture this critic was built with.</summary>
    public MlpCriticOptions Options { get; }

    /// <inheritdoc />
    public TensorShape SampleShape => Options.SampleShape;

    /// <inheritdoc />
    public int ClassCount => Options.ClassCount;

    /// <inheritdoc />
    public nn.Module Module => this;

    /// <inheritdoc />
    public Tensor Score(Tensor samples, Tensor? classLabels = null)
    {
        SampleShape.EnsureBatch(samples, nameof(samples));
        GanNetworkHelpers.EnsureLabels(classLabels, ClassCount, samples.shape[0], nameof(classLabels));
        using var scope = NewDisposeScope();
        var phi = features.call(samples.flatten(1));
        var result = score.call(phi).squeeze(1);
        if (class_projection is not null)
        {
            result = result.Plus((class_projection.call(classLabels!).to(phi.dtype) * phi).sum(1));
        }

        return result.MoveToOuterDisposeScope();
    }

    /// <summary>An unconditional forward pass: <see cref="Score"/> without labels.</summary>
    /// <param name="input">Samples <c>[N, ..SampleShape]</c>.</param>
    /// <returns>Scores <c>[N]</c>.</returns>
    public override Tensor forward(Tensor input) => Score(input);
}
