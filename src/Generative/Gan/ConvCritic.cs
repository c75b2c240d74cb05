using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>
/// A DCGAN-style convolutional critic for small square images, with optional spectral normalisation and an optional
/// projection head for class conditioning (Miyato &amp; Koyama 2018); see <see cref="ConvCriticOptions"/>.
/// </summary>
/// <remarks>
/// <para>Shapes: images <c>[N, Channels, ImageSize, ImageSize]</c>, labels <c>[N]</c> int64 (conditional only) → scores
/// <c>[N]</c>. Module names: <c>features.{i}</c>, <c>score</c>, <c>class_projection</c>.</para>
/// <para>Ownership and thread-safety: see <see cref="IDiscriminator"/>.</para>
/// </remarks>
public sealed class ConvCritic : nn.Module<Tensor, Tensor>, IDiscriminator
{
    private readonly Sequential features;
    private nn.Module<Tensor, Tensor> score;
    private readonly Embedding? class_projection;

    /// <summary>Builds the critic.</summary>
    /// <param name="options">The architecture.</param>
    /// <param name="generator">Draws the initial weights and the spectral-norm vectors; <see langword="null"/> uses the global generator.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public ConvCritic(ConvCriticOptions options, Generator? generator = null)
        : base(nameof(ConvCritic))
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(nameof(options));
        Options = options;
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("0", nn.Conv2d(options.Channels, options.Width, 3, padding: 1)),
            ("1", nn.LeakyReLU(options.LeakyReluSlope)),
        };
        long channels = options.Width;
        for (int i = 0; i < options.DownsamplingBlocks; i++)
        {
            int k = layers.Count;
            layers.Add(($"{k}", nn.Conv2d(channels, channels * 2, 4, stride: 2, padding: 1)));
            layers.Add(($"{k + 1}", nn.LeakyReLU(options.LeakyReluSlope)));
            channels *= 2;
        }

        features = nn.Sequential(layers.ToArray());
        FeatureCount = channels * 16;
        score = nn.Linear(FeatureCount, 1);
        if (options.ClassCount > 0)
        {
            class_projection = nn.Embedding(options.ClassCount, FeatureCount);
        }

        RegisterComponents();
        Nn.SeededInitialization.Apply(this, generator);
        if (options.SpectralNormalization)
        {
            SpectralNorm.ApplyToAll(this, options.PowerIterations, SpectralNorm.DefaultEpsilon, generator);
        }
    }

    /// <summary>The architecture this critic was built with.</summary>
    public ConvCriticOptions Options { get; }

    /// <summary>The length of the feature vector φ(x) (channels × 4 × 4).</summary>
    public long FeatureCount { get; }

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
        var phi = Nn.Convolutions.Run(features, samples).flatten(1);
        var result = score.call(phi).squeeze(1);
        if (class_projection is not null)
        {
            result = result.Plus((class_projection.call(classLabels!).to(phi.dtype) * phi).sum(1));
        }

        return result.MoveToOuterDisposeScope();
    }

    /// <summary>An unconditional forward pass: <see cref="Score"/> without labels.</summary>
    /// <param name="input">Images <c>[N, Channels, ImageSize, ImageSize]</c>.</param>
    /// <returns>Scores <c>[N]</c>.</returns>
    public override Tensor forward(Tensor input) => Score(input);
}
