using System.Data;
using System.Globalization;

namespace Generative.Tabular;

/// <summary>
/// A table of typed columns (<see cref="TableColumn"/>: continuous, integer, categorical, Boolean, date-time, id; any
/// of them nullable): what the tabular models learn from and what they generate. Read it from CSV, a
/// <see cref="DataTable"/>, an <see cref="IDataReader"/> or records of your own type; write it back to any of those.
/// Immutable.
/// </summary>
/// <remarks>
/// Reading is all or nothing: a value that does not fit its column throws a <see cref="TableFormatException"/> that
/// names the row, the column and the value, and no table is returned. Column kinds are inferred (see
/// <see cref="TableSchema"/>) unless set in <see cref="TableReadOptions"/>; <see cref="Schema"/> says what was inferred
/// and why. Thread-safety: immutable, safe to read from many threads.
/// </remarks>
public sealed partial class Table
{
    private readonly Dictionary<string, TableColumn> _byName;
    private readonly IReadOnlyDictionary<string, string> _reasons;
    private TableSchema? _schema;

    /// <summary>Creates a table from columns of equal length.</summary>
    /// <param name="columns">The columns, in order; names unique (case-sensitive).</param>
    /// <exception cref="ArgumentException">There is no column, two share a name, or their lengths differ.</exception>
    public Table(IEnumerable<TableColumn> columns)
        : this(columns, new Dictionary<string, string>())
    {
    }

    internal Table(IEnumerable<TableColumn> columns, IReadOnlyDictionary<string, string> reasons)
    {
        ArgumentNullException.ThrowIfNull(columns);
        Columns = [.. columns];
        if (Columns.Count == 0)
        {
            throw new ArgumentException("A table needs at least one column.", nameof(columns));
        }

        _byName = new Dictionary<string, TableColumn>(StringComparer.Ordinal);
        foreach (var column in Columns)
        {
            if (!_byName.TryAdd(column.Name, column))
            {
                throw new ArgumentException($"Two columns are named '{column.Name}'; column names must be unique.", nameof(columns));
            }

            if (column.Count != Columns[0].Count)
            {
                throw new ArgumentException(
                    $"Column '{column.Name}' has {column.Count} rows but '{Columns[0].Name}' has {Columns[0].Count}; every column needs the same number.",
                    nameof(columns));
            }
        }

        RowCount = Columns[0].Count;
        _reasons = reasons;
    }

    /// <summary>The columns, in order.</summary>
    public IReadOnlyList<TableColumn> Columns { get; }

    /// <summary>The number of rows.</summary>
    public int RowCount { get; }

    /// <summary>The table's schema as observed: each column's kind, nullability, bounds, categories and (for a table
    /// that was read) why it has its kind.</summary>
    public TableSchema Schema => _schema ??= new TableSchema(Columns.Select(c => ColumnSchema.Observe(c, _reasons.GetValueOrDefault(c.Name))));

    /// <summary>A column by name.</summary>
    /// <param name="name">The name (case-sensitive).</param>
    /// <returns>The column.</returns>
    /// <exception cref="KeyNotFoundException">No column has that name (the message lists the columns).</exception>
    public TableColumn this[string name] =>
        Find(name) ?? throw new KeyNotFoundException($"The table has no column '{name}'; its columns: {string.Join(", ", Columns.Select(c => c.Name))}.");

    /// <summary>A column by name, or <see langword="null"/>.</summary>
    /// <param name="name">The name (case-sensitive).</param>
    /// <returns>The column, if any.</returns>
    public TableColumn? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The same table with one column read again as another kind (through its values as invariant text): for
    /// instance an integer code as <see cref="ColumnKind.Categorical"/>.</summary>
    /// <param name="name">The column.</param>
    /// <param name="kind">The new kind.</param>
    /// <returns>The new table.</returns>
    /// <exception cref="TableFormatException">A value cannot be read as the new kind (the message names row and value).</exception>
    public Table WithKind(string name, ColumnKind kind)
    {
        var old = this[name];
        object?[] cells = [.. Enumerable.Range(0, RowCount).Select(r => old.Format(r, CultureInfo.InvariantCulture))];
        var (column, reason) = ColumnBuilder.Build(name, cells, kind, old.Nullable, "set in code", new TableReadOptions());
        var reasons = new Dictionary<string, string>(_reasons, StringComparer.Ordinal) { [name] = reason };
        return new Table(Columns.Select(c => c.Name == name ? column : c), reasons);
    }

    /// <summary>The rows at the given positions, in that order (a row may repeat): for a train/test split.</summary>
    /// <param name="rows">0-based row positions.</param>
    /// <returns>The new table (the same schema reasons).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A position is outside the table.</exception>
    public Table SelectRows(IEnumerable<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int[] picked = [.. rows];
        int bad = Array.FindIndex(picked, r => r < 0 || r >= RowCount);
        if (bad >= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), picked[bad], $"Row positions must be in [0, {RowCount}).");
        }

        return new Table(Columns.Select(c => Subset(c, picked)), _reasons);
    }

    internal static TableColumn Subset(TableColumn c, int[] rows) => c.Kind switch
    {
        ColumnKind.Continuous => TableColumn.Continuous(c.Name, rows.Select(r => c.IsMissing(r) ? (double?)null : c.GetDouble(r)), c.Nullable),
        ColumnKind.Categorical => TableColumn.Categorical(c.Name, rows.Select(r => c.IsMissing(r) ? null : c.GetString(r)), c.Nullable),
        ColumnKind.Id => TableColumn.Id(c.Name, rows.Select(r => c.IsMissing(r) ? null : c.GetString(r)), c.Nullable),
        _ => TableColumn.FromLongs(c.Name, c.Kind, rows.Select(r => c.IsMissing(r) ? (long?)null : c.RawLong(r)), c.Nullable),
    };
}
