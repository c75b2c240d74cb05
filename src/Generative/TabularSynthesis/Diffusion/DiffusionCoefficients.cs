using Generative.Diffusion;
using static TorchSharp.torch;

using Generative.Tabular;

namespace Generative.TabularSynthesis;

/// <summary>
/// The per-timestep numbers of the Gaussian and the multinomial diffusion, computed in float64 from the library's β
/// schedule (<see cref="NoiseSchedule"/>): log ᾱ_t and log(1 − ᾱ_t), and for a step from time s to time t the
/// one-step keep probability a = ᾱ_t / ᾱ_s (s = −1 is the data, ᾱ₋₁ = 1).
/// </summary>
internal sealed class DiffusionCoefficients
{
    private readonly double[] _logAbar;

    internal DiffusionCoefficients(int timesteps, BetaSchedule schedule)
    {
        var options = new NoiseScheduleOptions
        {
            TrainTimesteps = timesteps,
            BetaSchedule = schedule,
            BetaStart = 1e-4 * 1000 / timesteps,
            BetaEnd = Math.Min(0.02 * 1000 / timesteps, 0.999),
        };
        using var noise = new NoiseSchedule(options);
        float[] betas = noise.Betas.data<float>().ToArray();
        _logAbar = new double[timesteps];
        double sum = 0;
        for (int t = 0; t < timesteps; t++)
        {
            sum += Math.Log(1 - (double)betas[t]);
            _logAbar[t] = sum;
        }
    }

    internal int Timesteps => _logAbar.Length;

    /// <summary>log ᾱ_t (0 for t = −1).</summary>
    internal double LogAbar(int t) => t < 0 ? 0 : _logAbar[t];

    /// <summary>log(1 − ᾱ_t) (<see cref="MultinomialDiffusion.LogZero"/> for t = −1).</summary>
    internal double Log1MinusAbar(int t) => t < 0 ? MultinomialDiffusion.LogZero : Log1MinusExp(_logAbar[t]);

    /// <summary>log(1 − e^x) for x &lt; 0, accurately.</summary>
    internal static double Log1MinusExp(double x) => x > -0.693 ? Math.Log(-Expm1(x)) : Math.Log(1 - Math.Exp(x));

    /// <summary>e^x − 1, accurate for small |x| (a Taylor series below 10⁻⁵).</summary>
    private static double Expm1(double x) => Math.Abs(x) < 1e-5 ? x + (x * x / 2) + (x * x * x / 6) : Math.Exp(x) - 1;

    /// <summary>The coefficients of a step from s to t for every timestep t with s = t − 1 (training), as <c>[T]</c>
    /// float32 tensors; index them with a batch of timesteps.</summary>
    internal StepTable TrainingSteps()
    {
        int n = Timesteps;
        var steps = new Step[n];
        for (int t = 0; t < n; t++)
        {
            steps[t] = Between(t, t - 1);
        }

        return new StepTable(steps);
    }

    /// <summary>The coefficients of one step from <paramref name="s"/> (−1: the data) to <paramref name="t"/>.</summary>
    internal Step Between(int t, int s)
    {
        double logAbarT = LogAbar(t), logAbarS = LogAbar(s);
        double logA = logAbarT - logAbarS;
        double log1MinusA = Log1MinusExp(Math.Min(logA, -1e-300));
        return new Step(logAbarT, Log1MinusAbar(t), logAbarS, Log1MinusAbar(s), logA, log1MinusA, s < 0);
    }

    /// <summary>The timesteps of a sampler with <paramref name="count"/> steps, evenly spaced, from T − 1 down to 0.</summary>
    internal int[] SamplingTimesteps(int count)
    {
        int n = Timesteps;
        var set = new SortedSet<int>();
        for (int i = 0; i < count; i++)
        {
            set.Add(count == 1 ? n - 1 : (int)Math.Round(i * (n - 1) / (double)(count - 1)));
        }

        return [.. set.Reverse()];
    }

    /// <summary>A step from s to t: log ᾱ_t, log(1 − ᾱ_t), log ᾱ_s, log(1 − ᾱ_s), log a, log(1 − a), whether s is the data.</summary>
    internal readonly record struct Step(double LogAbarT, double Log1MinusAbarT, double LogAbarS, double Log1MinusAbarS, double LogA, double Log1MinusA, bool First)
    {
        internal double SqrtAbarT => Math.Exp(0.5 * LogAbarT);

        internal double SqrtOneMinusAbarT => Math.Exp(0.5 * Log1MinusAbarT);

        /// <summary>1 − a, the β of this (possibly respaced) step.</summary>
        internal double Beta => Math.Exp(Log1MinusA);

        /// <summary>The Gaussian posterior mean's coefficient of x̂₀: β·√ᾱ_s / (1 − ᾱ_t).</summary>
        internal double MeanCoefficientX0 => Beta * Math.Exp(0.5 * LogAbarS) / Math.Exp(Log1MinusAbarT);

        /// <summary>The Gaussian posterior mean's coefficient of x_t: (1 − ᾱ_s)·√a / (1 − ᾱ_t).</summary>
        internal double MeanCoefficientXt => (First ? 0 : Math.Exp(Log1MinusAbarS)) * Math.Exp(0.5 * LogA) / Math.Exp(Log1MinusAbarT);
    }

    /// <summary>The training steps' coefficients as float32 tensors of shape <c>[T]</c>.</summary>
    internal sealed class StepTable : IDisposable
    {
        internal StepTable(Step[] steps)
        {
            using var scope = NewDisposeScope();
            Tensor Of(Func<Step, double> f) => tensor(steps.Select(s => (float)f(s)).ToArray()).DetachFromDisposeScope();
            LogAbarT = Of(s => s.LogAbarT);
            Log1MinusAbarT = Of(s => s.Log1MinusAbarT);
            LogAbarS = Of(s => s.LogAbarS);
            Log1MinusAbarS = Of(s => s.Log1MinusAbarS);
            LogA = Of(s => s.LogA);
            Log1MinusA = Of(s => s.Log1MinusA);
            SqrtAbarT = Of(s => s.SqrtAbarT);
            SqrtOneMinusAbarT = Of(s => s.SqrtOneMinusAbarT);
        }

        internal Tensor LogAbarT { get; }

        internal Tensor Log1MinusAbarT { get; }

        internal Tensor LogAbarS { get; }

        internal Tensor Log1MinusAbarS { get; }

        internal Tensor LogA { get; }

        internal Tensor Log1MinusA { get; }

        internal Tensor SqrtAbarT { get; }

        internal Tensor SqrtOneMinusAbarT { get; }

        public void Dispose()
        {
            foreach (var t in new[] { LogAbarT, Log1MinusAbarT, LogAbarS, Log1MinusAbarS, LogA, Log1MinusA, SqrtAbarT, SqrtOneMinusAbarT })
            {
                t.Dispose();
            }
        }
    }
}
