using Generative.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Comparison;

/// <summary>
/// Measures generated samples against a <see cref="ComparisonData"/>'s real samples with the metrics that apply to
/// its kind, under the names the comparison's JSON uses:
/// <list type="bullet">
/// <item>mixtures: <c>modesCaptured</c>, <c>highQualityFraction</c>, <c>modeKl</c> (PacGAN protocol), and the
/// distances below on the raw points;</item>
/// <item>every kind: <c>frechetDistance</c>, <c>kernelDistance</c>, <c>precision</c>, <c>recall</c>, <c>density</c>,
/// <c>coverage</c> — on raw points, on standardised columns (tables, vectors), or on a digit classifier's features;</item>
/// <item>digits: <c>modesCaptured</c> and <c>modeKl</c> from the classifier's predicted classes (10 or 1000 modes);</item>
/// <item>tables: <c>tstrAccuracy</c> (train on synthetic, test on real), <c>trtrAccuracy</c> (train on real),
/// <c>columnWasserstein</c> (mean W1 per standardised column) and <c>correlationDifference</c> (Frobenius norm of the
/// difference of the correlation matrices).</item>
/// </list>
/// </summary>
/// <remarks>Owns the digits classifier it trains on first use; not thread-safe.</remarks>
public sealed class ComparisonEvaluator : IDisposable
{
    private readonly ComparisonData _data;
    private DigitsClassifier? _classifier;

    /// <summary>Creates an evaluator for the data (the data is not owned).</summary>
    /// <param name="data">The comparison's data.</param>
    public ComparisonEvaluator(ComparisonData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        _data = data;
    }

    /// <summary>The held-out accuracy of the digit classifier whose features the image metrics use (after the first image evaluation).</summary>
    public double? ClassifierAccuracy => _classifier?.HeldOutAccuracy;

    /// <summary>Measures <paramref name="samples"/>.</summary>
    /// <param name="samples">Generated samples <c>[n, ..SampleShape]</c> in the data's units (n ≥ 10).</param>
    /// <param name="labels">Their classes for a labelled table, else <see langword="null"/>.</param>
    /// <param name="seed">Seed of the metrics' own random draws (KID subsets, the TSTR classifier).</param>
    /// <returns>Metric values by name.</returns>
    public IReadOnlyDictionary<string, double> Evaluate(Tensor samples, Tensor? labels, long seed)
    {
        ArgumentNullException.ThrowIfNull(samples);
        _data.SampleShape.EnsureBatch(samples, nameof(samples));
        using var scope = NewDisposeScope();
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        var generated = samples.to_type(ScalarType.Float32).cpu();
        Tensor realFeatures;
        Tensor fakeFeatures;
        switch (_data.Kind)
        {
            case ComparisonDataKind.Mixture:
            {
                var coverage = ModeCoverage.Compute(generated, _data.ModeCentres!, _data.ModeStandardDeviation!.Value);
                metrics["modesCaptured"] = coverage.ModesCaptured;
                metrics["modeCount"] = coverage.ModeCount;
                metrics["highQualityFraction"] = coverage.HighQualityFraction ?? double.NaN;
                metrics["modeKl"] = coverage.KlToUniform;
                realFeatures = EqualSizedReference(generated.shape[0]);
                fakeFeatures = generated;
                break;
            }

            case ComparisonDataKind.Digits:
            case ComparisonDataKind.StackedDigits:
            {
                _classifier ??= DigitsClassifier.Train(seed: 0);
                bool stacked = _data.Kind == ComparisonDataKind.StackedDigits;
                var predicted = stacked ? _classifier.PredictStacked(generated) : _classifier.Predict(generated);
                var coverage = ModeCoverage.FromLabels(predicted, stacked ? 1000 : 10);
                metrics["modesCaptured"] = coverage.ModesCaptured;
                metrics["modeCount"] = coverage.ModeCount;
                metrics["modeKl"] = coverage.KlToUniform;
                realFeatures = stacked ? _classifier.FeaturesStacked(_data.ReferenceSamples) : _classifier.Features(_data.ReferenceSamples);
                fakeFeatures = stacked ? _classifier.FeaturesStacked(generated) : _classifier.Features(generated);
                break;
            }

            default:
            {
                var reference = _data.Kind == ComparisonDataKind.Table ? _data.ReferenceSamples : EqualSizedReference(generated.shape[0]);
                var mean = reference.mean([0], keepdim: true);
                using var floor = 1e-8.ToScalar(); // held across the call (docs/troubleshooting.md)
                var std = reference.std([0], keepdim: true).clamp_min(floor);
                realFeatures = (reference - mean) / std;
                fakeFeatures = (generated - mean) / std;
                if (_data.Kind == ComparisonDataKind.Table)
                {
                    var fidelity = TableFidelity.Compute(realFeatures, fakeFeatures);
                    metrics["columnWasserstein"] = fidelity.MeanStandardisedWasserstein;
                    metrics["correlationDifference"] = fidelity.CorrelationFrobenius;
                    if (labels is not null)
                    {
                        var testFeatures = (_data.TestSamples! - mean) / std;
                        var utility = TableUtility.Compute(
                            fakeFeatures, labels.cpu(), realFeatures, _data.TrainLabels!, testFeatures, _data.TestLabels!, _data.ClassCount);
                        metrics["tstrAccuracy"] = utility.TrainSyntheticTestReal;
                        metrics["trtrAccuracy"] = utility.TrainRealTestReal;
                    }
                }

                break;
            }
        }

        bool finite = fakeFeatures.isfinite().all().item<bool>();
        if (!finite)
        {
            // A diverged model: distances are undefined; report them as NaN rather than fail the whole comparison.
            foreach (string name in new[] { "frechetDistance", "kernelDistance", "precision", "recall", "density", "coverage" })
            {
                metrics[name] = double.NaN;
            }

            return metrics;
        }

        metrics["frechetDistance"] = FrechetDistance.Compute(realFeatures, fakeFeatures);
        using (var generator = new Generator((ulong)seed))
        {
            long subset = Math.Min(1000, Math.Min(realFeatures.shape[0], fakeFeatures.shape[0]));
            metrics["kernelDistance"] = KernelDistance.Compute(realFeatures, fakeFeatures, generator, subsetCount: 50, subsetSize: subset).Mean;
        }

        var (pr, dc) = NearestNeighbourMetrics.Compute(realFeatures, fakeFeatures);
        metrics["precision"] = pr.Precision;
        metrics["recall"] = pr.Recall;
        metrics["density"] = dc.Density;
        metrics["coverage"] = dc.Coverage;
        return metrics;
    }

    /// <inheritdoc />
    public void Dispose() => _classifier?.Dispose();

    // Generated data sets have a large reference draw; k-NN metrics compare sets of equal size (Kynkäänniemi et al.).
    private Tensor EqualSizedReference(long count) =>
        _data.ReferenceSamples.slice(0, 0, Math.Min(count, _data.ReferenceSamples.shape[0]), 1);
}
