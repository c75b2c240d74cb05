using Generative.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.DenoisingGan;

/// <summary>The architecture of an <see cref="MlpPairCritic"/>. Validated when the critic is built.</summary>
public sealed record MlpPairCriticOptions
{
    /// <summary>The shape of one sample x (the critic scores pairs of them), e.g. <c>[2]</c>; vectors only.</summary>
    public required TensorShape SampleShape { get; init; }

    /// <summary>T, the number of steps the critic is conditioned on, 1 to 1000. Default 4.</summary>
    public int Steps { get; init; } = 4;

    /// <summary>Units per hidden layer, at least 1. Default 256.</summary>
    public int HiddenWidth { get; init; } = 256;

    /// <summary>Number of hidden layers, at least 1. Default 3.</summary>
    public int HiddenLayers { get; init; } = 3;

    /// <summary>The negative slope of the LeakyReLU activations, in [0, 1). Default 0.2.</summary>
    public double LeakyReluSlope { get; init; } = 0.2;

    /// <summary>Checks every option and returns all problems, each naming its option; empty when the options are valid.</summary>
    /// <returns>The problems.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new OptionProblems(nameof(MlpPairCriticOptions));
        problems.Require(SampleShape is { Rank: 1 }, nameof(SampleShape), $"must be a vector shape such as [2] (was {SampleShape}).");
        problems.Require(Steps is >= 1 and <= 1000, nameof(Steps), $"must be in [1, 1000] (was {Steps}).");
        problems.Require(HiddenWidth >= 1, nameof(HiddenWidth), $"must be at least 1 (was {HiddenWidth}).");
        problems.Require(HiddenLayers >= 1, nameof(HiddenLayers), $"must be at least 1 (was {HiddenLayers}).");
        problems.Require(LeakyReluSlope is >= 0 and < 1, nameof(LeakyReluSlope), $"must be in [0, 1) (was {LeakyReluSlope}).");
        return problems.Problems;
    }
}

/// <summary>
/// A time-conditioned discriminator D(x_{t−1}, x_t, t) for vectors, as <see cref="DenoisingGanTrainingStep"/> calls it:
/// the pair stacked as one sample <c>[2·C]</c> and the step as the class label t − 1. Each hidden layer adds a learned
/// embedding of t to its pre-activation, h_{l+1} = LeakyReLU(W_l·h_l + b_l + e_l(t)), so that every layer's features
/// depend on the step (not only the last, as in a projection critic); the score is a linear read-out.
/// </summary>
/// <remarks>Module names: <c>layers.{i}</c>, <c>time_embeddings.{i}</c>, <c>score</c>. No normalisation layers, so R1's
/// per-sample gradients are valid. Ownership and thread-safety: see <see cref="IDiscriminator"/>.</remarks>
public sealed class MlpPairCritic : nn.Module<Tensor, Tensor>, IDiscriminator
{
    private readonly ModuleList<Linear> layers;
    private readonly ModuleList<Embedding> time_embeddings;
    private readonly Linear score;
    private readonly double _slope;

    /// <summary>Builds the critic.</summary>
    /// <param name="options">The architecture.</param>
    /// <param name="generator">Draws the initial weights; <see langword="null"/> uses the global generator.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names every problem.</exception>
    public MlpPairCritic(MlpPairCriticOptions options, Generator? generator = null)
        : base(nameof(MlpPairCritic))
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionProblems.ThrowIfAny(options.Validate(), nameof(options));
        Options = options;
        SampleShape = new TensorShape(2 * options.SampleShape[0]);
        layers = new ModuleList<Linear>();
        time_embeddings = new ModuleList<Embedding>();
        for (int i = 0; i < options.HiddenLayers; i++)
        {
            layers.Add(nn.Linear(i == 0 ? SampleShape[0] : options.HiddenWidth, options.HiddenWidth));
            time_embeddings.Add(nn.Embedding(options.Steps, options.HiddenWidth));
        }

        score = nn.Linear(options.HiddenWidth, 1);
        _slope = options.LeakyReluSlope;
        RegisterComponents();
        Nn.SeededInitialization.Apply(this, generator);
        using (no_grad())
        {
            foreach (var embedding in time_embeddings)
            {
                embedding.weight!.TimesInPlace(0.1); // small at first: the layers start close to an unconditioned MLP
            }
        }
    }

    /// <summary>The architecture this critic was built with.</summary>
    public MlpPairCriticOptions Options { get; }

    /// <summary>The shape of one scored sample: the pair, <c>[2·C]</c>.</summary>
    public TensorShape SampleShape { get; }

    /// <summary>T: labels are t − 1 in [0, T).</summary>
    public int ClassCount => Options.Steps;

    /// <inheritdoc />
    public nn.Module Module => this;

    /// <inheritdoc />
    public Tensor Score(Tensor samples, Tensor? classLabels = null)
    {
        SampleShape.EnsureBatch(samples, nameof(samples));
        ArgumentNullException.ThrowIfNull(classLabels);
        if (classLabels.Dimensions != 1 || classLabels.shape[0] != samples.shape[0])
        {
            throw new ArgumentException($"Expected step labels shaped [{samples.shape[0]}], but got {TensorShape.Format(classLabels.shape)}.", nameof(classLabels));
        }

        using var scope = NewDisposeScope();
        var index = classLabels.to(samples.device).to_type(ScalarType.Int64);
        var h = samples;
        for (int i = 0; i < layers.Count; i++)
        {
            h = layers[i].call(h).Plus(time_embeddings[i].call(index).to(h.dtype)).LeakyRelu(_slope);
        }

        return score.call(h).squeeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>Not supported: the critic needs the step (<see cref="Score"/>).</summary>
    /// <param name="input">Pairs.</param>
    /// <returns>Never.</returns>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override Tensor forward(Tensor input) => throw new NotSupportedException("MlpPairCritic needs the step t: call Score(pairs, t − 1).");
}
