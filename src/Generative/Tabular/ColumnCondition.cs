using System.Globalization;

namespace Generative.Tabular;

/// <summary>
/// What one column's cells must be in a conditioned sample: one of a set of categories (categorical and Boolean
/// columns, Booleans as <c>"true"</c>/<c>"false"</c>), or a closed range (continuous and integer columns as numbers, date
/// columns as dates). A conditioned cell is never missing. Immutable; made by <see cref="TableCondition"/>.
/// </summary>
public sealed class ColumnCondition
{
    internal ColumnCondition(string column, IReadOnlyList<string>? categories, double? minimum, double? maximum, DateTime? earliest, DateTime? latest)
    {
        Column = column;
        Categories = categories;
        Minimum = minimum;
        Maximum = maximum;
        Earliest = earliest;
        Latest = latest;
    }

    /// <summary>The column's name.</summary>
    public string Column { get; }

    /// <summary>The allowed categories (Booleans as <c>"true"</c>/<c>"false"</c>), or <see langword="null"/> for a range.</summary>
    public IReadOnlyList<string>? Categories { get; }

    /// <summary>The smallest allowed number (inclusive), or <see langword="null"/>.</summary>
    public double? Minimum { get; }

    /// <summary>The largest allowed number (inclusive), or <see langword="null"/>.</summary>
    public double? Maximum { get; }

    /// <summary>The earliest allowed date (inclusive), or <see langword="null"/>.</summary>
    public DateTime? Earliest { get; }

    /// <summary>The latest allowed date (inclusive), or <see langword="null"/>.</summary>
    public DateTime? Latest { get; }

    /// <summary>Whether one cell satisfies the condition (a missing cell never does).</summary>
    /// <param name="column">The column (of the kind the condition was made for).</param>
    /// <param name="row">The 0-based row.</param>
    /// <returns><see langword="true"/> when the cell is allowed.</returns>
    public bool Matches(TableColumn column, int row)
    {
        ArgumentNullException.ThrowIfNull(column);
        if (column.IsMissing(row))
        {
            return false;
        }

        if (Categories is not null)
        {
            string value = column.Kind == ColumnKind.Boolean
                ? (column.GetBoolean(row) ? "true" : "false")
                : column.GetString(row);
            return Categories.Contains(value, StringComparer.Ordinal);
        }

        if (column.Kind == ColumnKind.DateTime)
        {
            var date = column.GetDateTime(row);
            return (Earliest is null || date >= Earliest) && (Latest is null || date <= Latest);
        }

        double number = column.GetDouble(row);
        return (Minimum is null || number >= Minimum) && (Maximum is null || number <= Maximum);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        Categories is not null ? $"{Column} in {{{string.Join(", ", Categories.Select(c => $"'{c}'"))}}}"
        : Earliest is not null || Latest is not null ? $"{Column} in [{Earliest:O}, {Latest:O}]"
        : string.Create(CultureInfo.InvariantCulture, $"{Column} in [{Minimum}, {Maximum}]");
}
