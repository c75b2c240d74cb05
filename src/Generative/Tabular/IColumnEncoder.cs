using System.Text.Json.Nodes;

namespace Generative.Tabular;

/// <summary>
/// A fitted, reversible transform of one table column into numbers for a model, and back. Made by a
/// <see cref="ColumnTransform"/> (registered in a <see cref="ColumnTransformRegistry"/>), used by a
/// <see cref="TableTransformer"/>.
/// </summary>
/// <remarks>Implementations are immutable once fitted and safe to use from several threads. Decoding must accept any
/// numbers (a model's output): clamp, round, take the largest slot of a one-hot group.</remarks>
public interface IColumnEncoder
{
    /// <summary>The column as it was when fitted (kind, nullability, observations).</summary>
    ColumnSchema Column { get; }

    /// <summary>The blocks this column becomes, offsets relative to its first matrix column; none for a column that is
    /// not learned (an id).</summary>
    IReadOnlyList<TransformBlock> Blocks { get; }

    /// <summary>How many matrix columns it takes (the sum of its blocks' widths).</summary>
    int Width { get; }

    /// <summary>Writes the column's numbers: row r's go to <c>output[r * stride + j]</c>, j &lt; <see cref="Width"/>.</summary>
    /// <param name="column">The column (of the fitted kind).</param>
    /// <param name="output">Where to, starting at this column's first matrix column of row 0.</param>
    /// <param name="stride">The matrix's width.</param>
    /// <exception cref="TableFormatException">A value cannot be encoded (such as a category not seen when fitted).</exception>
    void Encode(TableColumn column, Span<double> output, int stride);

    /// <summary>Reads a column back from numbers laid out as <see cref="Encode"/> writes them.</summary>
    /// <param name="input">The numbers, starting at this column's first matrix column of row 0.</param>
    /// <param name="rows">How many rows.</param>
    /// <param name="stride">The matrix's width.</param>
    /// <returns>The column.</returns>
    TableColumn Decode(ReadOnlySpan<double> input, int rows, int stride);

    /// <summary>The fitted state as JSON (what <see cref="ColumnTransform.Load"/> reads back).</summary>
    /// <returns>A new JSON object.</returns>
    JsonObject Describe();
}
