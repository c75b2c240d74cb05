using System.Globalization;
using System.Text.Json.Nodes;
using Generative.Checkpoints;
using Generative.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.Diffusion;

/// <summary>The shape of a <see cref="TabularMlpDenoiser"/>: TabDDPM's MLP (Kotelnikov et al., 2023).</summary>
public sealed record TabularMlpDenoiserOptions
{
    /// <summary>The widths of the hidden layers, each Linear → ReLU → Dropout. Default 4 × 256.</summary>
    public IReadOnlyList<int> HiddenLayers { get; init; } = [256, 256, 256, 256];

    /// <summary>The size of the sinusoidal time embedding and of the input projection it is added to. Default 128
    /// (TabDDPM's <c>dim_t</c>).</summary>
    public int TimeEmbeddingDimension { get; init; } = 128;

    /// <summary>The dropout probability after each hidden layer, in [0, 1). Default 0 (TabDDPM's tuned value).</summary>
    public double Dropout { get; init; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">No hidden layer, a width below 1, an odd or too small embedding, or a dropout
    /// outside [0, 1).</exception>
    public void Validate()
    {
        if (HiddenLayers is null || HiddenLayers.Count == 0 || HiddenLayers.Any(w => w < 1))
        {
            throw new ArgumentException($"HiddenLayers must hold at least one width of 1 or more, but is [{string.Join(", ", HiddenLayers ?? [])}].", nameof(HiddenLayers));
        }

        if (TimeEmbeddingDimension < 2 || TimeEmbeddingDimension % 2 != 0)
        {
            throw new ArgumentException($"TimeEmbeddingDimension must be an even number of at least 2, but is {TimeEmbeddingDimension}.", nameof(TimeEmbeddingDimension));
        }

        if (!(Dropout >= 0 && Dropout < 1))
        {
            throw new ArgumentException($"Dropout must be in [0, 1), but is {Dropout}.", nameof(Dropout));
        }
    }
}

/// <summary>
/// TabDDPM's denoising MLP over one row of a transformed table: the row (noisy numbers and the current one-hot
/// categories) is projected to <see cref="TabularMlpDenoiserOptions.TimeEmbeddingDimension"/> numbers, the sinusoidal
/// embedding of the timestep, passed through Linear → SiLU → Linear, is added to it, and hidden blocks of
/// Linear → ReLU → Dropout lead to a linear head giving one number per input column (the noise of a Gaussian column, a
/// logit of x̂₀ for a one-hot slot). A class-conditional network (<see cref="ClassCount"/> above 0, TabDDPM's
/// <c>is_y_cond</c>) adds SiLU of a learned class embedding to the time embedding. Registered in <see cref="Diffusion.DenoiserRegistry"/> as
/// <see cref="RegisteredType"/>, the way a third party's network would be.
/// </summary>
public sealed class TabularMlpDenoiser : nn.Module<Tensor, Tensor, Tensor>, IDenoiser
{
    /// <summary>The key of this network type in <see cref="Diffusion.DenoiserRegistry"/>.</summary>
    public const string RegisteredType = "tabular-mlp";

#pragma warning disable IDE0044, SA1306 // fields are registered as submodules by RegisterComponents; names become state-dict keys
    private readonly Linear projection;
    private readonly SinusoidalTimestepEmbedding time_embedding;
    private readonly Sequential time_mlp;
    private readonly Sequential layers;
    private readonly Linear head;
    private readonly Embedding? label_embedding;
#pragma warning restore IDE0044, SA1306

    /// <summary>Creates the network with weights drawn from <paramref name="generator"/>.</summary>
    /// <param name="features">The width of a transformed row (<see cref="Tabular.TableLayout.Width"/> without cyclic blocks' order changes).</param>
    /// <param name="options">The shape; default <see cref="TabularMlpDenoiserOptions"/>.</param>
    /// <param name="generator">The source of the initial weights (none: the global one).</param>
    /// <exception cref="ArgumentException">Invalid options or fewer than 1 feature.</exception>
    public TabularMlpDenoiser(int features, TabularMlpDenoiserOptions? options = null, Generator? generator = null)
        : this(features, 0, options, generator)
    {
    }

    /// <summary>Creates a class-conditional network (an unconditional one for 0 classes) with weights drawn from
    /// <paramref name="generator"/>.</summary>
    /// <param name="features">The width of a transformed row without the label column.</param>
    /// <param name="classCount">The number of classes of the label <see cref="Predict"/> takes; 0 for none.</param>
    /// <param name="options">The shape; default <see cref="TabularMlpDenoiserOptions"/>.</param>
    /// <param name="generator">The source of the initial weights (none: the global one).</param>
    /// <exception cref="ArgumentException">Invalid options, fewer than 1 feature or a negative class count.</exception>
    internal TabularMlpDenoiser(int features, int classCount, TabularMlpDenoiserOptions? options, Generator? generator)
        : base(nameof(TabularMlpDenoiser))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(classCount);
        ClassCount = classCount;
        Options = options ?? new TabularMlpDenoiserOptions();
        Options.Validate();
        int t = Options.TimeEmbeddingDimension;
        SampleShape = new TensorShape(features);
        projection = nn.Linear(features, t);
        time_embedding = new SinusoidalTimestepEmbedding(t);
        time_mlp = nn.Sequential(nn.Linear(t, t), nn.SiLU(), nn.Linear(t, t));
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        int previous = t;
        for (int i = 0; i < Options.HiddenLayers.Count; i++)
        {
            string n = i.ToString(CultureInfo.InvariantCulture);
            modules.Add(("linear" + n, nn.Linear(previous, Options.HiddenLayers[i])));
            modules.Add(("relu" + n, nn.ReLU()));
            modules.Add(("dropout" + n, nn.Dropout(Options.Dropout)));
            previous = Options.HiddenLayers[i];
        }

        layers = nn.Sequential(modules.ToArray());
        head = nn.Linear(previous, features);
        label_embedding = classCount > 0 ? nn.Embedding(classCount, t) : null;
        RegisterComponents();
        SeededInitialization.Apply(this, generator);
    }

    /// <summary>The shape.</summary>
    public TabularMlpDenoiserOptions Options { get; }

    /// <inheritdoc/>
    public TensorShape SampleShape { get; }

    /// <inheritdoc/>
    public TensorShape OutputShape => SampleShape;

    /// <inheritdoc/>
    public int ClassCount { get; }

    /// <inheritdoc/>
    public nn.Module Module => this;

    /// <inheritdoc/>
    public Tensor Predict(Tensor noisySamples, Tensor timesteps, Tensor? classLabels = null)
    {
        ArgumentNullException.ThrowIfNull(timesteps);
        SampleShape.EnsureBatch(noisySamples, nameof(noisySamples));
        if (ClassCount == 0 && classLabels is not null)
        {
            throw new ArgumentException("The tabular MLP is unconditional: class labels are not taken (condition on a column instead).", nameof(classLabels));
        }

        if (ClassCount > 0 && (classLabels is null || classLabels.dim() != 1 || classLabels.shape[0] != noisySamples.shape[0]))
        {
            throw new ArgumentException($"The tabular MLP is conditioned on {ClassCount} classes: expected class labels of shape [{noisySamples.shape[0]}], but got {(classLabels is null ? "none" : TensorShape.Format(classLabels.shape))}.", nameof(classLabels));
        }

        if (timesteps.dim() != 1 || timesteps.shape[0] != noisySamples.shape[0])
        {
            throw new ArgumentException($"Expected timesteps of shape [{noisySamples.shape[0]}], but got {TensorShape.Format(timesteps.shape)}.", nameof(timesteps));
        }

        using var scope = NewDisposeScope();
        var embedding = time_mlp.call(time_embedding.call(timesteps));
        if (label_embedding is not null)
        {
            embedding = embedding.Plus(nn.functional.silu(label_embedding.call(classLabels!)));
        }

        var h = projection.call(noisySamples).Plus(embedding);
        return head.call(layers.call(h)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor noisySamples, Tensor timesteps) => Predict(noisySamples, timesteps);

    internal static JsonObject Describe(IDenoiser network)
    {
        var options = ((TabularMlpDenoiser)network).Options;
        var description = new JsonObject
        {
            ["features"] = (int)network.SampleShape[0],
            ["options"] = new JsonObject
            {
                ["hidden_layers"] = new JsonArray([.. options.HiddenLayers.Select(w => (JsonNode?)JsonValue.Create(w))]),
                ["time_embedding_dimension"] = options.TimeEmbeddingDimension,
                ["dropout"] = options.Dropout,
            },
        };
        if (network.ClassCount > 0)
        {
            description["class_count"] = network.ClassCount;
        }

        return description;
    }

    internal static NetworkPlan<IDenoiser> Read(ConfigValue network)
    {
        int features = network["features"].Int(1, ConfigLimits.MaxFeatures);
        int classes = network["class_count"].Node is null ? 0 : network["class_count"].Int(1, ConfigLimits.MaxFeatures);
        var o = network["options"];
        o.RequireObject();
        var options = new TabularMlpDenoiserOptions
        {
            HiddenLayers = o["hidden_layers"].Ints(1, ConfigLimits.MaxWidth, ConfigLimits.MaxDepth),
            TimeEmbeddingDimension = o["time_embedding_dimension"].Int(2, ConfigLimits.MaxWidth),
            Dropout = o["dropout"].Double(0, 0.999999),
        };
        if (options.HiddenLayers.Count == 0)
        {
            throw o["hidden_layers"].Fail("must hold at least one width");
        }

        if (options.TimeEmbeddingDimension % 2 != 0)
        {
            throw o["time_embedding_dimension"].Fail("must be even");
        }

        return new NetworkPlan<IDenoiser>(RegisteredType, new TensorShape(features), Declare, g => new TabularMlpDenoiser(features, classes, options, g));

        void Declare(ExpectedTensors t)
        {
            long d = options.TimeEmbeddingDimension;
            t.Linear("projection", features, d);
            t.Linear("time_mlp.0", d, d);
            t.Linear("time_mlp.2", d, d);
            long previous = d;
            for (int i = 0; i < options.HiddenLayers.Count; i++)
            {
                t.Linear("layers.linear" + i.ToString(CultureInfo.InvariantCulture), previous, options.HiddenLayers[i]);
                previous = options.HiddenLayers[i];
            }

            t.Linear("head", previous, features);
            if (classes > 0)
            {
                t.Embedding("label_embedding", classes, d);
            }
        }
    }
}
