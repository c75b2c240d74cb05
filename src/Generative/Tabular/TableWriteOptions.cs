using System.Globalization;

namespace Generative.Tabular;

/// <summary>How <see cref="Table.ToCsv"/> and <see cref="Table.WriteCsv"/> write CSV.</summary>
public sealed class TableWriteOptions
{
    /// <summary>The field separator. Default <c>','</c>.</summary>
    public char Delimiter { get; set; } = ',';

    /// <summary>Whether to write a header row of column names. Default <see langword="true"/>.</summary>
    public bool WriteHeader { get; set; } = true;

    /// <summary>The culture numbers are written in (shortest round-trip form). Default the invariant culture.</summary>
    public CultureInfo Culture { get; set; } = CultureInfo.InvariantCulture;

    /// <summary>What a missing cell is written as. Default empty.</summary>
    public string MissingValue { get; set; } = string.Empty;
}
