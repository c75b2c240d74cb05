namespace Generative.Tabular;

/// <summary>
/// A condition on sampled rows: <c>where column = value</c> on one or several categorical or Boolean columns, and ranges
/// on numeric or date columns, all of which every row must satisfy. Immutable: each <c>Where…</c> returns a new
/// condition. Pass it to <see cref="ITableSynthesizer.Sample(int, TableCondition, TorchSharp.torch.Generator)"/>.
/// </summary>
/// <example>
/// <code>
/// var condition = TableCondition.None.Where("workclass", " Private").WhereBetween("age", 30, 40);
/// Table rows = model.Sample(1_000, condition, generator);
/// </code>
/// </example>
public sealed class TableCondition
{
    private readonly ColumnCondition[] _columns;

    private TableCondition(ColumnCondition[] columns) => _columns = columns;

    /// <summary>No condition: every row is allowed.</summary>
    public static TableCondition None { get; } = new([]);

    /// <summary>The columns' conditions, in the order they were added.</summary>
    public IReadOnlyList<ColumnCondition> Columns => _columns;

    /// <summary>Whether there is no condition.</summary>
    public bool IsEmpty => _columns.Length == 0;

    /// <summary>Requires a categorical column to hold one category.</summary>
    /// <param name="column">The column.</param>
    /// <param name="category">The category, exactly as in the data.</param>
    /// <returns>The condition with this column's added.</returns>
    /// <exception cref="ArgumentException">The column already has a condition.</exception>
    public TableCondition Where(string column, string category) => WhereIn(column, [category]);

    /// <summary>Requires a Boolean column to hold one value.</summary>
    /// <param name="column">The column.</param>
    /// <param name="value">The value.</param>
    /// <returns>The condition with this column's added.</returns>
    /// <exception cref="ArgumentException">The column already has a condition.</exception>
    public TableCondition Where(string column, bool value) => WhereIn(column, [value ? "true" : "false"]);

    /// <summary>Requires an integer column to hold one value.</summary>
    /// <param name="column">The column.</param>
    /// <param name="value">The value.</param>
    /// <returns>The condition with this column's added.</returns>
    /// <exception cref="ArgumentException">The column already has a condition.</exception>
    public TableCondition Where(string column, long value) => WhereBetween(column, value, value);

    /// <summary>Requires a categorical column to hold one of several categories (a Boolean column: <c>"true"</c>/<c>"false"</c>).</summary>
    /// <param name="column">The column.</param>
    /// <param name="categories">The allowed categories (at least one).</param>
    /// <returns>The condition with this column's added.</returns>
    /// <exception cref="ArgumentException">No category is given, or the column already has a condition.</exception>
    public TableCondition WhereIn(string column, IEnumerable<string> categories)
    {
        ArgumentNullException.ThrowIfNull(categories);
        string[] allowed = [.. categories.Distinct(StringComparer.Ordinal)];
        if (allowed.Length == 0)
        {
            throw new ArgumentException($"A condition on '{column}' needs at least one category.", nameof(categories));
        }

        return With(new ColumnCondition(column, allowed, null, null, null, null));
    }

    /// <summary>Requires a continuous or integer column's value to lie in a closed range.</summary>
    /// <param name="column">The column.</param>
    /// <param name="minimum">The smallest allowed value.</param>
    /// <param name="maximum">The largest allowed value.</param>
    /// <returns>The condition with this column's added.</returns>
    /// <exception cref="ArgumentException">A bound is not finite, <paramref name="minimum"/> exceeds
    /// <paramref name="maximum"/>, or the column already has a condition.</exception>
    public TableCondition WhereBetween(string column, double minimum, double maximum)
    {
        if (!double.IsFinite(minimum) || !double.IsFinite(maximum) || minimum > maximum)
        {
            throw new ArgumentException($"The range of '{column}' must be finite with minimum <= maximum, but is [{minimum}, {maximum}].", nameof(minimum));
        }

        return With(new ColumnCondition(column, null, minimum, maximum, null, null));
    }

    /// <summary>Requires a date column's value to lie in a closed range.</summary>
    /// <param name="column">The column.</param>
    /// <param name="earliest">The earliest allowed date.</param>
    /// <param name="latest">The latest allowed date.</param>
    /// <returns>The condition with this column's added.</returns>
    /// <exception cref="ArgumentException"><paramref name="earliest"/> is after <paramref name="latest"/>, or the column
    /// already has a condition.</exception>
    public TableCondition WhereBetween(string column, DateTime earliest, DateTime latest)
    {
        if (earliest > latest)
        {
            throw new ArgumentException($"The range of '{column}' must have earliest <= latest, but is [{earliest:O}, {latest:O}].", nameof(earliest));
        }

        return With(new ColumnCondition(column, null, null, null, earliest, latest));
    }

    /// <summary>The condition on one column, if any.</summary>
    /// <param name="column">The column's name.</param>
    /// <returns>Its condition, or <see langword="null"/>.</returns>
    public ColumnCondition? For(string column) => Array.Find(_columns, c => c.Column == column);

    /// <summary>
    /// Checks the condition against a model's schema: every column exists and is not an id; categories are among the
    /// column's observed categories; ranges are on numeric (or date) columns and overlap the observed minimum and maximum
    /// (an integer range must hold a whole number).
    /// </summary>
    /// <param name="schema">The schema of the table the model was fitted to.</param>
    /// <exception cref="ArgumentException">The condition names an unknown column or asks for an impossible value; the
    /// message names the column, the value and what is possible.</exception>
    public void Validate(TableSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        foreach (var condition in _columns)
        {
            var column = schema.Columns.FirstOrDefault(c => c.Name == condition.Column)
                ?? throw new ArgumentException($"The condition names '{condition.Column}', which is not a column; the columns are: {string.Join(", ", schema.Columns.Select(c => $"'{c.Name}'"))}.", nameof(schema));
            ValidateColumn(condition, column);
        }
    }

    /// <summary>Which rows of a table satisfy the condition.</summary>
    /// <param name="table">The table (it must have every conditioned column).</param>
    /// <returns>One flag per row.</returns>
    /// <exception cref="KeyNotFoundException">A conditioned column is not in the table.</exception>
    public bool[] Matches(Table table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var flags = Enumerable.Repeat(true, table.RowCount).ToArray();
        foreach (var condition in _columns)
        {
            var column = table[condition.Column];
            for (int row = 0; row < flags.Length; row++)
            {
                flags[row] = flags[row] && condition.Matches(column, row);
            }
        }

        return flags;
    }

    /// <inheritdoc/>
    public override string ToString() => IsEmpty ? "(no condition)" : string.Join(" and ", _columns.Select(c => c.ToString()));

    private static void ValidateColumn(ColumnCondition condition, ColumnSchema column)
    {
        string name = condition.Column;
        switch (column.Kind)
        {
            case ColumnKind.Categorical or ColumnKind.Boolean when condition.Categories is not null:
                var known = column.Kind == ColumnKind.Boolean ? ["false", "true"] : column.Categories ?? [];
                foreach (string category in condition.Categories)
                {
                    if (!known.Contains(category, StringComparer.Ordinal))
                    {
                        throw new ArgumentException($"The condition asks '{name}' to be '{category}', which the model never saw; its values are: {string.Join(", ", known.Select(k => $"'{k}'"))}.", nameof(condition));
                    }
                }

                return;
            case ColumnKind.Continuous or ColumnKind.Integer when condition.Minimum is not null:
                double low = Math.Max(condition.Minimum.Value, column.Minimum ?? double.NegativeInfinity);
                double high = Math.Min(condition.Maximum!.Value, column.Maximum ?? double.PositiveInfinity);
                bool empty = low > high || (column.Kind == ColumnKind.Integer && Math.Ceiling(low) > Math.Floor(high));
                if (empty)
                {
                    throw new ArgumentException($"The condition asks '{name}' to be in [{condition.Minimum}, {condition.Maximum}], which holds no value the model can generate; observed values are in [{column.Minimum}, {column.Maximum}]{(column.Kind == ColumnKind.Integer ? " (whole numbers)" : string.Empty)}.", nameof(condition));
                }

                return;
            case ColumnKind.DateTime when condition.Earliest is not null:
                if (condition.Earliest > column.Latest || condition.Latest < column.Earliest)
                {
                    throw new ArgumentException($"The condition asks '{name}' to be in [{condition.Earliest:O}, {condition.Latest:O}], outside the observed [{column.Earliest:O}, {column.Latest:O}].", nameof(condition));
                }

                return;
            default:
                string asked = condition.Categories is not null ? "a category" : "a range";
                string kind = TableSchema.KindName(column.Kind);
                throw new ArgumentException($"The condition asks {asked} of '{name}', {("aeiou".Contains(kind[0], StringComparison.Ordinal) ? "an" : "a")} {kind} column; categorical and Boolean columns take categories, continuous, integer and date columns take ranges, and id columns cannot be conditioned.", nameof(condition));
        }
    }

    private TableCondition With(ColumnCondition condition)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(condition.Column);
        if (For(condition.Column) is not null)
        {
            throw new ArgumentException($"'{condition.Column}' already has a condition ({For(condition.Column)}); give each column one.", nameof(condition));
        }

        return new TableCondition([.. _columns, condition]);
    }
}
