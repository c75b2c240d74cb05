using System.Text.Json.Nodes;

namespace Generative.Tabular;

/// <summary>
/// A rule every row of a table must satisfy: a column's range (<see cref="TableRules.Range(string, double, double)"/>),
/// an order between two columns (<see cref="TableRules.LessOrEqual"/>), or the allowed combinations of categorical
/// columns (<see cref="TableRules.AllowedCombinations(string[])"/>). Made by <see cref="TableRules"/>; a
/// <see cref="ConstrainedSynthesizer"/> applies it around a model as a reversible transform, so that it holds in every
/// sampled row. Immutable.
/// </summary>
public abstract class TableRule
{
    private protected TableRule(IReadOnlyList<string> columns)
    {
        foreach (string column in columns)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(column);
        }

        Columns = [.. columns];
    }

    /// <summary>The columns the rule is about.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The rule's name in saved files (<c>range</c>, <c>less-or-equal</c>, <c>allowed-combinations</c>).</summary>
    internal abstract string Kind { get; }

    /// <summary>Whether one row satisfies the rule (what a missing cell does is said by each rule).</summary>
    /// <param name="table">A table with the rule's columns.</param>
    /// <param name="row">The 0-based row.</param>
    /// <returns><see langword="true"/> if it does.</returns>
    public abstract bool Holds(Table table, int row);

    /// <summary>Which rows of a table satisfy the rule.</summary>
    /// <param name="table">A table with the rule's columns.</param>
    /// <returns>One flag per row.</returns>
    public bool[] Matches(Table table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return [.. Enumerable.Range(0, table.RowCount).Select(r => Holds(table, r))];
    }

    /// <summary>Checks the rule against the table a model will learn — its columns' kinds and every row — and returns
    /// it with what it learned from the table (decimals, units, the combinations seen).</summary>
    /// <exception cref="ArgumentException">A column is missing or of a kind the rule does not take, or a row breaks
    /// the rule (the message names the row, the columns and the values).</exception>
    internal abstract TableRule Fit(Table table);

    /// <summary>The fitted rule as JSON, <c>{"rule": Kind, …}</c>.</summary>
    internal abstract JsonObject ToJson();

    /// <summary>The first row that breaks the rule, as an exception naming it.</summary>
    private protected void RequireHolds(Table table)
    {
        for (int row = 0; row < table.RowCount; row++)
        {
            if (!Holds(table, row))
            {
                string values = string.Join(", ", Columns.Select(c => $"{c} = {Show(table[c], row)}"));
                throw new ArgumentException($"Row {row + 1} breaks the rule {this}: {values}. Every row a model learns must satisfy its rules.", nameof(table));
            }
        }
    }

    private protected static TableColumn Require(Table table, string column, string rule, params ColumnKind[] kinds)
    {
        var found = table.Find(column) ?? throw new ArgumentException(
            $"The rule {rule} names '{column}', which is not a column; the columns are: {string.Join(", ", table.Columns.Select(c => $"'{c.Name}'"))}.", nameof(table));
        if (!kinds.Contains(found.Kind))
        {
            throw new ArgumentException(
                $"The rule {rule} needs '{column}' to be {string.Join(" or ", kinds.Select(TableSchema.KindName))}; it is {TableSchema.KindName(found.Kind)}.", nameof(table));
        }

        return found;
    }

    private protected static string Show(TableColumn column, int row) =>
        column.IsMissing(row) ? "(missing)" : column.Kind == ColumnKind.DateTime ? column.GetDateTime(row).ToString("O", System.Globalization.CultureInfo.InvariantCulture) : Convert.ToString(column.GetValue(row), System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;

    /// <summary>A table with one column replaced (same position).</summary>
    private protected static Table Replace(Table table, TableColumn column) =>
        new(table.Columns.Select(c => c.Name == column.Name ? column : c));
}
