using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>
/// A DCGAN-style convolutional generator for small square images (8×8 to 64×64); see
/// <see cref="ConvGeneratorOptions"/> for the architecture.
/// </summary>
/// <remarks>
/// <para>Shapes: latent <c>[N, LatentDimension]</c>, labels <c>[N]</c> int64 (conditional only) → images
/// <c>[N, Channels, ImageSize, ImageSize]</c>, in [−1, 1] with the default tanh output. Module names: <c>project</c>,
/// <c>blocks.{i}</c>, <c>to_image</c>, <c>class_embedding</c>.</para>
/// <para>The generator has batch normalisation: sample in evaluation mode (<see cref="GanModel"/> does).
/// Ownership and thread-safety: see <see cref="IGenerator"/>.</para>
/// </remarks>
public sealed class ConvGenerator : nn.Module<Tensor, Tensor>, IGenerator
{
    private readonly Linear project;
    private readonly Sequential blocks;
    private readonly Conv2d to_image;
    private readonly Embedding? class_embedding;
    private readonly long _firstChannels;

    /// <summary>Builds the generator.</summary>
    /// <param name="options">The architecture.</param>
    /// <param name="generator">Draws the initial weights (PyTorch's default distributions); <see langword="null"/> uses the global generator.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public ConvGenerator(ConvGeneratorOptions options, Generator? generator = null)
        : base(nameof(ConvGenerator))
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(nameof(options));
        Options = options;
        LatentShape = new TensorShape(options.LatentDimension);
        int n = options.UpsamplingBlocks;
        _firstChannels = (long)options.Width << n;
        int input = options.LatentDimension + (options.ClassCount > 0 ? options.ClassEmbeddingDimension : 0);
        project = nn.Linear(input, _firstChannels * 16);
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("0", nn.BatchNorm2d(_firstChannels)),
            ("1", nn.ReLU()),
        };
        long channels = _firstChannels;
        for (int i = 0; i < n; i++)
        {
            int k = layers.Count;
            layers.Add(($"{k}", nn.ConvTranspose2d(channels, channels / 2, 4, stride: 2, padding: 1, bias: false)));
            layers.Add(($"{k + 1}", nn.BatchNorm2d(channels / 2)));
            layers.Add(($"{k + 2}", nn.ReLU()));
            channels /= 2;
        }

        blocks = nn.Sequential(layers.ToArray());
        to_image = nn.Conv2d(channels, options.Channels, 3, padding: 1);
        if (options.ClassCount > 0)
        {
            class_embedding = nn.Embedding(options.ClassCount, options.ClassEmbeddingDimension);
        }

        RegisterComponents();
        Nn.SeededInitialization.Apply(this, generator);
    }

    /// <summary>The architecture this generator was built with.</summary>
    public ConvGeneratorOptions Options { get; }

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
        var h = project.call(input).view(latent.shape[0], _firstChannels, 4, 4);
        var image = Nn.Convolutions.Apply(to_image, Nn.Convolutions.Run(blocks, h));
        if (Options.TanhOutput)
        {
            image = image.tanh();
        }

        return image.MoveToOuterDisposeScope();
    }

    /// <summary>An unconditional forward pass: <see cref="Generate"/> without labels.</summary>
    /// <param name="input">Latent vectors <c>[N, LatentDimension]</c>.</param>
    /// <returns>Images <c>[N, Channels, ImageSize, ImageSize]</c>.</returns>
    public override Tensor forward(Tensor input) => Generate(input);
}
