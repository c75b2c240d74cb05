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
/// step budget, batch 256, EMA 0.999; t logit-normal with m = 1, s = 1.5 (more training on the end of the path, where
/// the samples settle into the modes) unless <see cref="Training"/> says otherwise.
/// </summary>
public sealed record FlowContender : IComparisonContender
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

    /// <summary>
    /// The training step's options (time distribution, time scale, learning rate). Default: Adam 1e-3, t = sigmoid(1 + 1.5·z)
    /// (logit-normal, median 0.73: about twice uniform's share of t above 0.9), chosen on the 25-Gaussian grid at the
    /// default budget over seeds 0, 1, 2: Euler-50 87.3 % high-quality samples against 85.0 % with t ~ U(0, 1) and 86.8 %
    /// with m = 1.5, s = 2; Euler-10 80.2 % against 77.3 % (docs/flow.md).
    /// </summary>
    public FlowTrainingOptions Training { get; init; } = new()
    {
        LearningRate = 1e-3,
        TimeDistribution = FlowTimeDistribution.LogitNormal,
        LogitNormalMean = 1.0,
        LogitNormalStd = 1.5,
    };

    /// <summary>
    /// How the training step pairs each batch's noise with its data (<see cref="FlowTrainingOptions.Coupling"/>); when set it
    /// replaces <see cref="Training"/>'s. <see langword="null"/> (the default) keeps <see cref="Training"/>'s, which is the
    /// independent coupling unless set there. <see cref="OptimalTransport"/> sets <see cref="MinibatchOptimalTransportCoupling"/>.
    /// With a reflow pass it applies to the first flow only (the reflow pass trains on pairs that are already coupled).
    /// A coupling evaluates no network, so <see cref="CostOfSteps"/> is the same with any coupling.
    /// </summary>
    public IFlowCoupling? Coupling { get; init; }

    /// <summary>
    /// The share of the step (or time) budget given to a reflow pass (Liu et al. 2023, §2.3), in [0, 1): 0 (the default)
    /// trains one flow on the whole budget; otherwise the first flow trains on the rest of the budget, draws
    /// <see cref="ReflowPairCount"/> (noise, sample) pairs with <see cref="ReflowPairSolver"/> in
    /// <see cref="ReflowPairSteps"/> steps, and a copy of it is trained on those pairs for its share of the steps
    /// (<see cref="FlowTrainer.TrainWithReflow"/>). The two passes' steps add up to the budget's; drawing the pairs is not a
    /// training step and counts in the training seconds. Only unconditional data (reflow needs an unconditional model).
    /// </summary>
    public double ReflowShare { get; init; }

    /// <summary>The number of (noise, sample) pairs the reflow pass trains on, at least 1. Default 20,000.</summary>
    public int ReflowPairCount { get; init; } = 20_000;

    /// <summary>The solver that draws the reflow pairs from the first flow. Default <c>"heun"</c>.</summary>
    public string ReflowPairSolver { get; init; } = "heun";

    /// <summary>The solver steps that draw the reflow pairs, at least 1. Default 25 (50 network evaluations with Heun).</summary>
    public int ReflowPairSteps { get; init; } = 25;

    /// <summary>The reflow pass's training options (time distribution, learning rate); <see langword="null"/> for
    /// <see cref="Training"/>'s. <see cref="Reflowed"/> sets t ~ U(0, 1) and Adam 1e-3: the few-step solvers evaluate the
    /// field from t = 0 on (one Euler step only there).</summary>
    public FlowTrainingOptions? ReflowTraining { get; init; }

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
    public static FlowContender WithSolvers(string name, params (string Solver, int Steps)[] solvers) => Create(name, "flow", solvers);

    /// <summary>
    /// A rectified flow of two passes as a contender (<see cref="ReflowShare"/> of the budget for the reflow pass, by
    /// default half), sampled with few steps; each row is named <c>{name}-{solver}-{steps}</c>. The default rows are
    /// Euler-1, Euler-2, midpoint-2 and Euler-4 (1, 2, 4 and 4 network evaluations).
    /// </summary>
    /// <param name="name">The contender's name, also the rows' prefix. Default <c>"flow-reflow"</c>.</param>
    /// <param name="solvers">Solver names registered in <see cref="FlowSolverRegistry.Default"/> and their step counts;
    /// none for the default rows.</param>
    /// <returns>The contender; its options change with <c>with</c>, e.g. <c>FlowContender.Reflowed() with { ReflowShare = 0.3 }</c>.</returns>
    /// <exception cref="ArgumentException">A solver is not registered, or a step count is below 1.</exception>
    public static FlowContender Reflowed(string name = "flow-reflow", params (string Solver, int Steps)[] solvers)
    {
        var contender = Create(name, name, solvers is { Length: > 0 } ? solvers : [("euler", 1), ("euler", 2), ("midpoint", 2), ("euler", 4)]);
        return new FlowContender(contender.Name, contender.Samplers)
        {
            ReflowShare = 0.5,
            ReflowTraining = new FlowTrainingOptions { LearningRate = 1e-3 },
        };
    }

    /// <summary>
    /// A flow trained with exact minibatch optimal-transport coupling (<see cref="MinibatchOptimalTransportCoupling"/>:
    /// each batch's noise is matched to its data by the assignment of least squared distance) for few-step sampling, with
    /// <see cref="Default"/>'s network, budget, batch and EMA but its own <see cref="Training"/>: t ~ U(0, 1) and Adam
    /// 6·10⁻³ (the few-step solvers evaluate the field from t = 0 on, and the coupled regression's loss is far smaller
    /// than the independent one's). Chosen on the 25-Gaussian grid at the default budget over three seeds against the
    /// plain flow's logit-normal times and Adam 1e-3; the figures are in docs/flow.md. Sampled with few steps and one
    /// many-step solver; each row is named <c>{name}-{solver}-{steps}</c>. The default rows are Euler-1, Euler-2, midpoint-2, Euler-4 and Euler-50 (1, 2, 4, 4
    /// and 50 network evaluations). Its training cost is the plain flow's: the coupling evaluates no network.
    /// </summary>
    /// <param name="name">The contender's name, also the rows' prefix. Default <c>"flow-ot"</c>.</param>
    /// <param name="solvers">Solver names registered in <see cref="FlowSolverRegistry.Default"/> and their step counts;
    /// none for the default rows.</param>
    /// <returns>The contender.</returns>
    /// <exception cref="ArgumentException">A solver is not registered, or a step count is below 1.</exception>
    public static FlowContender OptimalTransport(string name = "flow-ot", params (string Solver, int Steps)[] solvers) =>
        Create(name, name, solvers is { Length: > 0 } ? solvers : [("euler", 1), ("euler", 2), ("midpoint", 2), ("euler", 4), ("euler", 50)])
        with { Coupling = new MinibatchOptimalTransportCoupling(), Training = new FlowTrainingOptions { LearningRate = 6e-3 } };

    private static FlowContender Create(string name, string prefix, (string Solver, int Steps)[] solvers)
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
                $"{prefix}-{solver}-{steps}", solver, new SamplingOptions { Sampler = solver, Steps = steps }, steps * found.EvaluationsPerStep));
        }

        return new FlowContender(name, samplers);
    }

    /// <summary>The cost of <paramref name="steps"/> steps of one flow: each is one forward and one backward pass of the
    /// network on a batch and one update, whatever the <see cref="Coupling"/> (a coupling evaluates no network; the exact
    /// optimal-transport assignment's CPU time shows in the training seconds, not here). <see langword="null"/> with a reflow pass (<see cref="ReflowShare"/> &gt; 0):
    /// drawing its pairs evaluates the first flow many times, which is not counted here, so no cost is claimed.</summary>
    /// <param name="data">The data.</param>
    /// <param name="steps">Training steps, at least 0.</param>
    /// <returns>The cost, or <see langword="null"/> for a reflow contender.</returns>
    public TrainingCost? CostOfSteps(ComparisonData data, long steps)
    {
        ArgumentNullException.ThrowIfNull(data);
        return ReflowShare == 0 ? TrainingCost.SingleNetwork("denoiser", steps) : null;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A reflow option is invalid, or the data are labelled for a reflow contender.</exception>
    public TrainedContender Train(ContenderTrainingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!(ReflowShare >= 0 && ReflowShare < 1))
        {
            throw new ArgumentException($"FlowContender.ReflowShare must be in [0, 1) (was {ReflowShare}).", nameof(request));
        }

        if (ReflowShare == 0)
        {
            return DenoiserContenderTraining.Train(request, Width, Depth, (network, source, budget) =>
                FlowTrainer.Train(network, source, Pass(request, FirstTraining, request.Budget.Steps), budget, cancellationToken: request.CancellationToken));
        }

        if (request.Data.ClassCount > 0)
        {
            throw new ArgumentException($"The reflow contender '{Name}' trains unconditional flows, but the data have {request.Data.ClassCount} classes.", nameof(request));
        }

        // The passes share the budget: the reflow pass gets ReflowShare of the steps (or of the time), the first the rest.
        long? reflowSteps = request.Budget.Steps is { } total ? Math.Max(1, (long)Math.Round(total * ReflowShare)) : null;
        long? firstSteps = request.Budget.Steps - reflowSteps;
        if (firstSteps < 1)
        {
            throw new ArgumentException($"A budget of {request.Budget.Steps} steps leaves no step for the first flow with ReflowShare {ReflowShare}.", nameof(request));
        }

        return DenoiserContenderTraining.Train(request, Width, Depth, (network, source, budget) =>
        {
            int pass = 0;
            void Configure(TrainerBuilder builder)
            {
                budget(builder);
                if (request.Budget.Duration is { } duration)
                {
                    builder.WithDuration(duration * (pass++ == 0 ? 1 - ReflowShare : ReflowShare));
                }
            }

            var student = DenoiserContenderTraining.CreateNetwork(request.Data, Width, Depth, request.Seed);
            try
            {
                return FlowTrainer.TrainWithReflow(
                    network,
                    student,
                    source,
                    Pass(request, FirstTraining, firstSteps),
                    new FlowReflowOptions
                    {
                        Training = Pass(request, ReflowTraining ?? (Training with { Coupling = null }), reflowSteps),
                        PairCount = ReflowPairCount,
                        PairSolver = ReflowPairSolver,
                        PairSteps = ReflowPairSteps,
                        PairSeed = request.Seed,
                    },
                    Configure,
                    cancellationToken: request.CancellationToken);
            }
            catch
            {
                student.Module.Dispose();
                throw;
            }
        });
    }

    // The options of the flow trained on the data: Training, with Coupling if set.
    private FlowTrainingOptions FirstTraining => Coupling is null ? Training : Training with { Coupling = Coupling };

    private FlowTrainerOptions Pass(ContenderTrainingRequest request, FlowTrainingOptions training, long? steps) => new()
    {
        Training = training,
        Steps = steps ?? long.MaxValue,
        BatchSize = (int)Math.Min(BatchSize, request.Data.Count),
        Seed = request.Seed,
        EmaDecay = 0.999,
    };
}
