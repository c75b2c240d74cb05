using Generative.Data;
using Generative.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Flow;

/// <summary>How <see cref="FlowTrainingStep"/> draws the time t of each training sample.</summary>
public enum FlowTimeDistribution
{
    /// <summary>t ~ U(0, 1) (Lipman et al. 2023; Liu et al. 2023).</summary>
    Uniform,

    /// <summary>t = sigmoid(m + s·z), z ~ N(0, 1), with m = <see cref="FlowTrainingOptions.LogitNormalMean"/> and
    /// s = <see cref="FlowTrainingOptions.LogitNormalStd"/>: more weight on the middle of the path (Esser et al. 2024).</summary>
    LogitNormal,
}

/// <summary>Options of <see cref="FlowTrainingStep"/>.</summary>
public sealed record FlowTrainingOptions
{
    /// <summary>How t is drawn. Default <see cref="FlowTimeDistribution.Uniform"/>.</summary>
    public FlowTimeDistribution TimeDistribution { get; init; } = FlowTimeDistribution.Uniform;

    /// <summary>m of the logit-normal distribution, finite. Default 0.</summary>
    public double LogitNormalMean { get; init; }

    /// <summary>s of the logit-normal distribution, finite and greater than 0. Default 1.</summary>
    public double LogitNormalStd { get; init; } = 1.0;

    /// <summary>Learning rate of the Adam optimiser the step creates when none is given, finite and greater than 0. Default 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>The factor that turns t ∈ [0, 1] into the network's timestep input: the network sees t·<see cref="TimeScale"/>
    /// (a float). Default 1000, the range of timesteps the library's denoisers' sinusoidal embeddings are made for (0 to 999
    /// in diffusion). Finite and greater than 0; a model must sample with the scale it was trained with (the trainer writes it
    /// into <see cref="FlowModelOptions.TimeScale"/>).</summary>
    public double TimeScale { get; init; } = FlowModelOptions.DefaultTimeScale;

    /// <summary>How the batch's noise is paired with its data (<see cref="IFlowCoupling"/>): <see langword="null"/> (the
    /// default) or <see cref="IndependentCoupling"/> for the noise as drawn, <see cref="MinibatchOptimalTransportCoupling"/>
    /// for straighter paths, or a coupling of your own. Not for a step on coupled pairs (reflow), whose pairs are already
    /// coupled. A training option only: it is not saved with the model.</summary>
    public IFlowCoupling? Coupling { get; init; }

    /// <summary>Checks every option and returns all problems, each naming its option; empty when the options are valid.</summary>
    /// <returns>The problems, e.g. <c>FlowTrainingOptions.LogitNormalStd must be finite and greater than 0 (was 0).</c></returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new OptionProblems(nameof(FlowTrainingOptions));
        problems.Require(Enum.IsDefined(TimeDistribution), nameof(TimeDistribution), $"must be Uniform or LogitNormal (was {TimeDistribution}).");
        problems.Require(double.IsFinite(LogitNormalMean), nameof(LogitNormalMean), $"must be finite (was {LogitNormalMean}).");
        problems.Require(LogitNormalStd > 0 && double.IsFinite(LogitNormalStd), nameof(LogitNormalStd), $"must be finite and greater than 0 (was {LogitNormalStd}).");
        problems.Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), $"must be finite and greater than 0 (was {LearningRate}).");
        problems.Require(TimeScale > 0 && double.IsFinite(TimeScale), nameof(TimeScale), $"must be finite and greater than 0 (was {TimeScale}).");
        return problems.Problems;
    }
}

/// <summary>
/// One optimisation step of conditional flow matching with the straight (rectified-flow) path (Lipman et al. 2023;
/// Liu et al. 2023): per sample, t from <see cref="FlowTrainingOptions.TimeDistribution"/> and x₀ ~ N(0, I), both from the
/// run's generator (in that order); then <see cref="FlowTrainingOptions.Coupling"/>, if set, pairs the noise with the data
/// (drawing after them, from the same generator, if it draws at all); x_t = (1 − t)·x₀ + t·x₁ with x₁ the data; the network, given x_t and
/// t·<see cref="FlowTrainingOptions.TimeScale"/>, regresses onto the velocity v = x₁ − x₀ (mean squared error). The update
/// goes through <see cref="TrainingStepContext.Optimize"/> under the name <c>"velocity"</c>.
/// </summary>
/// <remarks>
/// <para>The network is any <see cref="IDenoiser"/> (the library's MLP and UNet denoisers, or one of your own) whose output
/// shape equals its sample shape; a conditional network gets the batch's labels.</para>
/// <para>Ownership: the step does not own the network; it owns the optimiser it creates itself. Not thread-safe.</para>
/// </remarks>
public sealed class FlowTrainingStep : ITrainingStep
{
    /// <summary>The name of the module and of the optimiser.</summary>
    public const string NetworkName = "velocity";

    private readonly IDenoiser _network;
    private readonly optim.Optimizer _optimizer;
    private readonly bool _ownsOptimizer;

    /// <summary>Creates the step.</summary>
    /// <param name="network">The velocity network to train; not owned.</param>
    /// <param name="options">The time distribution, scale and learning rate; <see langword="null"/> for the defaults.</param>
    /// <param name="optimizer">The optimiser of the network's parameters (not owned); <see langword="null"/> creates Adam with
    /// <see cref="FlowTrainingOptions.LearningRate"/> (owned).</param>
    /// <param name="coupled">Whether each training sample is a coupled pair (x₀, x₁) — the noise and the sample a flow made of
    /// it, stacked along the first sample dimension (<c>[N, 2·C, ..]</c>), as <see cref="FlowTrainer.Reflow"/> trains on —
    /// instead of a data point x₁ paired with fresh noise. Default <see langword="false"/>.</param>
    /// <exception cref="ArgumentException">An option is invalid, the network's output shape differs from its sample shape,
    /// or a coupled step is given a <see cref="FlowTrainingOptions.Coupling"/> other than the independent one.</exception>
    public FlowTrainingStep(IDenoiser network, FlowTrainingOptions? options = null, optim.Optimizer? optimizer = null, bool coupled = false)
    {
        ArgumentNullException.ThrowIfNull(network);
        Options = options ?? new FlowTrainingOptions();
        OptionProblems.ThrowIfAny(Options.Validate(), nameof(options));
        if (!network.OutputShape.Equals(network.SampleShape))
        {
            throw new ArgumentException(
                $"A velocity network's output must be shaped like its samples ({network.SampleShape}), but is {network.OutputShape}.", nameof(network));
        }

        if (coupled && Options.Coupling is { } coupling and not IndependentCoupling)
        {
            throw new ArgumentException(
                $"FlowTrainingOptions.Coupling must be null or an IndependentCoupling for a step on coupled (x₀, x₁) pairs, which are already coupled (was {coupling}).", nameof(options));
        }

        _network = network;
        Coupled = coupled;
        _ownsOptimizer = optimizer is null;
        _optimizer = optimizer ?? OptimizerFactory.Adam(network.Module.parameters(), Options.LearningRate);
        Modules = new Dictionary<string, nn.Module> { [NetworkName] = network.Module };
        Optimizers = new Dictionary<string, optim.Optimizer> { [NetworkName] = _optimizer };
    }

    /// <summary>The options.</summary>
    public FlowTrainingOptions Options { get; }

    /// <summary>Whether samples are coupled (x₀, x₁) pairs stacked along their first dimension (reflow), not data points.</summary>
    public bool Coupled { get; }

    /// <inheritdoc />
    public string Family => FlowModel.FamilyKey;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, nn.Module> Modules { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, optim.Optimizer> Optimizers { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Step(TrainingBatch batch, TrainingStepContext context)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(context);
        using var scope = NewDisposeScope();
        var loss = Loss(batch.Samples, batch.Labels, context.Generator);
        context.Optimize(NetworkName, loss);
        return new Dictionary<string, double>(1) { ["loss"] = context.LossValue(loss) };
    }

    /// <summary>The flow-matching loss of a batch, with gradients (no update). Draws as <see cref="Step"/> does (x₀, and
    /// the coupling's draws if any, only when the step is not <see cref="Coupled"/>).</summary>
    /// <param name="samples">x₁, the data, <c>[N, ..SampleShape]</c>; for a <see cref="Coupled"/> step the pairs
    /// <c>[N, 2·C, ..]</c>, x₀ in the first C and x₁ in the last C entries of dimension 1.</param>
    /// <param name="labels">Class labels <c>[N]</c> for a conditional network, or <see langword="null"/>.</param>
    /// <param name="generator">The source of t and x₀.</param>
    /// <returns>A scalar, owned by the caller.</returns>
    /// <exception cref="ArgumentException">A shape does not match the network.</exception>
    /// <exception cref="InvalidOperationException">The coupling returned noise of another shape, dtype or device.</exception>
    public Tensor Loss(Tensor samples, Tensor? labels, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(generator);
        using var scope = NewDisposeScope();
        Tensor? x0 = null;
        if (Coupled)
        {
            long c = _network.SampleShape[0];
            if (samples.Dimensions != _network.SampleShape.Rank + 1 || samples.shape[1] != 2 * c)
            {
                throw new ArgumentException(
                    $"A coupled step expects pairs shaped [N, {2 * c}, ..] (x₀ and x₁ of samples shaped {_network.SampleShape}), but got {TensorShape.Format(samples.shape)}.", nameof(samples));
            }

            x0 = samples.narrow(1, 0, c);
            samples = samples.narrow(1, c, c);
        }

        _network.SampleShape.EnsureBatch(samples, nameof(samples));
        long n = samples.shape[0];
        var t = DrawTimes(n, samples.dtype, samples.device, generator);
        var conditioning = _network.ClassCount > 0 && labels is not null ? labels.to(samples.device).to_type(ScalarType.Int64) : null;
        if (x0 is null)
        {
            x0 = Draw(generator, samples.device, g => randn(samples.shape, samples.dtype, g.device, generator: g));
            if (Options.Coupling is { } coupling)
            {
                x0 = Couple(coupling, x0, samples, conditioning, generator);
            }
        }

        var tb = t.reshape([n, .. Enumerable.Repeat(1L, (int)samples.Dimensions - 1)]);
        var xt = (tb.SubtractedFrom(1) * x0).Plus(tb * samples);
        var target = samples - x0;
        var prediction = _network.Predict(xt, t.Times(Options.TimeScale), conditioning);
        return (prediction - target).Squared().mean().MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsOptimizer)
        {
            _optimizer.Dispose();
        }
    }

    private static Tensor Couple(IFlowCoupling coupling, Tensor noise, Tensor data, Tensor? labels, Generator generator)
    {
        Tensor coupled;
        using (no_grad())
        {
            coupled = coupling.Couple(noise, data, labels, generator);
        }

        if (coupled is null || !coupled.shape.SequenceEqual(noise.shape) || coupled.dtype != noise.dtype || coupled.device_type != noise.device_type
            || coupled.device_index != noise.device_index)
        {
            string actual = coupled is null ? "null" : $"{TensorShape.Format(coupled.shape)} {coupled.dtype} on {coupled.device}";
            throw new InvalidOperationException(
                $"The coupling {coupling} must return noise shaped {TensorShape.Format(noise.shape)} {noise.dtype} on {noise.device}, but returned {actual}.");
        }

        return coupled;
    }

    private Tensor DrawTimes(long n, ScalarType dtype, Device device, Generator generator) => Options.TimeDistribution switch
    {
        FlowTimeDistribution.LogitNormal => Draw(generator, device, g => randn([n], dtype, g.device, generator: g))
            .Times(Options.LogitNormalStd).Plus(Options.LogitNormalMean).sigmoid(),
        _ => Draw(generator, device, g => rand([n], dtype, g.device, generator: g)),
    };

    private static Tensor Draw(Generator generator, Device device, Func<Generator, Tensor> draw)
    {
        var drawn = draw(generator);
        return drawn.device.type == device.type && drawn.device.index == device.index ? drawn : drawn.to(device);
    }
}
