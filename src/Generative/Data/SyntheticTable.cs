using System.Globalization;
using static TorchSharp.torch;

namespace Generative.Data;

/// <summary>Samples as a table: named columns, one row per sample, float32 values in the units of the training data, and
/// optionally a label column (class names, or class numbers) written after them.</summary>
/// <remarks>
/// <para>Build one from a model's samples with <see cref="FromSamples"/> and write it with <see cref="ToCsv"/> or
/// <see cref="WriteCsv"/>. A model's <c>Sample</c> already returns rows in the units of its training data (its
/// standardisation is undone), so the table holds what the CSV held.</para>
/// <para>Immutable; safe to share between threads.</para>
/// </remarks>
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

    private SyntheticTable(IReadOnlyList<string> columns, float[] values, int rowCount, string labelColumn, string[] labels)
        : this(columns, values, rowCount)
    {
        LabelColumn = labelColumn;
        Labels = Array.AsReadOnly(labels);
    }

    /// <summary>The name of the label column, written after the value columns; <see langword="null"/> when the table has none.</summary>
    public string? LabelColumn { get; }

    /// <summary>Each row's label as written (a class name, or the class number); <see langword="null"/> without a label column.</summary>
    public IReadOnlyList<string>? Labels { get; }

    /// <summary>Makes a table of samples: one row per sample, the given column names, and (with <paramref name="labels"/>) a
    /// label column holding each row's class name.</summary>
    /// <param name="samples">Float samples <c>[N, columns.Count]</c> (rank above 2 is flattened per sample, row-major), on any
    /// device; copied, not kept.</param>
    /// <param name="columns">The column names, one per value of a sample (for a CSV source, <see cref="IDataSource.FeatureNames"/>).</param>
    /// <param name="labels">Integer class labels <c>[N]</c> (the ones passed to the model as <see cref="SamplingOptions.ClassLabels"/>),
    /// or <see langword="null"/> for no label column.</param>
    /// <param name="classNames">Names of classes 0..C−1 written instead of the numbers (for a CSV source,
    /// <see cref="CsvDataSource.ClassNames"/>); <see langword="null"/> writes the numbers.</param>
    /// <param name="labelColumn">The label column's name. Default <c>class</c>.</param>
    /// <returns>A new table, independent of the tensors.</returns>
    /// <exception cref="ArgumentException">A shape or count does not match, or a label has no class name; the message gives expected and actual.</exception>
    public static SyntheticTable FromSamples(Tensor samples, IReadOnlyList<string> columns, Tensor? labels = null, IReadOnlyList<string>? classNames = null, string labelColumn = "class")
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentException.ThrowIfNullOrEmpty(labelColumn);
        if (samples.dim() < 2)
        {
            throw new ArgumentException($"Expected samples of shape [N, {columns.Count}], but got {TensorShape.Format(samples.shape)}.", nameof(samples));
        }

        int rows = checked((int)samples.shape[0]);
        using var scope = NewDisposeScope();
        var flat = samples.detach().to(ScalarType.Float32).cpu().contiguous().reshape(rows, -1);
        if (flat.shape[1] != columns.Count)
        {
            throw new ArgumentException(
                $"Expected {columns.Count} values per sample (one per column), but the samples {TensorShape.Format(samples.shape)} have {flat.shape[1]}.", nameof(columns));
        }

        float[] values = flat.data<float>().ToArray();
        if (labels is null)
        {
            return new SyntheticTable([.. columns], values, rows);
        }

        if (labels.dim() != 1 || labels.shape[0] != rows || labels.is_floating_point() || labels.is_complex() || labels.dtype == ScalarType.Bool)
        {
            throw new ArgumentException($"Expected integer labels of shape [{rows}] (one per sample), but got {labels.dtype} {TensorShape.Format(labels.shape)}.", nameof(labels));
        }

        long[] numbers = labels.detach().to(ScalarType.Int64).cpu().data<long>().ToArray();
        var text = new string[rows];
        for (int i = 0; i < rows; i++)
        {
            long n = numbers[i];
            if (classNames is not null && (n < 0 || n >= classNames.Count))
            {
                throw new ArgumentException($"Expected labels in [0, {classNames.Count}) (one class name each), but row {i} has label {n}.", nameof(labels));
            }

            text[i] = classNames is null ? n.ToString(CultureInfo.InvariantCulture) : classNames[(int)n];
        }

        return new SyntheticTable([.. columns], values, rows, labelColumn, text);
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

    /// <summary>The rows' values as arrays (for serializers; without the labels, see <see cref="Labels"/>).</summary>
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
    /// invariant culture with the shortest text that round-trips a float32 (<c>NaN</c>, <c>Infinity</c> as such), and the
    /// label last when the table has a label column. <see cref="CsvDataSource.Load"/> reads it back (with
    /// <see cref="CsvDataOptions.LabelColumn"/> set to <see cref="LabelColumn"/>).</summary>
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

        if (LabelColumn is not null)
        {
            writer.Write(',');
            writer.Write(EscapeCsv(LabelColumn));
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

            if (Labels is not null)
            {
                writer.Write(',');
                writer.Write(EscapeCsv(Labels[r]));
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
