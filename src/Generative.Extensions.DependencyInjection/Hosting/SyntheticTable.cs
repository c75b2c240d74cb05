using System.Globalization;

namespace Generative.Hosting;

/// <summary>Samples as a table: named columns, one row per sample, float32 values in the units of the training data.</summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed class SyntheticTable
{
    private readonly float[] _values;

    /// <summary>Creates a table from row-major values.</summary>
    /// <param name="columns">The column names, at least one.</param>
    /// <param name="values">Row-major values, <c>rowCount × columns.Count</c> of them; the table keeps the array (do not change it).</param>
    /// <param name="rowCount">The number of rows, at least 0.</param>
    /// <exception cref="ArgumentException">The number of values is not <c>rowCount × columns.Count</c>, or there are no columns.</exception>
    public SyntheticTable(IReadOnlyList<string> columns, float[] values, int rowCount)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        if (columns.Count == 0)
        {
            throw new ArgumentException("A table needs at least one column.", nameof(columns));
        }

        if ((long)rowCount * columns.Count != values.Length)
        {
            throw new ArgumentException(
                $"Expected {rowCount} rows × {columns.Count} columns = {(long)rowCount * columns.Count} values, but got {values.Length}.",
                nameof(values));
        }

        Columns = columns;
        _values = values;
        RowCount = rowCount;
    }

    /// <summary>The column names.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The number of rows.</summary>
    public int RowCount { get; }

    /// <summary>One row.</summary>
    /// <param name="index">The row, in [0, <see cref="RowCount"/>).</param>
    /// <returns>A view of the row's values (one per column).</returns>
    public ReadOnlySpan<float> GetRow(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, RowCount);
        return _values.AsSpan(index * Columns.Count, Columns.Count);
    }

    /// <summary>The rows as arrays (for serializers).</summary>
    /// <returns>New arrays, one per row.</returns>
    public float[][] ToRows()
    {
        var rows = new float[RowCount][];
        for (int i = 0; i < RowCount; i++)
        {
            rows[i] = GetRow(i).ToArray();
        }

        return rows;
    }

    /// <summary>Writes the table as CSV (RFC 4180): a header of column names, then one line per row, values in the
    /// invariant culture with the shortest text that round-trips a float32 (<c>NaN</c>, <c>Infinity</c> as such).</summary>
    /// <param name="writer">Where to write; not closed.</param>
    public void WriteCsv(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        for (int c = 0; c < Columns.Count; c++)
        {
            if (c > 0)
            {
                writer.Write(',');
            }

            writer.Write(EscapeCsv(Columns[c]));
        }

        writer.Write("\r\n");
        Span<char> buffer = stackalloc char[32];
        for (int r = 0; r < RowCount; r++)
        {
            var row = GetRow(r);
            for (int c = 0; c < row.Length; c++)
            {
                if (c > 0)
                {
                    writer.Write(',');
                }

                if (row[c].TryFormat(buffer, out int written, default, CultureInfo.InvariantCulture))
                {
                    writer.Write(buffer[..written]);
                }
                else
                {
                    writer.Write(row[c].ToString(CultureInfo.InvariantCulture));
                }
            }

            writer.Write("\r\n");
        }
    }

    /// <summary>The table as CSV text (see <see cref="WriteCsv"/>).</summary>
    public string ToCsv()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        WriteCsv(writer);
        return writer.ToString();
    }

    private static string EscapeCsv(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}
