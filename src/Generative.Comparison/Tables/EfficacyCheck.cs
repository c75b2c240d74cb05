using Generative.Tabular;

namespace Generative.Comparison.Tables;

/// <summary>
/// Machine-learning efficacy (train on synthetic, test on real; Esteban et al. 2017, TabDDPM's protocol): each learner
/// is trained once on the real training rows and once on the synthetic rows, each time with features encoded by a
/// <see cref="FeatureEncoder"/> fitted on its own training rows, and scored on the real held-out rows. Rows whose target
/// is missing are left out; so are synthetic rows whose class the real training rows lack.
/// </summary>
internal static class EfficacyCheck
{
    public static EfficacyResult Compute(
        int target, IReadOnlyList<ReportColumn> train, IReadOnlyList<ReportColumn> holdout, IReadOnlyList<ReportColumn> synthetic, TableReportOptions options)
    {
        var targetColumn = train[target];
        var features = Enumerable.Range(0, train.Count).Where(c => c != target).ToArray();
        if (features.Length == 0)
        {
            throw new ArgumentException($"Machine-learning efficacy needs a column besides the target '{targetColumn.Name}'.");
        }

        int[] Rows(IReadOnlyList<ReportColumn> table, Func<int, bool> keep) => [.. Enumerable.Range(0, table[target].Count).Where(keep)];
        int[] trainRows = Rows(train, r => !train[target].IsMissing(r));
        int[] testRows = Rows(holdout, r => !holdout[target].IsMissing(r));
        if (trainRows.Length < 2 || testRows.Length < 1)
        {
            throw new ArgumentException($"Target '{targetColumn.Name}' has {trainRows.Length} real training and {testRows.Length} held-out rows with a value; at least 2 and 1 are needed.");
        }

        if (targetColumn.IsNumeric)
        {
            if (targetColumn.Kind == ColumnKind.DateTime)
            {
                throw new ArgumentException($"Target '{targetColumn.Name}' is a date-time column; machine-learning efficacy predicts a categorical or Boolean (classification) or a continuous or integer (regression) column.");
            }

            int[] syntheticRegressionRows = Rows(synthetic, r => !synthetic[target].IsMissing(r));
            double[] testY = [.. testRows.Select(r => holdout[target].Numbers![r])];
            (double Boosted, double Simple) Regress(IReadOnlyList<ReportColumn> table, int[] rows)
            {
                if (rows.Length < 2)
                {
                    return (double.NaN, double.NaN);
                }

                var (x, test, width) = Encode(table, rows, holdout, testRows, features);
                double[] y = [.. rows.Select(r => table[target].Numbers![r])];
                return (RSquared(testY, Learners.BoostedRegression(x, y, width, test, options)), RSquared(testY, Learners.Ridge(x, y, width, test)));
            }

            var realScores = Regress(train, trainRows);
            var syntheticScores = Regress(synthetic, syntheticRegressionRows);
            return new EfficacyResult(
                targetColumn.Name, "regression", "R²", 0, trainRows.Length, syntheticRegressionRows.Length, testRows.Length,
                realScores.Boosted, syntheticScores.Boosted, realScores.Simple, syntheticScores.Simple);
        }

        string[] classes = [.. trainRows.Select(r => train[target].Labels![r]!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        if (classes.Length < 2)
        {
            throw new ArgumentException($"Target '{targetColumn.Name}' has a single class ('{classes[0]}') in the real training rows; a classification needs two.");
        }

        var index = classes.Select((c, k) => (c, k)).ToDictionary(p => p.c, p => p.k, StringComparer.Ordinal);
        int[] syntheticRows = Rows(synthetic, r => synthetic[target].Labels![r] is string label && index.ContainsKey(label));
        int[] truth = [.. testRows.Select(r => index.GetValueOrDefault(holdout[target].Labels![r]!, -1))];
        (double Boosted, double Simple) Classify(IReadOnlyList<ReportColumn> table, int[] rows)
        {
            if (rows.Length < 1)
            {
                return (double.NaN, double.NaN);
            }

            var (x, test, width) = Encode(table, rows, holdout, testRows, features);
            int[] y = [.. rows.Select(r => index[table[target].Labels![r]!])];
            int[] boosted = Learners.BoostedClasses(x, y, width, classes.Length, test, options);
            float[] probabilities = Learners.LogisticProbabilities(x, y, width, classes.Length, test);
            int[] simple = [.. Enumerable.Range(0, testRows.Length).Select(i => ArgMax(probabilities, i * classes.Length, classes.Length))];
            return (MacroF1(truth, boosted), MacroF1(truth, simple));
        }

        var real = Classify(train, trainRows);
        var fake = Classify(synthetic, syntheticRows);
        return new EfficacyResult(
            targetColumn.Name, "classification", "macro F1", classes.Length, trainRows.Length, syntheticRows.Length, testRows.Length,
            real.Boosted, fake.Boosted, real.Simple, fake.Simple);
    }

    /// <summary>Macro F1 as scikit-learn's <c>f1_score(average="macro")</c> (TabDDPM's <c>classification_report</c>
    /// "macro avg"): the unweighted mean over the labels present in the truth or the predictions of
    /// 2·TP / (2·TP + FP + FN), 0 where that is 0/0.</summary>
    public static double MacroF1(int[] truth, int[] predicted)
    {
        var labels = truth.Concat(predicted).Distinct().ToArray();
        double sum = 0;
        foreach (int label in labels)
        {
            int tp = 0, fp = 0, fn = 0;
            for (int i = 0; i < truth.Length; i++)
            {
                bool t = truth[i] == label, p = predicted[i] == label;
                tp += t && p ? 1 : 0;
                fp += !t && p ? 1 : 0;
                fn += t && !p ? 1 : 0;
            }

            int denominator = (2 * tp) + fp + fn;
            sum += denominator == 0 ? 0 : 2.0 * tp / denominator;
        }

        return sum / labels.Length;
    }

    /// <summary>The coefficient of determination 1 − Σ(y − ŷ)² / Σ(y − ȳ)² on the test rows.</summary>
    public static double RSquared(double[] truth, double[] predicted)
    {
        double mean = truth.Average();
        double residual = 0, total = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            residual += (truth[i] - predicted[i]) * (truth[i] - predicted[i]);
            total += (truth[i] - mean) * (truth[i] - mean);
        }

        return total > 0 ? 1 - (residual / total) : double.NaN;
    }

    private static (float[] Train, float[] Test, int Width) Encode(
        IReadOnlyList<ReportColumn> table, int[] rows, IReadOnlyList<ReportColumn> holdout, int[] testRows, int[] features)
    {
        var trainColumns = features.Select(c => table[c]).ToList();
        var testColumns = features.Select(c => holdout[c]).ToList();
        var encoder = FeatureEncoder.Fit(trainColumns, rows);
        return (encoder.Encode(trainColumns, rows), encoder.Encode(testColumns, testRows), encoder.Width);
    }

    private static int ArgMax(float[] values, int offset, int count)
    {
        int best = 0;
        for (int k = 1; k < count; k++)
        {
            if (values[offset + k] > values[offset + best])
            {
                best = k;
            }
        }

        return best;
    }
}
