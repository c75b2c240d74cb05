using Generative.Data.BuiltIn;
using TorchSharp;

namespace Generative.Evaluation;

/// <summary>How many modes of a known multi-modal distribution a generated set reaches, and how evenly.</summary>
/// <param name="ModesCaptured">Modes with at least one (high-quality) sample assigned, 0..<paramref name="ModeCount"/>.</param>
/// <param name="ModeCount">Number of modes M of the true distribution.</param>
/// <param name="HighQualityFraction">
/// Fraction of samples within the quality threshold of their nearest mode, in [0, 1] (mixtures); <see langword="null"/>
/// for label-based coverage (<see cref="ModeCoverage.FromLabels"/>), where every labelled sample counts.
/// </param>
/// <param name="KlToUniform">KL(q ‖ uniform) in nats for the histogram q of counted samples over modes; see <see cref="ModeCoverage.KlToUniform"/>.</param>
/// <param name="ModeCounts">Counted samples per mode, length M.</param>
/// <param name="SampleCount">Number of samples evaluated.</param>
public sealed record ModeCoverageResult(
    int ModesCaptured,
    int ModeCount,
    double? HighQualityFraction,
    double KlToUniform,
    IReadOnlyList<long> ModeCounts,
    long SampleCount);

/// <summary>
/// Mode coverage as in PacGAN (Lin et al. 2018, "PacGAN: the power of two samples in generative adversarial
/// networks", §5 and Table 1, following VEEGAN, Srivastava et al. 2017): each sample is assigned to its nearest mode;
/// it is <em>high quality</em> if its Mahalanobis distance to that mode, ‖x − μ‖ / σ for isotropic modes, is
/// below 3 (within 3σ); a mode is <em>captured</em> if at least one high-quality sample is assigned to it. The
/// result also gives the fraction of high-quality samples and KL(q ‖ uniform) for the histogram q of high-quality
/// samples over the modes.
/// </summary>
/// <remarks>Blockwise over samples (no N×M matrix beyond <c>blockElements</c> entries). Stateless and thread-safe.</remarks>
public static class ModeCoverage
{
    /// <summary>PacGAN's quality threshold: within 3 standard deviations.</summary>
    public const double DefaultThreshold = 3.0;

    /// <summary>Mode coverage of <paramref name="samples"/> on a Gaussian mixture with isotropic modes.</summary>
    /// <param name="samples">Generated points <c>[N, D]</c>, N ≥ 1 (non-finite rows count as not high quality).</param>
    /// <param name="modeCentres">Mode centres <c>[M, D]</c>, M ≥ 1.</param>
    /// <param name="standardDeviation">σ of every mode, &gt; 0 (in the same units as the samples).</param>
    /// <param name="threshold">Mahalanobis threshold in σ units, &gt; 0 (default 3): high quality when distance &lt; threshold.</param>
    /// <param name="blockElements">Largest number of sample-to-mode distances formed at once (default 2²²).</param>
    public static ModeCoverageResult Compute(
        torch.Tensor samples,
        torch.Tensor modeCentres,
        double standardDeviation,
        double threshold = DefaultThreshold,
        long blockElements = 1L << 22)
    {
        FeatureChecks.EnsureFeatures(samples, nameof(samples));
        FeatureChecks.EnsureFeatures(modeCentres, nameof(modeCentres));
        FeatureChecks.EnsureSameDimension(modeCentres, samples, nameof(samples));
        FeatureChecks.EnsureBlockElements(blockElements, nameof(blockElements));
        if (!(standardDeviation > 0) || double.IsInfinity(standardDeviation))
        {
            throw new ArgumentOutOfRangeException(nameof(standardDeviation), standardDeviation, "σ must be a finite number > 0.");
        }

        if (!(threshold > 0) || double.IsInfinity(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be a finite number > 0.");
        }

        int modes = (int)modeCentres.shape[0];
        long n = samples.shape[0];
        using var scope = torch.NewDisposeScope();
        var centres = modeCentres.to_type(torch.ScalarType.Float64).to(samples.device);
        var counts = torch.zeros(modes, dtype: torch.ScalarType.Int64, device: samples.device);
        long highQuality = 0;
        long rows = FeatureChecks.RowsPerBlock(modes, blockElements);
        double limit = threshold * standardDeviation;
        for (long start = 0; start < n; start += rows)
        {
            using var blockScope = torch.NewDisposeScope();
            long end = Math.Min(n, start + rows);
            var block = samples.Rows(start, end).to_type(torch.ScalarType.Float64);
            var distances = (block.unsqueeze(1) - centres.unsqueeze(0)).Squared().sum([2]).sqrt();
            var (nearest, index) = distances.min(1);
            var good = nearest.LessThan(limit);
            highQuality += good.sum().item<long>();
            counts.PlusInPlace(torch.bincount(index.masked_select(good), minlength: modes));
        }

        long[] histogram = counts.cpu().data<long>().ToArray();
        int captured = histogram.Count(c => c > 0);
        return new ModeCoverageResult(captured, modes, (double)highQuality / n, KlToUniform(histogram), histogram, n);
    }

    /// <summary>Mode coverage of <paramref name="samples"/> on a built-in mixture (ring or grid), with its centres and σ.</summary>
    /// <param name="samples">Generated points <c>[N, 2]</c> in the data set's units.</param>
    /// <param name="mixture">A data set with <see cref="BuiltInDataset.ModeCentres"/> (ring, grid).</param>
    /// <param name="threshold">Mahalanobis threshold in σ units, &gt; 0 (default 3).</param>
    /// <exception cref="ArgumentException">The data set is not a Gaussian mixture.</exception>
    public static ModeCoverageResult ComputeForMixture(torch.Tensor samples, BuiltInDataset mixture, double threshold = DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        if (mixture.ModeCentres is null || mixture.ModeStandardDeviation is null)
        {
            throw new ArgumentException($"The data set '{mixture.Name}' is not a Gaussian mixture with known modes (ring and grid are).", nameof(mixture));
        }

        return Compute(samples, mixture.ModeCentres, mixture.ModeStandardDeviation.Value, threshold);
    }

    /// <summary>
    /// Label-based mode coverage (the Stacked-MNIST protocol): <paramref name="labels"/> are the modes assigned to
    /// generated samples by a classifier (e.g. <see cref="DigitsClassifier.Predict"/>); a mode is captured when at
    /// least one sample has its label. Labels outside 0..M−1 are not counted.
    /// </summary>
    /// <param name="labels">Integer labels <c>[N]</c>, N ≥ 1.</param>
    /// <param name="modeCount">Number of modes M, ≥ 1 (10 for digits, 1000 for stacked digits).</param>
    public static ModeCoverageResult FromLabels(torch.Tensor labels, int modeCount)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(modeCount, 1);
        if (labels.dim() != 1 || labels.shape[0] < 1 || labels.is_floating_point())
        {
            throw new ArgumentException($"Expected integer labels [N] with N ≥ 1; got {labels.dtype} [{string.Join(", ", labels.shape)}].", nameof(labels));
        }

        using var scope = torch.NewDisposeScope();
        var values = labels.to_type(torch.ScalarType.Int64);
        var valid = values.AtLeast(0).logical_and(values.LessThan(modeCount));
        long[] histogram = torch.bincount(values.masked_select(valid), minlength: modeCount).cpu().data<long>().ToArray();
        int captured = histogram.Count(c => c > 0);
        return new ModeCoverageResult(captured, modeCount, null, KlToUniform(histogram), histogram, labels.shape[0]);
    }

    /// <summary>
    /// KL(q ‖ u) = Σₘ qₘ ln(M·qₘ) in nats, where qₘ = countₘ / Σ count and u is uniform over the M modes; terms with
    /// qₘ = 0 contribute 0 (the limit), and no smoothing is applied. 0 for a perfectly even histogram, ln M when every
    /// sample falls in one mode. With no counted samples at all it returns ln M, the worst value.
    /// </summary>
    /// <param name="counts">Counts per mode, each ≥ 0; at least one mode.</param>
    public static double KlToUniform(IReadOnlyList<long> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Count == 0)
        {
            throw new ArgumentException("At least one mode is needed.", nameof(counts));
        }

        double total = 0;
        foreach (long c in counts)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(c, nameof(counts));
            total += c;
        }

        int modes = counts.Count;
        if (total == 0)
        {
            return Math.Log(modes);
        }

        double kl = 0;
        foreach (long c in counts)
        {
            if (c > 0)
            {
                double q = c / total;
                kl += q * Math.Log(modes * q);
            }
        }

        return Math.Max(0.0, kl);
    }
}
