using System.Text.Json.Nodes;

namespace Generative.Tabular;

/// <summary>
/// One kind of column transform, the entry of a <see cref="ColumnTransformRegistry"/>: the column kinds it accepts, how
/// it is fitted to a column, and how a fitted one is read back from its JSON. Immutable.
/// </summary>
public sealed class ColumnTransform
{
    /// <summary>Creates the entry.</summary>
    /// <param name="kinds">The column kinds it can encode.</param>
    /// <param name="fit">Fits it to a column (whose <see cref="ColumnSchema"/> is given, as observed).</param>
    /// <param name="load">Reads a fitted one back from what <see cref="IColumnEncoder.Describe"/> wrote, for the given
    /// column; the JSON comes from a file: validate every field (throw an <see cref="InvalidDataException"/> naming it).</param>
    public ColumnTransform(
        IReadOnlyCollection<ColumnKind> kinds,
        Func<TableColumn, ColumnSchema, IColumnEncoder> fit,
        Func<JsonObject, ColumnSchema, IColumnEncoder> load)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(load);
        Kinds = [.. kinds];
        Fit = fit;
        Load = load;
    }

    /// <summary>The column kinds it can encode.</summary>
    public IReadOnlyList<ColumnKind> Kinds { get; }

    /// <summary>Fits it to a column.</summary>
    public Func<TableColumn, ColumnSchema, IColumnEncoder> Fit { get; }

    /// <summary>Reads a fitted one back from its JSON.</summary>
    public Func<JsonObject, ColumnSchema, IColumnEncoder> Load { get; }
}
