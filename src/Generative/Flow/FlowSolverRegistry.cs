namespace Generative.Flow;

/// <summary>
/// The ODE solvers a <see cref="FlowModel"/> samples with, by the name <see cref="SamplingOptions.Sampler"/> gives
/// (case-insensitive). <see cref="Default"/> holds the built-in <c>"euler"</c>, <c>"midpoint"</c> and <c>"heun"</c>,
/// registered through <see cref="Registry{TEntry}.Add"/> like anyone else's:
/// <code>
/// FlowSolverRegistry.Default.Add("rk4", new MyRungeKutta4Solver());
/// </code>
/// </summary>
/// <remarks>Thread-safety: as <see cref="Registry{TEntry}"/>; a registered solver serves concurrent calls (see
/// <see cref="IFlowSolver"/>).</remarks>
public sealed class FlowSolverRegistry : Registry<IFlowSolver>
{
    /// <summary>Creates a registry.</summary>
    /// <param name="parent">A registry whose solvers this one also offers (typically <see cref="Default"/>);
    /// <see langword="null"/> for an empty registry.</param>
    public FlowSolverRegistry(FlowSolverRegistry? parent = null)
        : base(parent)
    {
    }

    /// <summary>The process-wide registry, holding the built-in solvers.</summary>
    public static FlowSolverRegistry Default { get; } = CreateDefault();

    /// <inheritdoc />
    protected override string Kind => "flow solver";

    /// <inheritdoc />
    protected override string HowToRegister =>
        "Register one with FlowSolverRegistry.Default.Add(name, solver), for instance from a plugin's IGenerativePlugin.Register.";

    private static FlowSolverRegistry CreateDefault()
    {
        var registry = new FlowSolverRegistry();
        registry.Add("euler", new EulerSolver());
        registry.Add("midpoint", new MidpointSolver());
        registry.Add("heun", new HeunSolver());
        return registry;
    }
}
