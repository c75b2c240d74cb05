using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Testing;

/// <summary>
/// The contract every <see cref="INoiseSchedule"/> keeps, checked in float64 against the formulas of the forward
/// process (Ho et al. 2020, eq. 4; the v-parameterisation of Salimans &amp; Ho 2022):
/// <code>
/// [Fact] public void Keeps_the_schedule_contract() => NoiseScheduleContract.Verify(new MySchedule());
/// </code>
/// </summary>
/// <remarks>
/// Checked: <c>[T]</c> coefficient vectors with β in (0, 1), α = 1 − β and ᾱ = ∏α (strictly decreasing, in (0, 1]);
/// <c>AlphaCumprodAt</c> agrees with <c>AlphasCumprod</c> and refuses timesteps outside [0, T − 1];
/// <c>AddNoise</c> = √ᾱ x₀ + √(1 − ᾱ) ε, <c>GetVelocity</c> = √ᾱ ε − √(1 − ᾱ) x₀ and
/// <c>SignalToNoiseRatio</c> = ᾱ / (1 − ᾱ) for vectors and images in float32 and float64 (result in the input's dtype,
/// relative tolerance 1e-5 in float32, 1e-10 in float64), inputs unchanged, nothing left alive outside the caller's
/// dispose scope.
/// </remarks>
public static class NoiseScheduleContract
{
    /// <summary>Runs every check and throws once with all the violations found.</summary>
    /// <param name="schedule">The schedule to check.</param>
    /// <exception cref="ContractViolationException">The schedule breaks the contract; the message lists how.</exception>
    public static void Verify(INoiseSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var v = new Violations(schedule.GetType().Name);
        int steps = schedule.TrainTimesteps;
        v.Check(steps > 0, $"TrainTimesteps is {steps}");
        if (steps <= 0)
        {
            v.ThrowIfAny();
        }

        using var scope = NewDisposeScope();
        Tensor? alphaBar = null;
        v.Run("the coefficients", () =>
        {
            var betas = schedule.Betas.to_type(ScalarType.Float64);
            var alphas = schedule.Alphas.to_type(ScalarType.Float64);
            alphaBar = schedule.AlphasCumprod.to_type(ScalarType.Float64);
            foreach (var (name, t) in new[] { ("Betas", betas), ("Alphas", alphas), ("AlphasCumprod", alphaBar) })
            {
                v.Check(t.shape.SequenceEqual(new long[] { steps }), $"{name} has shape {TensorShape.Format(t.shape)}, expected [{steps}]");
            }

            using var zero = 0.ToScalar();
            using var one = 1.ToScalar();
            v.Check(betas.gt(zero).all().item<bool>() && betas.lt(one).all().item<bool>(), "Betas are not all in (0, 1)");
            v.Check(alphas.allclose(OneMinus(betas), rtol: 0, atol: 1e-6), "Alphas are not 1 − Betas");
            v.Check(alphaBar.allclose(alphas.cumprod(0), rtol: 1e-5, atol: 1e-7), "AlphasCumprod is not the running product of Alphas");
            v.Check(alphaBar.gt(zero).all().item<bool>() && alphaBar.le(one).all().item<bool>(), "AlphasCumprod is not in (0, 1]");
            v.Check(steps == 1 || alphaBar[1..].lt(alphaBar[..^1]).all().item<bool>(), "AlphasCumprod does not decrease strictly");
            foreach (long t in new long[] { 0, steps / 2, steps - 1 })
            {
                double expected = alphaBar[t].item<double>();
                double actual = schedule.AlphaCumprodAt(t);
                v.Check(Math.Abs(actual - expected) <= 1e-6 * Math.Max(1, Math.Abs(expected)), $"AlphaCumprodAt({t}) is {actual}, AlphasCumprod[{t}] is {expected}");
            }
        });
        v.Throws<ArgumentOutOfRangeException>("AlphaCumprodAt(-1)", () => schedule.AlphaCumprodAt(-1));
        v.Throws<ArgumentOutOfRangeException>($"AlphaCumprodAt({steps})", () => schedule.AlphaCumprodAt(steps));
        if (alphaBar is null)
        {
            v.ThrowIfAny();
            return;
        }

        using var generator = new Generator(7);
        foreach (long[] shape in new[] { new long[] { 5, 3 }, new long[] { 3, 2, 4, 4 } })
        {
            foreach (ScalarType dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
            {
                v.Run($"the forward process on {TensorShape.Format(shape)} {dtype}", () => CheckForward(schedule, alphaBar, shape, dtype, generator, v));
            }
        }

        v.Run("leaked tensors", () =>
        {
            using var x = randn(4, 3, generator: generator);
            using var noise = randn(4, 3, generator: generator);
            using var t = tensor(new long[] { 0, 1, steps / 2, steps - 1 });
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            using (NewDisposeScope())
            {
                schedule.AddNoise(x, noise, t);
                schedule.GetVelocity(x, noise, t);
                schedule.SignalToNoiseRatio(t);
            }

            long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            v.Check(after == before, $"AddNoise, GetVelocity and SignalToNoiseRatio in a dispose scope left {after - before} tensor(s) alive");
        });
        v.ThrowIfAny();
    }

    private static void CheckForward(INoiseSchedule schedule, Tensor alphaBar, long[] shape, ScalarType dtype, Generator generator, Violations v)
    {
        using var scope = NewDisposeScope();
        long n = shape[0], steps = schedule.TrainTimesteps;
        var x = randn(shape, dtype, generator: generator);
        var noise = randn(shape, dtype, generator: generator);
        var t = randint(0, steps, [n], generator: generator, dtype: ScalarType.Int64);
        t[0] = tensor(0L);
        t[n - 1] = tensor(steps - 1);
        var (xBefore, noiseBefore, tBefore) = (x.clone(), noise.clone(), t.clone());

        long[] broadcast = [n, .. Enumerable.Repeat(1L, shape.Length - 1)];
        var ab = alphaBar.index_select(0, t).reshape(broadcast);
        var x64 = x.to_type(ScalarType.Float64);
        var noise64 = noise.to_type(ScalarType.Float64);
        using var alpha = 1.ToScalar(); // add's alpha, which TorchSharp otherwise makes implicitly
        var expectedNoisy = (ab.sqrt() * x64).add(OneMinus(ab).sqrt() * noise64, alpha);
        var expectedVelocity = ab.sqrt() * noise64 - OneMinus(ab).sqrt() * x64;
        var expectedSnr = alphaBar.index_select(0, t) / OneMinus(alphaBar.index_select(0, t));
        double rtol = dtype == ScalarType.Float32 ? 1e-5 : 1e-10, atol = dtype == ScalarType.Float32 ? 1e-6 : 1e-12;

        var noisy = schedule.AddNoise(x, noise, t);
        v.CheckTensor("AddNoise", noisy, shape, dtype);
        v.Check(noisy.to_type(ScalarType.Float64).allclose(expectedNoisy, rtol, atol), $"AddNoise in {dtype} is not √ᾱ x₀ + √(1 − ᾱ) ε within rtol {rtol}");
        var velocity = schedule.GetVelocity(x, noise, t);
        v.CheckTensor("GetVelocity", velocity, shape, dtype);
        v.Check(velocity.to_type(ScalarType.Float64).allclose(expectedVelocity, rtol, atol), $"GetVelocity in {dtype} is not √ᾱ ε − √(1 − ᾱ) x₀ within rtol {rtol}");
        var snr = schedule.SignalToNoiseRatio(t).to_type(ScalarType.Float64);
        v.Check(snr.shape.SequenceEqual(new[] { n }) && snr.allclose(expectedSnr, 1e-5, 0), "SignalToNoiseRatio is not ᾱ / (1 − ᾱ), one per timestep");
        v.Check(Tensors.Same(x, xBefore) && Tensors.Same(noise, noiseBefore) && Tensors.Same(t, tBefore), "AddNoise, GetVelocity or SignalToNoiseRatio modified an input");
    }

    /// <summary><c>1 - x</c> as TorchSharp computes it (<c>x.negative().add(1)</c>, alpha 1), with both Scalars held: an
    /// implicit one can be finalised during the native call (docs/troubleshooting.md).</summary>
    private static Tensor OneMinus(Tensor x)
    {
        using var one = 1.ToScalar();
        using var negative = x.negative();
        return negative.add(one, one);
    }
}
