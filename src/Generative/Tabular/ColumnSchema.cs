namespace Generative.Tabular;

/// <summary>
/// One column of a <see cref="TableSchema"/>: its name, kind and nullability, what was observed of it (rows, missing
/// cells, bounds, categories) and why it has its kind. Immutable.
/// </summary>
public sealed class ColumnSchema
{
    /// <summary>Creates a column description.</summary>
    /// <param name="name">The column's name.</param>
    /// <param name="kind">What it holds.</param>
    /// <param name="nullable">Whether cells may be missing.</param>
    public ColumnSchema(string name, ColumnKind kind, bool nullable)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a column kind.");
        }

        Name = name;
        Kind = kind;
        Nullable = nullable;
    }

    /// <summary>The column's name.</summary>
    public string Name { get; }

    /// <summary>What the column holds.</summary>
    public ColumnKind Kind { get; }

    /// <summary>Whether cells may be missing.</summary>
    public bool Nullable { get; }

    /// <summary>How many rows were observed (0 when the schema was written by hand).</summary>
    public int Rows { get; init; }

    /// <summary>How many observed cells were missing.</summary>
    public int Missing { get; init; }

    /// <summary>The smallest observed value of a continuous or integer column; <see langword="null"/> otherwise or
    /// when nothing was observed.</summary>
    public double? Minimum { get; init; }

    /// <summary>The largest observed value of a continuous or integer column.</summary>
    public double? Maximum { get; init; }

    /// <summary>The earliest observed value of a date-and-time column.</summary>
    public DateTime? Earliest { get; init; }

    /// <summary>The latest observed value of a date-and-time column.</summary>
    public DateTime? Latest { get; init; }

    /// <summary>A categorical column's observed categories, most frequent first (ties in ordinal order), each kept
    /// exactly as read; <see langword="null"/> for other kinds.</summary>
    public IReadOnlyList<string>? Categories { get; init; }

    /// <summary>Why the column has its kind (what inference saw, or "set in code"); <see langword="null"/> if not known.</summary>
    public string? Reason { get; init; }

    /// <summary>The share of observed cells that are missing (0 when nothing was observed).</summary>
    public double MissingRate => Rows == 0 ? 0 : (double)Missing / Rows;

    /// <summary>Describes a column as observed.</summary>
    /// <param name="column">The column.</param>
    /// <param name="reason">Why it has its kind, if known.</param>
    /// <returns>Its schema.</returns>
    public static ColumnSchema Observe(TableColumn column, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(column);
        var present = Enumerable.Range(0, column.Count).Where(r => !column.IsMissing(r)).ToArray();
        double? min = null, max = null;
        DateTime? earliest = null, latest = null;
        IReadOnlyList<string>? categories = null;
        switch (column.Kind)
        {
            case ColumnKind.Continuous or ColumnKind.Integer when present.Length > 0:
                min = present.Min(column.GetDouble);
                max = present.Max(column.GetDouble);
                break;
            case ColumnKind.DateTime when present.Length > 0:
                earliest = present.Min(column.GetDateTime);
                latest = present.Max(column.GetDateTime);
                break;
            case ColumnKind.Categorical:
                categories = [.. present.Select(column.GetString).GroupBy(s => s, StringComparer.Ordinal)
                    .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key)];
                break;
        }

        return new ColumnSchema(column.Name, column.Kind, column.Nullable)
        {
            Rows = column.Count,
            Missing = column.MissingCount,
            Minimum = min,
            Maximum = max,
            Earliest = earliest,
            Latest = latest,
            Categories = categories,
            Reason = reason,
        };
    }

    /// <summary>One line: name, kind, nullability and the reason.</summary>
    /// <returns>The line.</returns>
    public override string ToString() =>
        $"{Name}: {ColumnBuilder.Describe(Kind)}{(Nullable ? ", nullable" : string.Empty)}{(Reason is null ? string.Empty : " — " + Reason)}";
}
