namespace Generative.Comparison.Tables;

/// <summary>
/// Rows as numbers for the report's classifiers, fitted on one set of rows: each numeric column standardised with
/// that set's mean and standard deviation (missing → 0, plus a 0/1 missing indicator when the set has a missing
/// cell), each categorical or Boolean column one-hot over that set's labels (missing a label of its own; a label the
/// set lacks → all zeros).
/// </summary>
internal sealed class FeatureEncoder
{
    private readonly List<Block> _blocks = [];

    private FeatureEncoder()
    {
    }

    /// <summary>Numbers per row.</summary>
    public int Width { get; private set; }

    /// <summary>Fits the encoding on the rows of <paramref name="columns"/> listed in <paramref name="rows"/>.</summary>
    public static FeatureEncoder Fit(IReadOnlyList<ReportColumn> columns, IReadOnlyList<int> rows)
    {
        var encoder = new FeatureEncoder();
        foreach (var column in columns)
        {
            Block block;
            if (column.IsNumeric)
            {
                double sum = 0, sumSquares = 0;
                int present = 0;
                bool missing = false;
                foreach (int r in rows)
                {
                    double v = column.Numbers![r];
                    if (double.IsNaN(v))
                    {
                        missing = true;
                        continue;
                    }

                    sum += v;
                    present++;
                }

                double mean = present > 0 ? sum / present : 0;
                foreach (int r in rows)
                {
                    double v = column.Numbers![r];
                    if (!double.IsNaN(v))
                    {
                        sumSquares += (v - mean) * (v - mean);
                    }
                }

                double sd = present > 1 ? Math.Sqrt(sumSquares / present) : 0;
                block = new Block(encoder.Width, mean, sd > 1e-12 ? sd : 1, missing, null);
                encoder.Width += missing ? 2 : 1;
            }
            else
            {
                var index = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (int r in rows)
                {
                    string key = column.Labels![r] ?? ReportMetrics.MissingLabel;
                    index.TryAdd(key, index.Count);
                }

                block = new Block(encoder.Width, 0, 1, false, index);
                encoder.Width += index.Count;
            }

            encoder._blocks.Add(block);
        }

        encoder.Width = Math.Max(encoder.Width, 1);
        return encoder;
    }

    /// <summary>The rows of <paramref name="columns"/> (same columns, same order as fitted) as a row-major
    /// [rows.Count, Width] array.</summary>
    public float[] Encode(IReadOnlyList<ReportColumn> columns, IReadOnlyList<int> rows)
    {
        var x = new float[rows.Count * Width];
        for (int c = 0; c < _blocks.Count; c++)
        {
            var block = _blocks[c];
            var column = columns[c];
            for (int i = 0; i < rows.Count; i++)
            {
                int r = rows[i];
                int offset = (i * Width) + block.Offset;
                if (block.Categories is null)
                {
                    double v = column.Numbers![r];
                    if (double.IsNaN(v))
                    {
                        if (block.MissingIndicator)
                        {
                            x[offset + 1] = 1;
                        }
                    }
                    else
                    {
                        x[offset] = (float)((v - block.Mean) / block.Scale);
                    }
                }
                else if (block.Categories.TryGetValue(column.Labels![r] ?? ReportMetrics.MissingLabel, out int k))
                {
                    x[offset + k] = 1;
                }
            }
        }

        return x;
    }

    private sealed record Block(int Offset, double Mean, double Scale, bool MissingIndicator, Dictionary<string, int>? Categories);
}
