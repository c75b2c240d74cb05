using static TorchSharp.torch;

namespace Generative.Flow;

/// <summary>
/// A velocity field v(x, t): the network of a <see cref="FlowModel"/>, or a closed-form field in a test.
/// </summary>
/// <param name="x">The current samples, <c>[N, ..SampleShape]</c>.</param>
/// <param name="t">The time of every sample, <c>[N]</c>, in [0, 1] (0 is noise, 1 is data), the dtype of <paramref name="x"/>.</param>
/// <returns>dx/dt at (x, t), shaped like <paramref name="x"/>.</returns>
public delegate Tensor VelocityField(Tensor x, Tensor t);

/// <summary>
/// One step of an ODE solver for dx/dt = v(x, t), the way a <see cref="FlowModel"/> turns noise into samples. Solvers are
/// looked up by name in a <see cref="FlowSolverRegistry"/> (<see cref="SamplingOptions.Sampler"/>); the built-ins are
/// <see cref="EulerSolver"/>, <see cref="MidpointSolver"/> and <see cref="HeunSolver"/>.
/// </summary>
/// <remarks>Implementations are stateless and thread-safe: one instance serves every call. A step must not change
/// <c>x</c>; temporaries need no disposal (the model's sampling loop runs each batch in a dispose scope).</remarks>
public interface IFlowSolver
{
    /// <summary>Network evaluations per step (1 for Euler, 2 for midpoint and Heun).</summary>
    int EvaluationsPerStep { get; }

    /// <summary>Advances the samples from time <paramref name="t"/> to <paramref name="t"/> + <paramref name="dt"/>.</summary>
    /// <param name="velocity">The field.</param>
    /// <param name="x">The samples at time <paramref name="t"/>, <c>[N, ..]</c>.</param>
    /// <param name="t">The current time, in [0, 1).</param>
    /// <param name="dt">The step, greater than 0, with <paramref name="t"/> + <paramref name="dt"/> ≤ 1.</param>
    /// <returns>The samples at <paramref name="t"/> + <paramref name="dt"/>.</returns>
    Tensor Step(VelocityField velocity, Tensor x, double t, double dt);
}

/// <summary>The explicit Euler step, x + dt·v(x, t): first order, one evaluation per step.</summary>
public sealed class EulerSolver : IFlowSolver
{
    /// <inheritdoc />
    public int EvaluationsPerStep => 1;

    /// <inheritdoc />
    public Tensor Step(VelocityField velocity, Tensor x, double t, double dt)
    {
        ArgumentNullException.ThrowIfNull(velocity);
        ArgumentNullException.ThrowIfNull(x);
        return x.Plus(velocity(x, FlowSolvers.Times(x, t)).Times(dt));
    }
}

/// <summary>The explicit midpoint step, x + dt·v(x + dt/2·v(x, t), t + dt/2): second order, two evaluations per step.</summary>
public sealed class MidpointSolver : IFlowSolver
{
    /// <inheritdoc />
    public int EvaluationsPerStep => 2;

    /// <inheritdoc />
    public Tensor Step(VelocityField velocity, Tensor x, double t, double dt)
    {
        ArgumentNullException.ThrowIfNull(velocity);
        ArgumentNullException.ThrowIfNull(x);
        var k1 = velocity(x, FlowSolvers.Times(x, t));
        var k2 = velocity(x.Plus(k1.Times(dt / 2)), FlowSolvers.Times(x, t + (dt / 2)));
        return x.Plus(k2.Times(dt));
    }
}

/// <summary>Heun's step (the explicit trapezoidal rule): k₁ = v(x, t), k₂ = v(x + dt·k₁, t + dt), x + dt/2·(k₁ + k₂):
/// second order, two evaluations per step (also on the last step).</summary>
public sealed class HeunSolver : IFlowSolver
{
    /// <inheritdoc />
    public int EvaluationsPerStep => 2;

    /// <inheritdoc />
    public Tensor Step(VelocityField velocity, Tensor x, double t, double dt)
    {
        ArgumentNullException.ThrowIfNull(velocity);
        ArgumentNullException.ThrowIfNull(x);
        var k1 = velocity(x, FlowSolvers.Times(x, t));
        var k2 = velocity(x.Plus(k1.Times(dt)), FlowSolvers.Times(x, t + dt));
        return x.Plus(k1.Plus(k2).Times(dt / 2));
    }
}

/// <summary>Integrates a velocity field with a solver over uniform steps.</summary>
public static class FlowSolvers
{
    /// <summary>Integrates dx/dt = v(x, t) from t = 0 to t = 1 in <paramref name="steps"/> uniform steps.</summary>
    /// <param name="solver">The solver.</param>
    /// <param name="velocity">The field.</param>
    /// <param name="x0">The samples at t = 0 (noise), <c>[N, ..]</c>; not changed.</param>
    /// <param name="steps">The number of steps, at least 1 (network evaluations: steps × <see cref="IFlowSolver.EvaluationsPerStep"/>).</param>
    /// <param name="onStep">Called after each step with the step just finished (from 1), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <returns>The samples at t = 1. Intermediate tensors are disposed as the loop goes; the result belongs to the caller's dispose scope.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="steps"/> is below 1.</exception>
    public static Tensor Integrate(IFlowSolver solver, VelocityField velocity, Tensor x0, int steps, Action<int>? onStep = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(solver);
        ArgumentNullException.ThrowIfNull(velocity);
        ArgumentNullException.ThrowIfNull(x0);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var x = x0.alias();
        for (int i = 0; i < steps; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double t = (double)i / steps;
            double dt = ((double)(i + 1) / steps) - t;
            using (var scope = NewDisposeScope())
            {
                var next = solver.Step(velocity, x, t, dt) ?? throw new InvalidOperationException($"{solver.GetType().Name}.Step returned null; it must return the advanced samples.");
                if (!next.shape.SequenceEqual(x.shape))
                {
                    throw new InvalidOperationException($"{solver.GetType().Name}.Step must return samples shaped {TensorShape.Format(x.shape)}, but returned {TensorShape.Format(next.shape)}.");
                }

                next.MoveToOuterDisposeScope();
                x.Dispose();
                x = next;
            }

            onStep?.Invoke(i + 1);
        }

        return x;
    }

    /// <summary>The time <paramref name="t"/> for every sample of <paramref name="x"/>: <c>[N]</c>, its dtype and device.</summary>
    /// <param name="x">The samples.</param>
    /// <param name="t">The time.</param>
    /// <returns>A new tensor.</returns>
    public static Tensor Times(Tensor x, double t)
    {
        ArgumentNullException.ThrowIfNull(x);
        return HeldScalars.Full([x.shape[0]], t, x.dtype, x.device);
    }
}
