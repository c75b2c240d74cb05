using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Generative.Hosting;
using Generative.Tabular;

namespace Generative.SyntheticDataService;

/// <summary>
/// The tabular side of <c>POST /models/{name}/samples</c>: reads <c>"where"</c> into a <see cref="TableCondition"/> and
/// writes typed rows as JSON objects or CSV.
/// </summary>
internal static class TableSamples
{
    /// <summary>
    /// Reads <c>"where": {"column": value | [values] | {"min": a, "max": b}}</c> against the model's schema: a string (or
    /// a Boolean for a Boolean column) is a category, a whole number on an integer column a value, a number on a
    /// continuous column the range [v, v]; a list is a set of categories; an object is a range (numbers, or ISO 8601 dates
    /// for a date column; a missing bound is open). The result is then checked by <see cref="TableCondition.Validate"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The condition names an unknown column or a value that does not fit it; the
    /// message names the column and the value.</exception>
    public static TableCondition ParseWhere(IReadOnlyDictionary<string, JsonElement>? where, TableSchema schema)
    {
        var condition = TableCondition.None;
        if (where is null)
        {
            return condition;
        }

        foreach (var (column, value) in where)
        {
            var known = schema.Columns.FirstOrDefault(c => c.Name == column)
                ?? throw new ArgumentException($"'where' names '{column}', which is not a column; the columns are: {string.Join(", ", schema.Columns.Select(c => $"'{c.Name}'"))}.");
            condition = value.ValueKind switch
            {
                JsonValueKind.String when known.Kind is ColumnKind.Categorical or ColumnKind.Boolean => condition.Where(column, value.GetString()!),
                JsonValueKind.True or JsonValueKind.False when known.Kind == ColumnKind.Boolean => condition.Where(column, value.GetBoolean()),
                JsonValueKind.Number when known.Kind == ColumnKind.Integer && value.TryGetInt64(out long whole) => condition.Where(column, whole),
                JsonValueKind.Number when known.Kind == ColumnKind.Continuous => condition.WhereBetween(column, value.GetDouble(), value.GetDouble()),
                JsonValueKind.Array => condition.WhereIn(column, value.EnumerateArray().Select(v => Category(column, v))),
                JsonValueKind.Object => Range(condition, column, known.Kind, value),
                _ => throw new ArgumentException(
                    $"'where' asks '{column}' (a {TableSchema.KindName(known.Kind)} column) to be {value.GetRawText()}, which does not fit it: give a category (\"text\"), a list of categories, a number for a numeric column, or {{\"min\": a, \"max\": b}}."),
            };
        }

        condition.Validate(schema);
        return condition;
    }

    private static string Category(string column, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => throw new ArgumentException($"'where' lists {value.GetRawText()} for '{column}'; a list holds categories (strings or Booleans); use {{\"min\": a, \"max\": b}} for numbers."),
    };

    private static TableCondition Range(TableCondition condition, string column, ColumnKind kind, JsonElement range)
    {
        JsonElement? min = null, max = null;
        foreach (var property in range.EnumerateObject())
        {
            switch (property.Name)
            {
                case "min":
                    min = property.Value;
                    break;
                case "max":
                    max = property.Value;
                    break;
                default:
                    throw new ArgumentException($"'where' gives '{column}' the key '{property.Name}'; a range has 'min' and/or 'max'.");
            }
        }

        if (min is null && max is null)
        {
            throw new ArgumentException($"'where' gives '{column}' an empty range; give 'min' and/or 'max'.");
        }

        if (kind == ColumnKind.DateTime)
        {
            return condition.WhereBetween(column, Date(column, min) ?? DateTime.MinValue, Date(column, max) ?? DateTime.MaxValue);
        }

        if (kind is not (ColumnKind.Continuous or ColumnKind.Integer))
        {
            throw new ArgumentException($"'where' gives '{column}' a range, but it is a {TableSchema.KindName(kind)} column; ranges are for numeric and date columns.");
        }

        return condition.WhereBetween(column, Number(column, min) ?? double.MinValue, Number(column, max) ?? double.MaxValue);
    }

    private static double? Number(string column, JsonElement? value) =>
        value is not { } v ? null
        : v.ValueKind == JsonValueKind.Number && double.IsFinite(v.GetDouble()) ? v.GetDouble()
        : throw new ArgumentException($"'where' gives '{column}' the bound {v.GetRawText()}; a bound of a numeric column is a finite number.");

    private static DateTime? Date(string column, JsonElement? value) =>
        value is not { } v ? null
        : v.ValueKind == JsonValueKind.String && DateTime.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var date) ? date
        : throw new ArgumentException($"'where' gives '{column}' the bound {v.GetRawText()}; a bound of a date column is an ISO 8601 date.");

    /// <summary>The JSON answer: <c>{model, synthesizer, seed, count, where, columns: [{name, kind, nullable}], rows: [{column: value}]}</c>,
    /// values typed (numbers, strings, Booleans, ISO 8601 dates), missing cells <c>null</c>.</summary>
    public static JsonObject ToJson(GeneratedTable result)
    {
        var table = result.Rows;
        var rows = new JsonArray();
        for (int row = 0; row < table.RowCount; row++)
        {
            var item = new JsonObject();
            foreach (var column in table.Columns)
            {
                item[column.Name] = Cell(column, row);
            }

            rows.Add(item);
        }

        return new JsonObject
        {
            ["model"] = result.ModelName,
            ["synthesizer"] = result.Synthesizer,
            ["seed"] = result.Seed,
            ["count"] = table.RowCount,
            ["where"] = result.Condition.IsEmpty ? null : result.Condition.ToString(),
            ["columns"] = new JsonArray([.. table.Columns.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["kind"] = TableSchema.KindName(c.Kind),
                ["nullable"] = c.Nullable,
            })]),
            ["rows"] = rows,
        };
    }

    private static JsonNode? Cell(TableColumn column, int row) =>
        column.IsMissing(row) ? null : column.Kind switch
        {
            ColumnKind.Continuous => JsonValue.Create(column.GetDouble(row)),
            ColumnKind.Integer => JsonValue.Create(column.GetInt64(row)),
            ColumnKind.Boolean => JsonValue.Create(column.GetBoolean(row)),
            ColumnKind.DateTime => JsonValue.Create(column.GetDateTime(row).ToString("O", CultureInfo.InvariantCulture)),
            _ => JsonValue.Create(column.GetString(row)),
        };

    /// <summary>A tabular model as <c>GET /models</c> lists it.</summary>
    public static JsonObject Describe(TableModelDescriptor d) => new()
    {
        ["name"] = d.Name,
        ["family"] = "table",
        ["kind"] = "table",
        ["synthesizer"] = d.Synthesizer,
        ["featureNames"] = new JsonArray([.. d.Schema.Columns.Select(c => (JsonNode)JsonValue.Create(c.Name))]),
        ["columns"] = new JsonArray([.. d.Schema.Columns.Select(c => (JsonNode)Column(c))]),
        ["maxCount"] = d.MaxCount,
        ["formats"] = new JsonArray("json", "csv"),
    };

    private static JsonObject Column(ColumnSchema c)
    {
        var json = new JsonObject { ["name"] = c.Name, ["kind"] = TableSchema.KindName(c.Kind), ["nullable"] = c.Nullable };
        if (c.Categories is { } categories && c.Kind == ColumnKind.Categorical)
        {
            json["categories"] = new JsonArray([.. categories.Select(k => (JsonNode)JsonValue.Create(k))]);
        }

        if (c.Minimum is { } min && c.Maximum is { } max)
        {
            json["minimum"] = min;
            json["maximum"] = max;
        }

        return json;
    }
}
