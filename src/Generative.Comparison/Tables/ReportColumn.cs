using System.Globalization;
using Generative.Tabular;

namespace Generative.Comparison.Tables;

/// <summary>
/// One column of one table as the report reads it, conformed to the real column's kind: numbers (continuous, integer,
/// date-time ticks) as doubles with NaN for missing, or labels (categorical, Boolean) with <see langword="null"/> for
/// missing. A synthetic cell that cannot be read as the real kind counts as of the wrong kind and is missing here.
/// </summary>
internal sealed class ReportColumn
{
    private ReportColumn(string name, ColumnKind kind, double[]? numbers, string?[]? labels, bool[]? wrongCells, bool declaredNullable)
    {
        int wrongKind = wrongCells?.Count(w => w) ?? 0;
        WrongCells = wrongKind > 0 ? wrongCells : null;
        Name = name;
        Kind = kind;
        Numbers = numbers;
        Labels = labels;
        WrongKind = wrongKind;
        DeclaredNullable = declaredNullable;
        Count = numbers?.Length ?? labels!.Length;
        Missing = numbers is not null ? numbers.Count(double.IsNaN) : labels!.Count(l => l is null);
    }

    public string Name { get; }

    public ColumnKind Kind { get; }

    /// <summary>Whether the column is compared as numbers (continuous, integer, date-time).</summary>
    public bool IsNumeric => Numbers is not null;

    /// <summary>The values of a numeric column, NaN where missing.</summary>
    public double[]? Numbers { get; }

    /// <summary>The labels of a categorical or Boolean column (<c>true</c>/<c>false</c>), null where missing.</summary>
    public string?[]? Labels { get; }

    /// <summary>Cells that could not be read as the column's kind (only a synthetic column of another kind has any).</summary>
    public int WrongKind { get; }

    /// <summary>Which cells could not be read as the column's kind; <see langword="null"/> when none.</summary>
    public bool[]? WrongCells { get; }

    /// <summary>Whether the source column was declared nullable.</summary>
    public bool DeclaredNullable { get; }

    public int Count { get; }

    public int Missing { get; }

    public double MissingRate => Count == 0 ? 0 : (double)Missing / Count;

    /// <summary>Whether a kind is compared as numbers.</summary>
    public static bool Numeric(ColumnKind kind) => kind is ColumnKind.Continuous or ColumnKind.Integer or ColumnKind.DateTime;

    /// <summary>Whether a cell is missing.</summary>
    public bool IsMissing(int row) => Numbers is not null ? double.IsNaN(Numbers[row]) : Labels![row] is null;

    /// <summary>The present numbers.</summary>
    public double[] Present() => [.. Numbers!.Where(v => !double.IsNaN(v))];

    /// <summary>Reads <paramref name="column"/> as <paramref name="kind"/> (its own kind, or the real column's).</summary>
    public static ReportColumn Read(TableColumn column, ColumnKind kind)
    {
        int n = column.Count;
        var wrong = new bool[n];
        if (Numeric(kind))
        {
            var numbers = new double[n];
            for (int r = 0; r < n; r++)
            {
                if (column.IsMissing(r))
                {
                    numbers[r] = double.NaN;
                }
                else if (column.Kind == kind)
                {
                    numbers[r] = kind == ColumnKind.DateTime ? column.GetDateTime(r).Ticks : column.GetDouble(r);
                }
                else if (TryNumber(Text(column, r), kind, out double value))
                {
                    numbers[r] = value;
                }
                else
                {
                    numbers[r] = double.NaN;
                    wrong[r] = true;
                }
            }

            return new ReportColumn(column.Name, kind, numbers, null, wrong, column.Nullable);
        }

        var labels = new string?[n];
        for (int r = 0; r < n; r++)
        {
            if (column.IsMissing(r))
            {
                continue;
            }

            string text = Text(column, r);
            if (kind == ColumnKind.Boolean)
            {
                if (column.Kind == ColumnKind.Boolean)
                {
                    labels[r] = column.GetBoolean(r) ? "true" : "false";
                }
                else if (bool.TryParse(text.Trim(), out bool b))
                {
                    labels[r] = b ? "true" : "false";
                }
                else
                {
                    wrong[r] = true;
                }
            }
            else
            {
                labels[r] = text;
            }
        }

        return new ReportColumn(column.Name, kind, null, labels, wrong, column.Nullable);
    }

    /// <summary>The rows <paramref name="firstRows"/> of <paramref name="first"/> followed by the rows
    /// <paramref name="secondRows"/> of <paramref name="second"/> (same name and kind).</summary>
    public static ReportColumn Concat(ReportColumn first, IReadOnlyList<int> firstRows, ReportColumn second, IReadOnlyList<int> secondRows)
    {
        if (first.IsNumeric)
        {
            double[] numbers = [.. firstRows.Select(r => first.Numbers![r]), .. secondRows.Select(r => second.Numbers![r])];
            return new ReportColumn(first.Name, first.Kind, numbers, null, null, first.DeclaredNullable);
        }

        string?[] labels = [.. firstRows.Select(r => first.Labels![r]), .. secondRows.Select(r => second.Labels![r])];
        return new ReportColumn(first.Name, first.Kind, null, labels, null, first.DeclaredNullable);
    }

    /// <summary>The rows at <paramref name="rows"/>.</summary>
    public ReportColumn Select(IReadOnlyList<int> rows) => Concat(this, rows, this, []);

    /// <summary>A cell as invariant text (round-trippable numbers, ISO 8601 dates).</summary>
    public static string Text(TableColumn column, int row) => column.Kind switch
    {
        ColumnKind.Continuous => column.GetDouble(row).ToString("R", CultureInfo.InvariantCulture),
        ColumnKind.Integer => column.GetInt64(row).ToString(CultureInfo.InvariantCulture),
        ColumnKind.Boolean => column.GetBoolean(row) ? "true" : "false",
        ColumnKind.DateTime => column.GetDateTime(row).ToString("O", CultureInfo.InvariantCulture),
        _ => column.GetString(row),
    };

    private static bool TryNumber(string text, ColumnKind kind, out double value)
    {
        value = double.NaN;
        if (kind == ColumnKind.DateTime)
        {
            if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var date))
            {
                value = date.Ticks;
                return true;
            }

            return false;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) || !double.IsFinite(number))
        {
            return false;
        }

        if (kind == ColumnKind.Integer && number != Math.Round(number))
        {
            return false;
        }

        value = number;
        return true;
    }
}
