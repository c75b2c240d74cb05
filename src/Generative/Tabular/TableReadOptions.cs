using System.Globalization;

namespace Generative.Tabular;

/// <summary>
/// How a table is read (<see cref="Table.LoadCsv"/>, <see cref="Table.ReadCsv"/>, <see cref="Table.FromDataReader"/>,
/// <see cref="Table.FromDataTable"/>, <see cref="Table.FromRecords{T}"/>): CSV dialect, missing-value markers, and the
/// column kinds to use instead of inferring them.
/// </summary>
public sealed class TableReadOptions
{
    /// <summary>The CSV field separator. Default <c>','</c>.</summary>
    public char Delimiter { get; set; } = ',';

    /// <summary>Whether the first CSV record names the columns; without one they are named <c>column1</c>,
    /// <c>column2</c>, …. Default <see langword="true"/>.</summary>
    public bool HasHeader { get; set; } = true;

    /// <summary>The culture that numbers (decimal separator) and dates are read in. Default the invariant culture.</summary>
    public CultureInfo Culture { get; set; } = CultureInfo.InvariantCulture;

    /// <summary>
    /// Text cells that mean "missing", compared after trimming surrounding white space (so <c>"?"</c> also matches
    /// Adult's <c>" ?"</c>), case-sensitive. Default <c>""</c>, <c>"NA"</c>, <c>"?"</c>. Null and
    /// <see cref="DBNull"/> cells of a data reader are always missing.
    /// </summary>
    public IList<string> MissingValues { get; } = ["", "NA", "?"];

    /// <summary>Kinds set in code, by column name (case-sensitive); the other columns' kinds are inferred (see
    /// <see cref="TableSchema"/>). A value that the given kind cannot read is an error naming row, column and value.</summary>
    public IDictionary<string, ColumnKind> Kinds { get; } = new Dictionary<string, ColumnKind>(StringComparer.Ordinal);

    /// <summary>
    /// A saved schema to read with (for instance a model's): every column it names must be present, is read as its kind,
    /// and may be missing only if it is nullable. Columns it does not name are inferred. <see cref="Kinds"/> takes
    /// precedence over it. Default none.
    /// </summary>
    public TableSchema? Schema { get; set; }

    /// <summary>Date-and-time formats (custom .NET patterns) tried besides ISO 8601 when a text column is read or
    /// inferred as <see cref="ColumnKind.DateTime"/>. Default none.</summary>
    public IList<string> DateFormats { get; } = [];

    internal bool IsMissing(string text)
    {
        var trimmed = text.AsSpan().Trim();
        foreach (string marker in MissingValues)
        {
            if (trimmed.SequenceEqual(marker.AsSpan().Trim()))
            {
                return true;
            }
        }

        return false;
    }
}
