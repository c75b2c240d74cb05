using static TorchSharp.torch;

using Generative.Tabular;

namespace Generative.TabularSynthesis;

/// <summary>
/// Multinomial diffusion in log space (Hoogeboom et al., 2021, as TabDDPM uses it) over several one-hot groups side by
/// side in one matrix <c>[rows, Σ K_g]</c>. A step from time s to time t (s &lt; t; s = t − 1 in training) keeps a slot
/// with probability a = ᾱ_t / ᾱ_s and otherwise resamples it uniformly over its group's K slots:
/// q(x_t | x_s) = Cat(a·x_s + (1 − a)/K), q(x_t | x₀) = Cat(ᾱ_t·x₀ + (1 − ᾱ_t)/K), and the posterior
/// q(x_s | x_t, x₀) ∝ q(x_t | x_s)·q(x_s | x₀), normalised within each group. Every probability is a log probability;
/// coefficients are per row, shaped <c>[rows, 1]</c>.
/// </summary>
internal sealed class MultinomialDiffusion : IDisposable
{
    /// <summary>The log of a probability taken as zero (log of one-hot zeros, disallowed categories).</summary>
    internal const float LogZero = -1e30f;

    private readonly (int Offset, int Width)[] _groups;
    private readonly Tensor _logK;

    /// <summary>Groups side by side from column 0.</summary>
    /// <param name="widths">Each group's number of slots K (at least 1).</param>
    internal MultinomialDiffusion(IReadOnlyList<int> widths)
    {
        _groups = new (int, int)[widths.Count];
        int offset = 0;
        var logK = new List<double>();
        for (int g = 0; g < widths.Count; g++)
        {
            _groups[g] = (offset, widths[g]);
            offset += widths[g];
            logK.AddRange(Enumerable.Repeat(Math.Log(widths[g]), widths[g]));
        }

        Width = offset;
        _logK = tensor(logK.ToArray(), ScalarType.Float64).DetachFromDisposeScope(); // float64, cast to the data's type where used
    }

    internal int Width { get; }

    internal int GroupCount => _groups.Length;

    internal IReadOnlyList<(int Offset, int Width)> Groups => _groups;

    /// <summary>log Cat(a·x + (1 − a)/K) for log probabilities <paramref name="logX"/> and per-row log a, log(1 − a).</summary>
    internal Tensor Mix(Tensor logX, Tensor logA, Tensor log1MinusA) =>
        logaddexp(logX.Plus(logA), log1MinusA - _logK.to(logX.dtype));

    /// <summary>log q(x_s | x_t, x₀): <paramref name="logX0"/> mixed to time s (or kept as it is where
    /// <paramref name="first"/>: s is the data), times q(x_t | x_s) as a function of x_s, normalised per group.</summary>
    internal Tensor Posterior(Tensor logX0, Tensor logXt, Tensor logAbarS, Tensor log1MinusAbarS, Tensor logA, Tensor log1MinusA, Tensor first)
    {
        using var scope = NewDisposeScope();
        var atS = where(first, logX0, Mix(logX0, logAbarS, log1MinusAbarS));
        var unnormalised = atS.Plus(Mix(logXt, logA, log1MinusA));
        return Normalise(unnormalised).MoveToOuterDisposeScope();
    }

    /// <summary>Subtracts each group's log-sum-exp (a log-softmax per group).</summary>
    internal Tensor Normalise(Tensor logits)
    {
        using var scope = NewDisposeScope();
        var parts = _groups.Select(g => logits.narrow(1, g.Offset, g.Width).log_softmax(1)).ToArray();
        return cat(parts, 1).MoveToOuterDisposeScope();
    }

    /// <summary>KL(p ‖ q) summed over all slots of all groups, per row.</summary>
    internal static Tensor Kl(Tensor logP, Tensor logQ) => (logP.exp() * (logP - logQ)).sum(1);

    /// <summary>One category per group drawn from log probabilities (Gumbel-max), as log one-hot.</summary>
    internal Tensor Sample(Tensor logProbabilities, Generator generator)
    {
        using var scope = NewDisposeScope();
        var u = rand(logProbabilities.shape, logProbabilities.dtype, logProbabilities.device, generator: generator);
        var gumbel = -(-u.Plus(1e-30).log()).Plus(1e-30).log();
        var scores = logProbabilities.Plus(gumbel);
        var parts = _groups.Select(g => nn.functional.one_hot(scores.narrow(1, g.Offset, g.Width).argmax(1), g.Width)).ToArray();
        return ToLog(cat(parts, 1)).MoveToOuterDisposeScope();
    }

    /// <summary>The log of a one-hot matrix (zeros as <see cref="LogZero"/>).</summary>
    internal static Tensor ToLog(Tensor oneHot)
    {
        using var scope = NewDisposeScope();
        var x = oneHot.to_type(ScalarType.Float32);
        return where(x.GreaterThan(0.5), zeros_like(x), x.FullLike(LogZero)).MoveToOuterDisposeScope();
    }

    /// <summary>KL(q(x_T | x₀) ‖ uniform) per row, summed over the groups (constant in the network; TabDDPM adds it).</summary>
    internal Tensor PriorKl(Tensor logX0, double logAbarLast, double log1MinusAbarLast)
    {
        using var scope = NewDisposeScope();
        var logK = _logK.to(logX0.dtype);
        var atT = logaddexp(logX0.Plus(logAbarLast), logK.SubtractedFrom(log1MinusAbarLast));
        return Kl(atT, (-logK).expand_as(atT)).MoveToOuterDisposeScope();
    }

    public void Dispose() => _logK.Dispose();
}
