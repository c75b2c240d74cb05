using System.Text.Json.Nodes;

namespace Generative.Tabular;

/// <summary>
/// Rules that every sampled row satisfies, for any synthesizer: column ranges, <c>a &lt;= b</c> between two numeric or
/// date columns, and allowed combinations of categorical columns. Immutable: each method returns new rules. Fit a model
/// with them through <see cref="TableSynthesizerRegistry.Fit(string, Table, TableRules, object?, TorchSharp.torch.Generator)"/>
/// or <see cref="ConstrainedSynthesizer.Fit"/>.
/// </summary>
/// <remarks>
/// <para>Each rule is a reversible transform around the model (as SDV's constraint transforms are): the table is checked
/// (a row that breaks a rule is refused, naming it) and transformed before the model learns it, and every sample is
/// transformed back, so the rules hold by construction rather than by discarding rows:</para>
/// <list type="bullet">
/// <item><see cref="Range(string, double, double)"/>: clamped into the range when reversed; a missing cell satisfies it.</item>
/// <item><see cref="LessOrEqual"/>: the model learns <c>b</c> as log(1 + (b − a)), reversed as b = a + max(0, e^· − 1);
/// a row with a missing cell satisfies it; fitting needs <c>a</c> wherever <c>b</c> is present.</item>
/// <item><see cref="AllowedCombinations(string[])"/>: the columns are merged into one categorical column of allowed
/// combinations and split back; a missing cell is a value of a combination.</item>
/// </list>
/// <para>Reversed in three steps: combinations are split, ranges clamped, then each <c>b</c> rebuilt from <c>a</c> (within
/// <c>b</c>'s range if it has one; where that range caps <c>b</c> below <c>a</c>, <c>a</c> is lowered to it). A column
/// may be the <c>b</c> of one <c>a &lt;= b</c> only, and then in no other order or combination; a column in a
/// combination is in no other rule but a range.</para>
/// </remarks>
public sealed class TableRules
{
    internal const string FormatName = "generative-table-rules";
    internal const int FormatVersion = 1;

    private readonly TableRule[] _rules;

    private TableRules(TableRule[] rules) => _rules = rules;

    /// <summary>No rule.</summary>
    public static TableRules None { get; } = new([]);

    /// <summary>The rules, in the order they were added.</summary>
    public IReadOnlyList<TableRule> Rules => _rules;

    /// <summary>Whether there is no rule.</summary>
    public bool IsEmpty => _rules.Length == 0;

    /// <summary>Requires a continuous or integer column's values to lie in a closed range.</summary>
    /// <param name="column">The column.</param>
    /// <param name="minimum">The smallest allowed value.</param>
    /// <param name="maximum">The largest allowed value.</param>
    /// <returns>The rules with this one added.</returns>
    /// <exception cref="ArgumentException">A bound is not finite, or <paramref name="minimum"/> exceeds <paramref name="maximum"/>.</exception>
    public TableRules Range(string column, double minimum, double maximum)
    {
        if (!double.IsFinite(minimum) || !double.IsFinite(maximum) || minimum > maximum)
        {
            throw new ArgumentException($"The range of '{column}' must be finite with minimum <= maximum, but is [{minimum}, {maximum}].", nameof(minimum));
        }

        return With(new RangeRule(column, minimum, maximum));
    }

    /// <summary>Requires a date column's values to lie in a closed range.</summary>
    /// <param name="column">The column.</param>
    /// <param name="earliest">The earliest allowed date.</param>
    /// <param name="latest">The latest allowed date.</param>
    /// <returns>The rules with this one added.</returns>
    /// <exception cref="ArgumentException"><paramref name="earliest"/> is after <paramref name="latest"/>.</exception>
    public TableRules Range(string column, DateTime earliest, DateTime latest)
    {
        if (earliest > latest)
        {
            throw new ArgumentException($"The range of '{column}' must have earliest <= latest, but is [{earliest:O}, {latest:O}].", nameof(earliest));
        }

        return With(new RangeRule(column, earliest, latest));
    }

    /// <summary>Requires <paramref name="low"/> &lt;= <paramref name="high"/> in every row where both are present (two
    /// numeric columns, or two date columns).</summary>
    /// <param name="low">The column that is never greater.</param>
    /// <param name="high">The column that is never smaller.</param>
    /// <returns>The rules with this one added.</returns>
    /// <exception cref="ArgumentException">The columns are the same, or <paramref name="high"/> already takes part in
    /// an order or a combination, or <paramref name="low"/> is the high side of another order.</exception>
    public TableRules LessOrEqual(string low, string high) => With(new LessOrEqualRule(low, high));

    /// <summary>Requires the values of two or more categorical or Boolean columns to occur only in the combinations
    /// seen in the data the model is fitted to.</summary>
    /// <param name="columns">The columns.</param>
    /// <returns>The rules with this one added.</returns>
    /// <exception cref="ArgumentException">Fewer than two distinct columns, or one is already in an order or a combination.</exception>
    public TableRules AllowedCombinations(params string[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        return With(new CombinationRule(columns, null));
    }

    /// <summary>Requires the values of two or more categorical or Boolean columns to occur only in the given
    /// combinations (Booleans as <c>"true"</c>/<c>"false"</c>, <see langword="null"/> for a missing cell).</summary>
    /// <param name="columns">The columns.</param>
    /// <param name="combinations">The allowed combinations, each with one value per column, in column order.</param>
    /// <returns>The rules with this one added.</returns>
    /// <exception cref="ArgumentException">A combination has another number of values, or a column is already in an
    /// order or a combination.</exception>
    public TableRules AllowedCombinations(IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string?>> combinations)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(combinations);
        return With(new CombinationRule(columns, [.. combinations]));
    }

    /// <summary>Which rows of a table satisfy every rule.</summary>
    /// <param name="table">A table with the rules' columns.</param>
    /// <returns>One flag per row.</returns>
    public bool[] Matches(Table table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var flags = Enumerable.Repeat(true, table.RowCount).ToArray();
        foreach (var rule in _rules)
        {
            for (int row = 0; row < flags.Length; row++)
            {
                flags[row] = flags[row] && rule.Holds(table, row);
            }
        }

        return flags;
    }

    /// <inheritdoc/>
    public override string ToString() => IsEmpty ? "(no rule)" : string.Join("; ", _rules.Select(r => r.ToString()));

    /// <summary>Checks every rule against the table (kinds, every row) and returns them fitted to it.</summary>
    internal TableRules Fit(Table table) => new([.. _rules.Select(r => r.Fit(table))]);

    /// <summary>The table the model learns: orders as differences, combinations merged.</summary>
    internal Table Forward(Table table)
    {
        foreach (var rule in _rules.OfType<LessOrEqualRule>())
        {
            table = rule.Forward(table);
        }

        foreach (var rule in _rules.OfType<CombinationRule>())
        {
            table = rule.Forward(table);
        }

        return table;
    }

    /// <summary>A model's rows back in the original columns, every rule holding (see the remarks).</summary>
    internal Table Reverse(Table table, TableSchema original)
    {
        foreach (var rule in _rules.OfType<CombinationRule>())
        {
            table = rule.Reverse(table, original);
        }

        foreach (var rule in _rules.OfType<RangeRule>().Where(r => _rules.OfType<LessOrEqualRule>().All(o => o.High != r.Column)))
        {
            table = rule.Clamp(table);
        }

        foreach (var rule in _rules.OfType<LessOrEqualRule>())
        {
            table = rule.Reverse(table, original[rule.High], _rules.OfType<RangeRule>().FirstOrDefault(r => r.Column == rule.High));
        }

        return new Table(original.Columns.Select(c => table[c.Name]));
    }

    /// <summary>
    /// A condition on the original columns as a condition on the model's: a category condition on columns of a
    /// combination becomes one on the merged column (the combinations that agree with it); a range on a column that is
    /// the high side of an order is refused; every other condition passes unchanged.
    /// </summary>
    /// <exception cref="ArgumentException">The condition cannot be mapped (the message says why and what to do).</exception>
    internal TableCondition Map(TableCondition condition, TableSchema model)
    {
        var mapped = TableCondition.None;
        var byCombination = new Dictionary<CombinationRule, Dictionary<string, IReadOnlyList<string>>>();
        foreach (var c in condition.Columns)
        {
            if (_rules.OfType<LessOrEqualRule>().FirstOrDefault(r => r.High == c.Column) is { } order)
            {
                throw new ArgumentException(
                    $"A condition on '{c.Column}' is not supported under the rule {order}: the model generates '{c.Column}' as '{order.Low}' plus a difference. Condition on '{order.Low}' instead, or fit without the rule.",
                    nameof(condition));
            }

            if (_rules.OfType<CombinationRule>().FirstOrDefault(r => r.Columns.Contains(c.Column)) is { } combination)
            {
                if (!byCombination.TryGetValue(combination, out var categories))
                {
                    byCombination[combination] = categories = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
                }

                categories[c.Column] = c.Categories!;
                continue;
            }

            mapped = c.Categories is not null ? mapped.WhereIn(c.Column, c.Categories)
                : c.Earliest is not null ? mapped.WhereBetween(c.Column, c.Earliest.Value, c.Latest!.Value)
                : mapped.WhereBetween(c.Column, c.Minimum!.Value, c.Maximum!.Value);
        }

        foreach (var (combination, categories) in byCombination)
        {
            var learned = model[combination.Merged].Categories ?? [];
            string[] labels = [.. combination.LabelsWhere(categories).Where(l => learned.Contains(l, StringComparer.Ordinal))];
            if (labels.Length == 0)
            {
                throw new ArgumentException(
                    $"No allowed combination of ({string.Join(", ", combination.Columns)}) has {string.Join(" and ", categories.Select(p => $"{p.Key} in {{{string.Join(", ", p.Value.Select(v => $"'{v}'"))}}}"))} among those the model learned; the condition asks for rows the rules forbid.",
                    nameof(condition));
            }

            mapped = mapped.WhereIn(combination.Merged, labels);
        }

        return mapped;
    }

    internal JsonObject ToJson(TableSchema original) => new()
    {
        ["format"] = FormatName,
        ["version"] = FormatVersion,
        ["schema"] = original.ToJson(),
        ["rules"] = new JsonArray([.. _rules.Select(r => (JsonNode?)r.ToJson())]),
    };

    internal static (TableRules Rules, TableSchema Schema) FromJson(JsonNode? json, string source)
    {
        if (json is not JsonObject root)
        {
            throw new InvalidDataException($"{source}: rules are a JSON object; found {Json.Describe(json)}.");
        }

        string format = Json.String(root, "format", source);
        if (format != FormatName)
        {
            throw new InvalidDataException($"{source}: 'format' is '{format}'; saved rules have '{FormatName}'.");
        }

        int version = Json.Int(root, "version", source);
        if (version is < 1 or > FormatVersion)
        {
            throw new InvalidDataException($"{source}: 'version' is {version}; this library reads rules of version 1 to {FormatVersion}.");
        }

        var schema = TableSchema.FromJson(root["schema"], source + " (schema)");
        if (root["rules"] is not JsonArray array)
        {
            throw new InvalidDataException($"{source}: 'rules' must be an array; found {Json.Describe(root["rules"])}.");
        }

        var rules = None;
        for (int i = 0; i < array.Count; i++)
        {
            string where = $"{source}: rules[{i}]";
            var entry = array[i] as JsonObject ?? throw new InvalidDataException($"{where} must be an object; found {Json.Describe(array[i])}.");
            string kind = Json.String(entry, "rule", where);
            TableRule rule = kind switch
            {
                RangeRule.Name => RangeRule.FromJson(entry, where),
                LessOrEqualRule.Name => LessOrEqualRule.FromJson(entry, where),
                CombinationRule.Name => CombinationRule.FromJson(entry, where),
                _ => throw new InvalidDataException($"{where}: 'rule' is '{kind}'; the rules are {RangeRule.Name}, {LessOrEqualRule.Name} and {CombinationRule.Name}."),
            };
            foreach (string column in rule.Columns)
            {
                _ = schema.Columns.FirstOrDefault(c => c.Name == column) ?? throw new InvalidDataException($"{where} names '{column}', which is not a column of the schema.");
            }

            try
            {
                rules = rules.With(rule);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{where}: {e.Message}", e);
            }
        }

        return (rules, schema);
    }

    private TableRules With(TableRule rule)
    {
        foreach (var existing in _rules)
        {
            string? clash = (existing, rule) switch
            {
                (LessOrEqualRule a, LessOrEqualRule b) when a.High == b.High || a.High == b.Low || a.Low == b.High =>
                    $"{rule} and {existing} chain or share a high side; a column may be the high side of one order and then in no other order",
                (CombinationRule a, _) when rule is not RangeRule && rule.Columns.Any(a.Columns.Contains) =>
                    $"{rule} names a column of {existing}; a column in a combination takes part in no other rule but a range",
                (_, CombinationRule b) when existing is not RangeRule && existing.Columns.Any(b.Columns.Contains) =>
                    $"{rule} names a column of {existing}; a column in a combination takes part in no other rule but a range",
                (RangeRule a, RangeRule b) when a.Column == b.Column =>
                    $"'{a.Column}' already has the range {existing}; give each column one",
                _ => null,
            };
            if (clash is not null)
            {
                throw new ArgumentException($"The rules cannot be combined: {clash}.", nameof(rule));
            }
        }

        return new TableRules([.. _rules, rule]);
    }
}
