using TorchSharp;

namespace Generative.Tabular;

/// <summary>
/// A table as a model sees it: a row-major matrix of doubles, <see cref="Rows"/> × <see cref="Width"/>, laid out as
/// <see cref="Layout"/> says. Made by <see cref="TableTransformer.Transform"/>; turned back into a table by
/// <see cref="TableTransformer.Inverse(TransformedTable)"/>.
/// </summary>
public sealed class TransformedTable
{
    /// <summary>Wraps a matrix.</summary>
    /// <param name="values">Row-major values, <paramref name="rows"/> × the layout's width (kept, not copied).</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="layout">The layout.</param>
    /// <exception cref="ArgumentException">The values do not fill rows × width.</exception>
    public TransformedTable(double[] values, int rows, TableLayout layout)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (values.Length != (long)rows * layout.Width)
        {
            throw new ArgumentException($"{rows} rows of width {layout.Width} need {(long)rows * layout.Width} values; found {values.Length}.", nameof(values));
        }

        Values = values;
        Rows = rows;
        Layout = layout;
    }

    /// <summary>The values, row-major.</summary>
    public double[] Values { get; }

    /// <summary>The number of rows.</summary>
    public int Rows { get; }

    /// <summary>The number of columns (<see cref="TableLayout.Width"/>).</summary>
    public int Width => Layout.Width;

    /// <summary>Which matrix columns belong to which table column, and how to model them.</summary>
    public TableLayout Layout { get; }

    /// <summary>The matrix as a float32 tensor <c>[Rows, Width]</c>, owned by the caller (and the caller's dispose
    /// scope, if one is open).</summary>
    /// <returns>The tensor.</returns>
    public torch.Tensor ToTensor() =>
        torch.tensor(Array.ConvertAll(Values, v => (float)v), [Rows, Width], torch.float32);
}
