using static TorchSharp.torch;

namespace Generative.Comparison.Tables;

/// <summary>
/// Detection: real training rows (label 0) against synthetic rows (label 1), at most
/// <see cref="TableReportOptions.DetectionRows"/> of each drawn at random, encoded by a <see cref="FeatureEncoder"/>
/// fitted on all of them, scored by stratified k-fold cross-validation with logistic regression and FastTree; the ROC
/// AUC of each held-out fold.
/// </summary>
internal static class DetectionClassifiers
{
    public static DetectionResult Compute(IReadOnlyList<ReportColumn> real, IReadOnlyList<ReportColumn> synthetic, TableReportOptions options, Generator generator)
    {
        int[] realRows = Sample(real[0].Count, options.DetectionRows, generator);
        int[] syntheticRows = Sample(synthetic[0].Count, options.DetectionRows, generator);
        if (realRows.Length < options.DetectionFolds || syntheticRows.Length < options.DetectionFolds)
        {
            throw new ArgumentException(
                $"Detection needs at least {options.DetectionFolds} real and synthetic rows (one per fold); got {realRows.Length} and {syntheticRows.Length}.");
        }

        // One table of both: the real rows first, then the synthetic ones.
        var joined = real.Select((c, k) => Join(c, realRows, synthetic[k], syntheticRows)).ToList();
        int n = realRows.Length + syntheticRows.Length;
        int[] all = [.. Enumerable.Range(0, n)];
        var encoder = FeatureEncoder.Fit(joined, all);
        float[] x = encoder.Encode(joined, all);
        int width = encoder.Width;
        bool[] label = [.. all.Select(i => i >= realRows.Length)];

        // Stratified folds: each side shuffled, row i of a side in fold i mod k.
        var fold = new int[n];
        Assign(fold, 0, realRows.Length, options.DetectionFolds, generator);
        Assign(fold, realRows.Length, syntheticRows.Length, options.DetectionFolds, generator);
        var logistic = new List<double>();
        var boosted = new List<double>();
        for (int f = 0; f < options.DetectionFolds; f++)
        {
            int[] trainRows = [.. all.Where(i => fold[i] != f)];
            int[] testRows = [.. all.Where(i => fold[i] == f)];
            float[] trainX = Rows(x, width, trainRows);
            float[] testX = Rows(x, width, testRows);
            bool[] trainY = [.. trainRows.Select(i => label[i])];
            bool[] testY = [.. testRows.Select(i => label[i])];
            float[] probabilities = Learners.LogisticProbabilities(trainX, [.. trainY.Select(b => b ? 1 : 0)], width, 2, testX);
            logistic.Add(RocAuc([.. Enumerable.Range(0, testRows.Length).Select(i => (double)probabilities[(2 * i) + 1])], testY));
            float[] scores = Learners.BoostedBinaryScores(trainX, trainY, width, testX, options);
            boosted.Add(RocAuc([.. scores.Select(s => (double)s)], testY));
        }

        return new DetectionResult(options.DetectionFolds, realRows.Length, syntheticRows.Length, logistic, boosted);
    }

    /// <summary>ROC AUC by ranks (Mann–Whitney U / (P·N), ties given their mean rank): the chance that a random
    /// positive scores above a random negative.</summary>
    public static double RocAuc(double[] scores, bool[] positive)
    {
        int n = scores.Length;
        int[] order = [.. Enumerable.Range(0, n).OrderBy(i => scores[i])];
        var rank = new double[n];
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]])
            {
                j++;
            }

            double mean = ((i + j) / 2.0) + 1;
            for (int k = i; k <= j; k++)
            {
                rank[order[k]] = mean;
            }

            i = j + 1;
        }

        double positives = positive.Count(p => p);
        double negatives = n - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }

        double sum = Enumerable.Range(0, n).Where(i => positive[i]).Sum(i => rank[i]);
        return (sum - (positives * (positives + 1) / 2)) / (positives * negatives);
    }

    /// <summary>At most <paramref name="limit"/> of <paramref name="count"/> row positions, drawn without replacement
    /// (all of them, in order, when there are not more).</summary>
    internal static int[] Sample(int count, int limit, Generator generator)
    {
        if (count <= limit)
        {
            return [.. Enumerable.Range(0, count)];
        }

        using var order = randperm(count, generator: generator);
        return [.. order.data<long>().ToArray().Take(limit).Select(v => (int)v).Order()];
    }

    private static void Assign(int[] fold, int start, int count, int folds, Generator generator)
    {
        using var order = randperm(count, generator: generator);
        long[] shuffled = order.data<long>().ToArray();
        for (int i = 0; i < count; i++)
        {
            fold[start + (int)shuffled[i]] = i % folds;
        }
    }

    private static float[] Rows(float[] x, int width, int[] rows)
    {
        var result = new float[rows.Length * width];
        for (int i = 0; i < rows.Length; i++)
        {
            Array.Copy(x, rows[i] * width, result, i * width, width);
        }

        return result;
    }

    private static ReportColumn Join(ReportColumn first, int[] firstRows, ReportColumn second, int[] secondRows) =>
        ReportColumn.Concat(first, firstRows, second, secondRows);
}
