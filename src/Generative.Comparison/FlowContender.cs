using Generative.Diffusion;
using Generative.Evaluation;
using Generative.Flow;
using Generative.Training;

namespace Generative.Comparison;

/// <summary>
/// A flow-matching (rectified-flow) model (Lipman et al. 2023; Liu et al. 2023) as a contender: trained once, then sampled
/// with several ODE solvers and step counts. Its network and training match <see cref="DiffusionContender"/>'s, so that
/// the two objectives are compared at the same budget: the same MLP (<see cref="Depth"/> = 3 residual blocks of
/// <see cref="Width"/> = 96 units, 128-d time embedding; a small UNet for images), Adam 1e-3 with cosine decay under a
/// step budget, batch 256, EMA 0.999; t ~ U(0, 1) unless <see cref="Training"/> says otherwise.
/// </summary>
public sealed class FlowContender : IComparisonContender
{
    private FlowContender(string name, IReadOnlyList<ContenderSampler> samplers)
    {
        Name = name;
        Samplers = samplers;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public ModelFamily Family { get; } = new(FlowModel.FamilyKey);

    /// <inheritdoc />
    public IReadOnlyList<ContenderSampler> Samplers { get; }

    /// <summary>Units per residual block of the MLP network. Default 96, as the diffusion contender's.</summary>
    public int Width { get; init; } = 96;

    /// <summary>Residual blocks of the MLP network. Default 3.</summary>
    public int Depth { get; init; } = 3;

    /// <summary>Samples per training step (at most the training set's size). Default 256.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>The training step's options (time distribution, time scale, learning rate). Default: uniform t, 1e-3.</summary>
    public FlowTrainingOptions Training { get; init; } = new() { LearningRate = 1e-3 };

    /// <summary>
    /// The default flow contender, sampled with Euler-50, Euler-10 and Heun-4 (8 network evaluations: Heun evaluates the
    /// field twice per step).
    /// </summary>
    /// <param name="name">The contender's name.</param>
    /// <returns>The contender.</returns>
    public static FlowContender Default(string name = "flow") => WithSolvers(name, ("euler", 50), ("euler", 10), ("heun", 4));

    /// <summary>A flow contender sampled with the given solvers and step counts; each row is named <c>flow-{solver}-{steps}</c>.</summary>
    /// <param name="name">The contender's name.</param>
    /// <param name="solvers">Solver names registered in <see cref="FlowSolverRegistry.Default"/> and their step counts.</param>
    /// <returns>The contender.</returns>
    /// <exception cref="ArgumentException">No solver is given, or one is not registered, or a step count is below 1.</exception>
    public static FlowContender WithSolvers(string name, params (string Solver, int Steps)[] solvers)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(solvers);
        if (solvers.Length == 0)
        {
            throw new ArgumentException("At least one solver is needed.", nameof(solvers));
        }

        var samplers = new List<ContenderSampler>();
        foreach (var (solver, steps) in solvers)
        {
            if (!FlowSolverRegistry.Default.TryGet(solver, out var found))
            {
                throw new ArgumentException(FlowSolverRegistry.Default.UnknownKeyMessage(solver), nameof(solvers));
            }

            ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1, nameof(solvers));
            samplers.Add(new ContenderSampler(
                $"flow-{solver}-{steps}", solver, new SamplingOptions { Sampler = solver, Steps = steps }, steps * found.EvaluationsPerStep));
        }

        return new FlowContender(name, samplers);
    }

    /// <inheritdoc />
    public TrainedContender Train(ContenderTrainingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return DenoiserContenderTraining.Train(request, Width, Depth, (network, source, budget) => FlowTrainer.Train(
            network,
            source,
            new FlowTrainerOptions
            {
                Training = Training,
                Steps = request.Budget.Steps ?? long.MaxValue,
                BatchSize = (int)Math.Min(BatchSize, request.Data.Count),
                Seed = request.Seed,
                EmaDecay = 0.999,
            },
            budget,
            cancellationToken: request.CancellationToken));
    }
}
