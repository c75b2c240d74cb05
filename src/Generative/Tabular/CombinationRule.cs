using System.Text.Json.Nodes;

namespace Generative.Tabular;

/// <summary>
/// The values of several categorical (or Boolean) columns occur only in allowed combinations: those seen in the data,
/// or a given list. A missing cell is a value like any other (<see langword="null"/> in a combination): a combination
/// with it is allowed if listed (or seen). Transform: the columns become one categorical column of combinations (at
/// the first one's place, named by joining theirs with <c>" + "</c>), which the model learns like any category; reversed,
/// it is split back into the columns, so every sampled row holds an allowed combination.
/// </summary>
internal sealed class CombinationRule : TableRule
{
    internal const string Name = "allowed-combinations";
    private const string MissingLabel = "(missing)";

    private readonly Dictionary<string, int> _byLabel = new(StringComparer.Ordinal);
    private readonly HashSet<string> _allowed = new(StringComparer.Ordinal);

    internal CombinationRule(IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<string?>>? combinations)
        : base(columns)
    {
        if (columns.Count < 2 || columns.Distinct(StringComparer.Ordinal).Count() != columns.Count)
        {
            throw new ArgumentException($"Allowed combinations need two or more distinct columns; found [{string.Join(", ", columns)}].", nameof(columns));
        }

        Combinations = combinations;
        if (combinations is null)
        {
            return;
        }

        Labels = new string[combinations.Count];
        for (int i = 0; i < combinations.Count; i++)
        {
            if (combinations[i].Count != columns.Count)
            {
                throw new ArgumentException($"Combination {i + 1} has {combinations[i].Count} values; the rule is over {columns.Count} columns ({string.Join(", ", columns)}).", nameof(combinations));
            }

            string key = Key(combinations[i]);
            if (!_allowed.Add(key))
            {
                continue;
            }

            string label = string.Join(" | ", combinations[i].Select(v => v ?? MissingLabel));
            for (int k = 2; _byLabel.ContainsKey(label); k++)
            {
                label = $"{string.Join(" | ", combinations[i].Select(v => v ?? MissingLabel))} #{k}";
            }

            _byLabel[label] = i;
            Labels[i] = label;
        }
    }

    /// <summary>The allowed combinations (values in column order, <see langword="null"/> for missing); <see langword="null"/>
    /// before fitting when the data's are to be used.</summary>
    internal IReadOnlyList<IReadOnlyList<string?>>? Combinations { get; }

    /// <summary>The merged column's category for each combination.</summary>
    internal string[] Labels { get; } = [];

    /// <summary>The merged column's name.</summary>
    internal string Merged => string.Join(" + ", Columns);

    internal override string Kind => Name;

    public override bool Holds(Table table, int row)
    {
        ArgumentNullException.ThrowIfNull(table);
        return Combinations is null || _allowed.Contains(Key(Columns.Select(c => Value(table[c], row)).ToArray()));
    }

    public override string ToString() => $"allowed combinations of ({string.Join(", ", Columns)})";

    internal static CombinationRule FromJson(JsonObject json, string where)
    {
        string[] columns = Json.OptionalStrings(json, "columns", where) ?? throw new InvalidDataException($"{where}: 'columns' is missing; expected an array of column names.");
        if (json["combinations"] is not JsonArray array)
        {
            throw new InvalidDataException($"{where}: 'combinations' must be an array of arrays of text or null; found {Json.Describe(json["combinations"])}.");
        }

        var combinations = new List<IReadOnlyList<string?>>();
        for (int i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonArray values || values.Count != columns.Length)
            {
                throw new InvalidDataException($"{where}: 'combinations'[{i}] must be {columns.Length} values (text or null); found {Json.Describe(array[i])}.");
            }

            combinations.Add([.. values.Select((v, k) => v is null ? null : v is JsonValue t && t.TryGetValue(out string? s) ? s : throw new InvalidDataException($"{where}: 'combinations'[{i}][{k}] must be text or null; found {Json.Describe(v)}."))]);
        }

        try
        {
            return new CombinationRule(columns, combinations);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{where}: {e.Message}", e);
        }
    }

    internal override JsonObject ToJson() => new()
    {
        ["rule"] = Name,
        ["columns"] = new JsonArray([.. Columns.Select(c => (JsonNode?)JsonValue.Create(c))]),
        ["combinations"] = new JsonArray([.. (Combinations ?? []).Select(c => (JsonNode?)new JsonArray([.. c.Select(v => (JsonNode?)(v is null ? null : JsonValue.Create(v)))]))]),
    };

    internal override TableRule Fit(Table table)
    {
        var columns = Columns.Select(c => Require(table, c, ToString(), ColumnKind.Categorical, ColumnKind.Boolean)).ToArray();
        if (table.Find(Merged) is not null)
        {
            throw new ArgumentException($"The rule {this} merges its columns into one named '{Merged}', but the table has a column of that name already.", nameof(table));
        }

        if (Combinations is not null)
        {
            RequireHolds(table);
            return this;
        }

        var seen = new List<IReadOnlyList<string?>>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (int row = 0; row < table.RowCount; row++)
        {
            string?[] values = [.. columns.Select(c => Value(c, row))];
            if (keys.Add(Key(values)))
            {
                seen.Add(values);
            }
        }

        return new CombinationRule(Columns, seen);
    }

    /// <summary>Merges the columns into one categorical column of combination labels.</summary>
    internal Table Forward(Table table)
    {
        var columns = Columns.Select(c => table[c]).ToArray();
        var byKey = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < Labels.Length; i++)
        {
            if (Labels[i] is not null)
            {
                byKey[Key(Combinations![i])] = Labels[i];
            }
        }

        var merged = TableColumn.Categorical(Merged, Enumerable.Range(0, table.RowCount).Select(r => (string?)byKey[Key(columns.Select(c => Value(c, r)).ToArray())]), false);
        return new Table(table.Columns.Where(c => c.Name == Columns[0] || !Columns.Contains(c.Name)).Select(c => c.Name == Columns[0] ? merged : c));
    }

    /// <summary>Splits the merged column back into the columns, at the places the original schema gives them.</summary>
    internal Table Reverse(Table table, TableSchema original)
    {
        var merged = table[Merged];
        int[] combination = [.. Enumerable.Range(0, table.RowCount).Select(r => merged.IsMissing(r) ? 0 : _byLabel.GetValueOrDefault(merged.GetString(r)))];
        var split = new Dictionary<string, TableColumn>(StringComparer.Ordinal);
        for (int k = 0; k < Columns.Count; k++)
        {
            var schema = original[Columns[k]];
            var values = combination.Select(i => Combinations![i][k]);
            split[Columns[k]] = schema.Kind == ColumnKind.Boolean
                ? TableColumn.Boolean(Columns[k], values.Select(v => v is null ? null : (bool?)(v == "true")), schema.Nullable)
                : TableColumn.Categorical(Columns[k], values, schema.Nullable);
        }

        var result = new List<TableColumn>();
        foreach (var column in table.Columns)
        {
            if (column.Name == Merged)
            {
                result.AddRange(Columns.Select(c => split[c]));
            }
            else
            {
                result.Add(column);
            }
        }

        return new Table(result);
    }

    /// <summary>The combinations whose values satisfy per-column category sets (a column without a set: any value).</summary>
    internal string[] LabelsWhere(IReadOnlyDictionary<string, IReadOnlyList<string>> categories) =>
        [.. Enumerable.Range(0, Labels.Length).Where(i => Labels[i] is not null && Columns.Select((c, k) => !categories.TryGetValue(c, out var allowed) || (Combinations![i][k] is string v && allowed.Contains(v, StringComparer.Ordinal))).All(ok => ok)).Select(i => Labels[i])];

    private static string? Value(TableColumn column, int row) =>
        column.IsMissing(row) ? null : column.Kind == ColumnKind.Boolean ? (column.GetBoolean(row) ? "true" : "false") : column.GetString(row);

    private static string Key(IReadOnlyList<string?> values) =>
        string.Join("\u001f", values.Select(v => v is null ? "\u001e" : v.Replace("\u001f", "\u001f\u001f", StringComparison.Ordinal)));
}
