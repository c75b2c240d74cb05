using Generative.Tabular;

namespace Generative.Comparison.Tables;

/// <summary>The validity diagnostic: per column, the synthetic cells of the right kind, in the real training rows'
/// range or categories, and missing only where the real column may be; then the share of fully valid rows.</summary>
internal static class ValidityCheck
{
    public static (List<ColumnValidity> Columns, double ValidRows) Compute(IReadOnlyList<ReportColumn> real, IReadOnlyList<ReportColumn> synthetic)
    {
        int n = synthetic[0].Count;
        var rowValid = Enumerable.Repeat(true, n).ToArray();
        var result = new List<ColumnValidity>();
        for (int c = 0; c < real.Count; c++)
        {
            var a = real[c];
            var b = synthetic[c];
            bool missingAllowed = a.Missing > 0 || a.DeclaredNullable;
            Func<int, bool> inRange;
            if (a.IsNumeric)
            {
                var present = a.Present();
                double lo = present.Length > 0 ? present.Min() : double.NaN, hi = present.Length > 0 ? present.Max() : double.NaN;
                inRange = r => b.Numbers![r] >= lo && b.Numbers![r] <= hi;
            }
            else
            {
                var categories = new HashSet<string>(a.Labels!.OfType<string>(), StringComparer.Ordinal);
                inRange = r => categories.Contains(b.Labels![r]!);
            }

            int presentCount = 0, inRangeCount = 0, valid = 0;
            for (int r = 0; r < n; r++)
            {
                bool ok;
                if (b.WrongCells is { } wrong && wrong[r])
                {
                    ok = false;
                }
                else if (b.IsMissing(r))
                {
                    ok = missingAllowed;
                }
                else
                {
                    presentCount++;
                    ok = inRange(r);
                    inRangeCount += ok ? 1 : 0;
                }

                valid += ok ? 1 : 0;
                rowValid[r] &= ok;
            }

            result.Add(new ColumnValidity(
                a.Name, TableSchema.KindName(a.Kind), 1 - ((double)b.WrongKind / Math.Max(1, n)),
                presentCount == 0 ? 1 : (double)inRangeCount / presentCount, (double)valid / Math.Max(1, n),
                a.MissingRate, (double)(b.Missing - b.WrongKind) / Math.Max(1, n)));
        }

        return (result, n == 0 ? 1 : rowValid.Count(v => v) / (double)n);
    }
}
