using Generative.Diffusion;
using Generative.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.DenoisingGan;

/// <summary>
/// The forward process of a denoising diffusion GAN: T steps (2, 4 or 8 in the paper) of the discretised
/// variance-preserving SDE with a linear β(s) = β_min + s·(β_max − β_min), s ∈ [0, 1] (Xiao, Kreis and Vahdat 2022,
/// "Tackling the generative learning trilemma with denoising diffusion GANs", ICLR; Song et al. 2021 for the SDE).
/// </summary>
/// <remarks>
/// <para>Formulas (t = 1 … T, s_t = t/T, ᾱ_0 = 1). Step t integrates β(s) over [s_{t−1}, s_t]:</para>
/// <para>β_t = 1 − exp(−β_min/T − ½(β_max − β_min)(2t − 1)/T²), α_t = 1 − β_t,
/// ᾱ_t = Π_{i≤t} α_i = exp(−β_min·s_t − ½(β_max − β_min)·s_t²).</para>
/// <para>q(x_t | x_{t−1}) = N(√α_t·x_{t−1}, β_t·I); q(x_t | x_0) = N(√ᾱ_t·x_0, (1 − ᾱ_t)·I).</para>
/// <para>The Gaussian posterior q(x_{t−1} | x_t, x_0) = N(μ̃_t, β̃_t·I) with
/// μ̃_t = √ᾱ_{t−1}·β_t/(1 − ᾱ_t)·x_0 + √α_t·(1 − ᾱ_{t−1})/(1 − ᾱ_t)·x_t and β̃_t = β_t·(1 − ᾱ_{t−1})/(1 − ᾱ_t)
/// (so at t = 1 the posterior is x_0 itself: coefficients 1 and 0, variance 0).</para>
/// <para>The process is also a β sequence of the diffusion family's <see cref="NoiseSchedule"/> (<see cref="Schedule"/>,
/// whose timestep i is step t = i + 1): q(x_t | x_0) is drawn through its <see cref="NoiseSchedule.AddNoise"/>, and a
/// DDPM sampler on it has the same posterior (tested). The posterior coefficients are computed here in float64 from the
/// closed forms above.</para>
/// <para>Steps in tensors are int64 <c>[N]</c> in 1 … T (0 allowed where a marginal is asked for: q(x_0 | x_0) = x_0).
/// Every draw takes the caller's generator. Thread-safety: immutable once built. Disposing releases the coefficient
/// tensors and the schedule.</para>
/// </remarks>
public sealed class DenoisingGanProcess : IDisposable
{
    private readonly double[] _betas;
    private readonly double[] _alphasCumprod;
    private readonly Tensor _table; // [5, T + 1] float64 CPU: √ᾱ, √(1−ᾱ), posterior x₀ and x_t coefficients, posterior std
    private readonly Tensor _stepTable; // [2, T + 1] float64 CPU: √α_t, √β_t (index 0 unused)

    /// <summary>Builds the process.</summary>
    /// <param name="options">T, β_min and β_max; <see langword="null"/> for the paper's 4 steps, 0.1 and 20.</param>
    /// <exception cref="ArgumentException">An option is invalid (see <see cref="DenoisingGanProcessOptions.Validate"/>).</exception>
    public DenoisingGanProcess(DenoisingGanProcessOptions? options = null)
    {
        Options = options ?? new DenoisingGanProcessOptions();
        OptionProblems.ThrowIfAny(Options.Validate(), nameof(options));
        int steps = Options.Steps;
        _betas = VpBetas(steps, Options.BetaMin, Options.BetaMax);
        _alphasCumprod = new double[steps + 1];
        _alphasCumprod[0] = 1.0;
        for (int t = 1; t <= steps; t++)
        {
            _alphasCumprod[t] = _alphasCumprod[t - 1] * (1 - _betas[t - 1]);
        }

        var rows = new double[5 * (steps + 1)];
        var stepRows = new double[2 * (steps + 1)];
        for (int t = 0; t <= steps; t++)
        {
            rows[t] = Math.Sqrt(_alphasCumprod[t]);
            rows[(steps + 1) + t] = Math.Sqrt(1 - _alphasCumprod[t]);
            if (t >= 1)
            {
                var (x0, xt) = PosteriorMeanCoefficients(t);
                rows[(2 * (steps + 1)) + t] = x0;
                rows[(3 * (steps + 1)) + t] = xt;
                rows[(4 * (steps + 1)) + t] = Math.Sqrt(PosteriorVariance(t));
                stepRows[t] = Math.Sqrt(1 - Beta(t));
                stepRows[(steps + 1) + t] = Math.Sqrt(Beta(t));
            }
        }

        _table = tensor(rows, [5, steps + 1], ScalarType.Float64).DetachFromDisposeScope();
        _stepTable = tensor(stepRows, [2, steps + 1], ScalarType.Float64).DetachFromDisposeScope();
        Schedule = new NoiseSchedule(new NoiseScheduleOptions { TrainTimesteps = steps, TrainedBetas = _betas });
    }

    /// <summary>The options the process was built from.</summary>
    public DenoisingGanProcessOptions Options { get; }

    /// <summary>T, the number of denoising steps (and of generator evaluations per sample).</summary>
    public int Steps => Options.Steps;

    /// <summary>The same β sequence as a diffusion <see cref="NoiseSchedule"/> of T timesteps (timestep i is step i + 1),
    /// owned by the process.</summary>
    public NoiseSchedule Schedule { get; }

    /// <summary>β_1 … β_T of the discretised VP-SDE, in float64.</summary>
    /// <param name="steps">T, at least 1.</param>
    /// <param name="betaMin">β_min, at least 0.</param>
    /// <param name="betaMax">β_max, at least β_min.</param>
    /// <returns>β_t = 1 − exp(−β_min/T − ½(β_max − β_min)(2t − 1)/T²) for t = 1 … T.</returns>
    public static double[] VpBetas(int steps, double betaMin, double betaMax)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var betas = new double[steps];
        double t2 = (double)steps * steps;
        for (int t = 1; t <= steps; t++)
        {
            betas[t - 1] = 1 - Math.Exp(-(betaMin / steps) - (0.5 * (betaMax - betaMin) * ((2 * t) - 1) / t2));
        }

        return betas;
    }

    /// <summary>β_t.</summary>
    /// <param name="t">The step, 1 … T.</param>
    /// <returns>β_t in float64.</returns>
    public double Beta(int t) => _betas[CheckStep(t, 1) - 1];

    /// <summary>ᾱ_t, with ᾱ_0 = 1.</summary>
    /// <param name="t">The step, 0 … T.</param>
    /// <returns>ᾱ_t in float64.</returns>
    public double AlphaCumprod(int t) => _alphasCumprod[CheckStep(t, 0)];

    /// <summary>The coefficients of the posterior mean μ̃_t = a·x_0 + b·x_t.</summary>
    /// <param name="t">The step, 1 … T.</param>
    /// <returns>a = √ᾱ_{t−1}·β_t/(1 − ᾱ_t) and b = √α_t·(1 − ᾱ_{t−1})/(1 − ᾱ_t), in float64.</returns>
    public (double Original, double Noisy) PosteriorMeanCoefficients(int t)
    {
        CheckStep(t, 1);
        double beta = _betas[t - 1];
        double previous = _alphasCumprod[t - 1];
        double current = _alphasCumprod[t];
        return (Math.Sqrt(previous) * beta / (1 - current), Math.Sqrt(1 - beta) * (1 - previous) / (1 - current));
    }

    /// <summary>The posterior variance β̃_t = β_t·(1 − ᾱ_{t−1})/(1 − ᾱ_t) (0 at t = 1).</summary>
    /// <param name="t">The step, 1 … T.</param>
    /// <returns>β̃_t in float64.</returns>
    public double PosteriorVariance(int t)
    {
        CheckStep(t, 1);
        return _betas[t - 1] * (1 - _alphasCumprod[t - 1]) / (1 - _alphasCumprod[t]);
    }

    /// <summary>Draws x_t ~ q(x_t | x_0) = N(√ᾱ_t·x_0, (1 − ᾱ_t)·I); x_0 itself where t = 0.</summary>
    /// <param name="original">x_0, <c>[N, ..]</c>.</param>
    /// <param name="steps">t per sample, int64 <c>[N]</c> in 0 … T.</param>
    /// <param name="generator">The source of the noise (one draw shaped like <paramref name="original"/>).</param>
    /// <returns>x_t, owned by the caller.</returns>
    public Tensor Marginal(Tensor original, Tensor steps, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(generator);
        using var scope = NewDisposeScope();
        var noise = Noise(original, generator);
        var index = Index(steps, original);
        // q(x_t | x₀) for t ≥ 1 through the schedule (timestep t − 1); t = 0 keeps x₀.
        var noisy = Schedule.AddNoise(original, noise, index.Minus(1).ClampMin(0));
        return where(Broadcast(index.EqualTo(0), original), original, noisy).MoveToOuterDisposeScope();
    }

    /// <summary>Draws x_t ~ q(x_t | x_{t−1}) = N(√α_t·x_{t−1}, β_t·I).</summary>
    /// <param name="previous">x_{t−1}, <c>[N, ..]</c>.</param>
    /// <param name="steps">t per sample, int64 <c>[N]</c> in 1 … T.</param>
    /// <param name="generator">The source of the noise (one draw shaped like <paramref name="previous"/>).</param>
    /// <returns>x_t, owned by the caller.</returns>
    public Tensor Step(Tensor previous, Tensor steps, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(generator);
        using var scope = NewDisposeScope();
        var noise = Noise(previous, generator);
        var index = Index(steps, previous);
        var table = _stepTable.to(previous.device).to_type(previous.dtype);
        return (Gather(table[0], index, previous) * previous).Plus(Gather(table[1], index, previous) * noise).MoveToOuterDisposeScope();
    }

    /// <summary>Draws a training pair: x_{t−1} ~ q(x_{t−1} | x_0), then x_t ~ q(x_t | x_{t−1}) (in that order, from one generator).</summary>
    /// <param name="original">x_0, <c>[N, ..]</c>.</param>
    /// <param name="steps">t per sample, int64 <c>[N]</c> in 1 … T.</param>
    /// <param name="generator">The source of the two noise draws.</param>
    /// <returns>x_{t−1} and x_t, owned by the caller.</returns>
    public (Tensor Previous, Tensor Noisy) Pair(Tensor original, Tensor steps, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(steps);
        using var scope = NewDisposeScope();
        var previous = Marginal(original, steps.Minus(1), generator);
        var noisy = Step(previous, steps, generator);
        return (previous.MoveToOuterDisposeScope(), noisy.MoveToOuterDisposeScope());
    }

    /// <summary>The posterior mean μ̃_t(x_t, x_0) = a_t·x_0 + b_t·x_t.</summary>
    /// <param name="original">x_0 (a prediction), <c>[N, ..]</c>.</param>
    /// <param name="noisy">x_t, shaped like <paramref name="original"/>.</param>
    /// <param name="steps">t per sample, int64 <c>[N]</c> in 1 … T.</param>
    /// <returns>μ̃_t, owned by the caller (in the graph of the inputs).</returns>
    public Tensor PosteriorMean(Tensor original, Tensor noisy, Tensor steps)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(noisy);
        EnsureSameShape(original, noisy);
        using var scope = NewDisposeScope();
        var index = Index(steps, original);
        var table = _table.to(original.device).to_type(original.dtype);
        return (Gather(table[2], index, original) * original).Plus(Gather(table[3], index, original) * noisy).MoveToOuterDisposeScope();
    }

    /// <summary>Draws x_{t−1} ~ q(x_{t−1} | x_t, x_0) = N(μ̃_t, β̃_t·I) (reparameterised: the result is in the graph of x_0,
    /// so a generator's prediction gets gradients through it). Draws its noise even where β̃_t = 0 (t = 1), so that the
    /// generator's stream does not depend on t.</summary>
    /// <param name="original">x_0 (a prediction), <c>[N, ..]</c>.</param>
    /// <param name="noisy">x_t, shaped like <paramref name="original"/>.</param>
    /// <param name="steps">t per sample, int64 <c>[N]</c> in 1 … T.</param>
    /// <param name="generator">The source of the noise.</param>
    /// <returns>x_{t−1}, owned by the caller.</returns>
    public Tensor Posterior(Tensor original, Tensor noisy, Tensor steps, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        using var scope = NewDisposeScope();
        var mean = PosteriorMean(original, noisy, steps);
        var noise = Noise(original, generator);
        var index = Index(steps, original);
        var table = _table.to(original.device).to_type(original.dtype);
        return mean.Plus(Gather(table[4], index, original) * noise).MoveToOuterDisposeScope();
    }

    /// <summary>Releases the coefficient tensors and the schedule.</summary>
    public void Dispose()
    {
        _table.Dispose();
        _stepTable.Dispose();
        Schedule.Dispose();
    }

    private int CheckStep(int t, int min) =>
        t >= min && t <= Steps ? t : throw new ArgumentOutOfRangeException(nameof(t), t, $"The step must be in [{min}, {Steps}].");

    private static Tensor Noise(Tensor like, Generator generator)
    {
        var drawn = randn(like.shape, like.dtype, generator.device, generator: generator);
        return drawn.device_type == like.device_type && drawn.device_index == like.device_index ? drawn : drawn.to(like.device);
    }

    private Tensor Index(Tensor steps, Tensor samples)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Dimensions != 1 || steps.shape[0] != samples.shape[0])
        {
            throw new ArgumentException(
                $"Expected one step per sample, shaped [{samples.shape[0]}], but got {TensorShape.Format(steps.shape)}.", nameof(steps));
        }

        return steps.to(samples.device).to_type(ScalarType.Int64);
    }

    private static Tensor Gather(Tensor row, Tensor index, Tensor like)
    {
        var shape = Enumerable.Repeat(1L, (int)like.Dimensions).ToArray();
        shape[0] = index.shape[0];
        return row.index_select(0, index).view(shape);
    }

    private static Tensor Broadcast(Tensor mask, Tensor like)
    {
        var shape = Enumerable.Repeat(1L, (int)like.Dimensions).ToArray();
        shape[0] = mask.shape[0];
        return mask.view(shape);
    }

    private static void EnsureSameShape(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape))
        {
            throw new ArgumentException($"x_0 is shaped {TensorShape.Format(a.shape)} but x_t {TensorShape.Format(b.shape)}; they must match.", nameof(b));
        }
    }
}

/// <summary>The forward process of a <see cref="DenoisingGanProcess"/>: T and the VP-SDE's β range.</summary>
public sealed record DenoisingGanProcessOptions
{
    /// <summary>T, the number of denoising steps, 1 to 1000 (the paper uses 2, 4 and 8). Default 4.</summary>
    public int Steps { get; init; } = 4;

    /// <summary>β_min of the VP-SDE, finite and at least 0. Default 0.1 (the paper's).</summary>
    public double BetaMin { get; init; } = 0.1;

    /// <summary>β_max of the VP-SDE, finite, greater than 0 and at least <see cref="BetaMin"/>. Default 20 (the paper's).</summary>
    public double BetaMax { get; init; } = 20.0;

    /// <summary>Checks every option and returns all problems, each naming its option; empty when the options are valid.</summary>
    /// <returns>The problems, e.g. <c>DenoisingGanProcessOptions.Steps must be in [1, 1000] (was 0).</c></returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new OptionProblems(nameof(DenoisingGanProcessOptions));
        problems.Require(Steps is >= 1 and <= 1000, nameof(Steps), $"must be in [1, 1000] (was {Steps}).");
        problems.Require(BetaMin >= 0 && double.IsFinite(BetaMin), nameof(BetaMin), $"must be finite and at least 0 (was {BetaMin}).");
        problems.Require(BetaMax > 0 && double.IsFinite(BetaMax) && BetaMax >= BetaMin, nameof(BetaMax),
            $"must be finite, greater than 0 and at least BetaMin ({BetaMin}) (was {BetaMax}).");
        return problems.Problems;
    }
}
