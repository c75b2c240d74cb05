using Generative.Training;

namespace Generative.Comparison;

/// <summary>
/// A contender in a comparison: a way to train one generative model on a <see cref="ComparisonData"/> under a
/// <see cref="ComparisonBudget"/>, and the ways to sample it that are measured (one for a GAN; several samplers for a
/// diffusion model, which is trained once and sampled with each). Implement this to enter a model of your own.
/// </summary>
public interface IComparisonContender
{
    /// <summary>A short name for tables and file names: <c>gan</c>, <c>wgan-gp</c>, <c>diffusion</c>.</summary>
    string Name { get; }

    /// <summary>The model family.</summary>
    ModelFamily Family { get; }

    /// <summary>The sampling configurations to measure; each appears as its own row of the results.</summary>
    IReadOnlyList<ContenderSampler> Samplers { get; }

    /// <summary>Trains a model on the data under the budget.</summary>
    /// <param name="request">The data, budget, seed, progress receiver and cancellation token.</param>
    /// <returns>The trained model with its training record; the caller disposes it.</returns>
    TrainedContender Train(ContenderTrainingRequest request);

    /// <summary>
    /// What <paramref name="steps"/> training steps on <paramref name="data"/> cost: optimiser updates per network and
    /// forward and backward passes (<see cref="TrainingCost"/>), counted from the contender's own training step, not
    /// measured. The runner reports it for the steps each run took, and turns a budget in network evaluations into the
    /// most steps whose cost stays within it, so it must not decrease as <paramref name="steps"/> grows. The default,
    /// <see langword="null"/>, says nothing: the contender's rows report no cost, and a budget in network evaluations
    /// cannot run it.
    /// </summary>
    /// <param name="data">The data it would train on (the networks and settings may depend on its shape).</param>
    /// <param name="steps">Training steps, at least 0.</param>
    /// <returns>The cost, or <see langword="null"/> when unknown.</returns>
    TrainingCost? CostOfSteps(ComparisonData data, long steps) => null;
}

/// <summary>One way to sample a contender's model.</summary>
/// <param name="Name">The row's name in the results, e.g. <c>ddim-50</c>.</param>
/// <param name="Sampler">The sampler, as written in the JSON: <c>generator</c> for a GAN, <c>ddpm</c> or <c>ddim</c>.</param>
/// <param name="Options">The options passed to <see cref="IGenerativeModel.Sample"/>.</param>
/// <param name="NetworkEvaluationsPerSample">Network calls needed per sample (1 for a GAN; the step count for DDPM/DDIM).</param>
public sealed record ContenderSampler(string Name, string Sampler, SamplingOptions Options, int NetworkEvaluationsPerSample);

/// <summary>What a contender gets to train on.</summary>
/// <param name="Data">The data.</param>
/// <param name="Budget">The budget.</param>
/// <param name="Seed">The seed of every random draw of the run.</param>
/// <param name="Progress">Receives training progress, or <see langword="null"/>.</param>
/// <param name="CancellationToken">Stops training between steps.</param>
public sealed record ContenderTrainingRequest(
    ComparisonData Data,
    ComparisonBudget Budget,
    long Seed,
    IProgress<TrainingProgress>? Progress,
    CancellationToken CancellationToken);

/// <summary>A trained contender: its model and the record of its training.</summary>
public sealed class TrainedContender : IDisposable
{
    /// <summary>Creates the record.</summary>
    /// <param name="model">The trained model (owned by this object).</param>
    /// <param name="summary">The trainer's summary.</param>
    /// <param name="parameterCount">Trainable parameters of every network trained.</param>
    /// <param name="primaryLoss">The loss whose history measures stability (<c>loss</c>, or the critic's loss for a GAN).</param>
    public TrainedContender(IGenerativeModel model, TrainingSummary summary, long parameterCount, string primaryLoss)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(primaryLoss);
        Model = model;
        Summary = summary;
        ParameterCount = parameterCount;
        PrimaryLoss = primaryLoss;
    }

    /// <summary>The trained model.</summary>
    public IGenerativeModel Model { get; }

    /// <summary>The trainer's summary: steps, wall time, loss history, divergence events.</summary>
    public TrainingSummary Summary { get; }

    /// <summary>Trainable parameters of every network trained (generator and critic for a GAN).</summary>
    public long ParameterCount { get; }

    /// <summary>The loss whose history measures stability.</summary>
    public string PrimaryLoss { get; }

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}
