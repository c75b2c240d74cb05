namespace Generative.Comparison;

/// <summary>
/// What training did to one network: its optimiser updates and its passes over a batch. A forward and a backward pass
/// of one network on one batch count one each, whatever the batch's size (every built-in contender's batch is 256
/// samples, or packs of them).
/// </summary>
/// <param name="Network">The network's name: <c>generator</c>, <c>critic</c>, <c>denoiser</c>.</param>
/// <param name="OptimizerSteps">Optimiser updates of its weights.</param>
/// <param name="ForwardPasses">Forward passes over a batch, with or without gradients.</param>
/// <param name="BackwardPasses">Backward passes through it over a batch, for its own weights or only for its input
/// (a generator update backpropagates through the frozen critic).</param>
public sealed record NetworkWork(string Network, long OptimizerSteps, long ForwardPasses, long BackwardPasses)
{
    /// <summary>Network evaluations: forward plus backward passes.</summary>
    public long Evaluations => ForwardPasses + BackwardPasses;
}

/// <summary>
/// The cost of a contender's training in units that mean the same in every family: optimiser updates per network and
/// network evaluations (forward + backward passes over a batch; see <see cref="NetworkWork"/>). A budget in network
/// evaluations (<see cref="ComparisonBudget.NetworkEvaluations"/>) holds <see cref="NetworkEvaluations"/> equal.
/// </summary>
public sealed record TrainingCost
{
    /// <summary>Creates the cost.</summary>
    /// <param name="networks">The work of each network trained or evaluated, each name once.</param>
    /// <exception cref="ArgumentException">A name repeats, or a count is negative.</exception>
    public TrainingCost(IReadOnlyList<NetworkWork> networks)
    {
        ArgumentNullException.ThrowIfNull(networks);
        if (networks.Select(n => n.Network).Distinct(StringComparer.Ordinal).Count() != networks.Count)
        {
            throw new ArgumentException($"Each network is named once, but the names are {string.Join(", ", networks.Select(n => n.Network))}.", nameof(networks));
        }

        if (networks.FirstOrDefault(n => n.OptimizerSteps < 0 || n.ForwardPasses < 0 || n.BackwardPasses < 0) is { } bad)
        {
            throw new ArgumentException($"Counts are at least 0, but {bad.Network} has {bad.OptimizerSteps} updates, {bad.ForwardPasses} forward and {bad.BackwardPasses} backward passes.", nameof(networks));
        }

        Networks = [.. networks];
    }

    /// <summary>The work of each network.</summary>
    public IReadOnlyList<NetworkWork> Networks { get; }

    /// <summary>Forward passes of every network.</summary>
    public long ForwardPasses => Networks.Sum(n => n.ForwardPasses);

    /// <summary>Backward passes through every network.</summary>
    public long BackwardPasses => Networks.Sum(n => n.BackwardPasses);

    /// <summary>Network evaluations: forward plus backward passes of every network.</summary>
    public long NetworkEvaluations => ForwardPasses + BackwardPasses;

    /// <summary>The training of one network for <paramref name="steps"/> steps of one forward and one backward pass and
    /// one update each (a diffusion or flow-matching denoiser).</summary>
    /// <param name="network">The network's name.</param>
    /// <param name="steps">Training steps, at least 0.</param>
    /// <returns>The cost.</returns>
    public static TrainingCost SingleNetwork(string network, long steps)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        return new TrainingCost([new NetworkWork(network, steps, steps, steps)]);
    }
}
