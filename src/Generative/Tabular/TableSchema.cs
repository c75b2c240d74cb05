using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Generative.Tabular;

/// <summary>
/// The columns of a table — name, <see cref="ColumnKind"/>, nullability, observed bounds and categories — and why each
/// has its kind. A table read from CSV, a data reader or records carries its inferred schema (<see cref="Table.Schema"/>);
/// it is saved as JSON next to a model and validated when loaded. Immutable.
/// </summary>
/// <remarks>
/// <para>Inference, for a column whose kind is not set in code (<see cref="TableReadOptions.Kinds"/>,
/// <see cref="TableReadOptions.Schema"/>, <see cref="With"/>): typed cells (a data reader, records) by their .NET type;
/// text cells (CSV) as <see cref="ColumnKind.Boolean"/> if every present value is true/false,
/// <see cref="ColumnKind.Integer"/> if every one is a whole number, <see cref="ColumnKind.Continuous"/> if every one is
/// a number, <see cref="ColumnKind.DateTime"/> if every one is an ISO 8601 date (or matches
/// <see cref="TableReadOptions.DateFormats"/>), else text: <see cref="ColumnKind.Id"/> when all of at least 10 values
/// are distinct and none is missing, <see cref="ColumnKind.Categorical"/> otherwise. Numbers written with a leading
/// zero (<c>02134</c>) are codes, hence text. Whole numbers are an <see cref="ColumnKind.Id"/> only when the column's
/// name looks like a key (<c>id</c>, <c>key</c>, <c>…_id</c>, <c>…Id</c>) and all are distinct.</para>
/// <para>The JSON file: <c>{"format": "generative-table-schema", "version": 1, "columns": [{"name", "kind",
/// "nullable", "rows", "missing", "minimum", "maximum", "earliest", "latest", "categories", "reason"}]}</c>.</para>
/// </remarks>
public sealed class TableSchema
{
    /// <summary>The version of the JSON format this library writes and reads.</summary>
    public const int FormatVersion = 1;

    private const string FormatName = "generative-table-schema";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Creates a schema.</summary>
    /// <param name="columns">The columns, in table order; names unique (case-sensitive).</param>
    /// <exception cref="ArgumentException">There is no column, or two share a name.</exception>
    public TableSchema(IEnumerable<ColumnSchema> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        Columns = [.. columns];
        if (Columns.Count == 0)
        {
            throw new ArgumentException("A schema needs at least one column.", nameof(columns));
        }

        string? duplicate = Columns.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null)
        {
            throw new ArgumentException($"Two columns are named '{duplicate}'; column names must be unique.", nameof(columns));
        }
    }

    /// <summary>The columns, in table order.</summary>
    public IReadOnlyList<ColumnSchema> Columns { get; }

    /// <summary>A column by name.</summary>
    /// <param name="name">The name (case-sensitive).</param>
    /// <returns>The column.</returns>
    /// <exception cref="KeyNotFoundException">No column has that name (the message lists the columns).</exception>
    public ColumnSchema this[string name] =>
        Columns.FirstOrDefault(c => c.Name == name)
        ?? throw new KeyNotFoundException($"The schema has no column '{name}'; its columns: {string.Join(", ", Columns.Select(c => c.Name))}.");

    /// <summary>The schema of a table as observed (kinds, nullability, bounds, categories).</summary>
    /// <param name="table">The table.</param>
    /// <returns>Its schema.</returns>
    public static TableSchema Of(Table table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return table.Schema;
    }

    /// <summary>The same schema with one column's kind (and optionally nullability) set in code; its observations are
    /// dropped (they belong to the old kind). Read a table with it through <see cref="TableReadOptions.Schema"/>.</summary>
    /// <param name="name">The column.</param>
    /// <param name="kind">Its new kind.</param>
    /// <param name="nullable">Its nullability; <see langword="null"/> keeps the current one.</param>
    /// <returns>The new schema.</returns>
    public TableSchema With(string name, ColumnKind kind, bool? nullable = null)
    {
        var old = this[name];
        var column = new ColumnSchema(name, kind, nullable ?? old.Nullable) { Reason = "set in code" };
        return new TableSchema(Columns.Select(c => c.Name == name ? column : c));
    }

    /// <summary>What was inferred for each column and why, one line per column.</summary>
    /// <returns>The report.</returns>
    public string Describe()
    {
        var text = new StringBuilder();
        foreach (var column in Columns)
        {
            text.AppendLine(column.ToString());
        }

        return text.ToString();
    }

    /// <summary>Checks that a table has every column of this schema, of the same kind, with no missing cell in a column
    /// that is not nullable.</summary>
    /// <param name="table">The table.</param>
    /// <exception cref="TableFormatException">A column is absent or of another kind, or a non-nullable one has a missing
    /// cell (the message names it).</exception>
    public void Validate(Table table)
    {
        ArgumentNullException.ThrowIfNull(table);
        foreach (var expected in Columns)
        {
            var column = table.Find(expected.Name) ?? throw new TableFormatException(
                $"The table has no column '{expected.Name}', which the schema names; its columns: {string.Join(", ", table.Columns.Select(c => c.Name))}.",
                null, expected.Name, null);
            if (column.Kind != expected.Kind)
            {
                throw new TableFormatException(
                    $"Column '{expected.Name}' is {ColumnBuilder.Describe(column.Kind)}; the schema expects {ColumnBuilder.Describe(expected.Kind)}.",
                    null, expected.Name, null);
            }

            if (!expected.Nullable && column.MissingCount > 0)
            {
                int row = Enumerable.Range(0, column.Count).First(column.IsMissing);
                throw new TableFormatException(
                    $"Row {row + 1}, column '{expected.Name}': the value is missing, but the schema says the column is not nullable.",
                    row + 1, expected.Name, null);
            }
        }
    }

    /// <summary>The schema as JSON (the format in the remarks).</summary>
    /// <returns>A new JSON object.</returns>
    public JsonObject ToJson()
    {
        var columns = new JsonArray();
        foreach (var c in Columns)
        {
            var o = new JsonObject
            {
                ["name"] = c.Name,
                ["kind"] = KindName(c.Kind),
                ["nullable"] = c.Nullable,
                ["rows"] = c.Rows,
                ["missing"] = c.Missing,
            };
            if (c.Minimum is double min)
            {
                o["minimum"] = min;
                o["maximum"] = c.Maximum;
            }

            if (c.Earliest is DateTime earliest)
            {
                o["earliest"] = earliest.ToString("O", CultureInfo.InvariantCulture);
                o["latest"] = c.Latest?.ToString("O", CultureInfo.InvariantCulture);
            }

            if (c.Categories is not null)
            {
                o["categories"] = new JsonArray([.. c.Categories.Select(s => (JsonNode?)JsonValue.Create(s))]);
            }

            if (c.Reason is not null)
            {
                o["reason"] = c.Reason;
            }

            columns.Add(o);
        }

        return new JsonObject { ["format"] = FormatName, ["version"] = FormatVersion, ["columns"] = columns };
    }

    /// <summary>Writes the schema as an indented JSON file (through a temporary file, so a reader never sees half of it).</summary>
    /// <param name="path">The file (conventionally <c>schema.json</c> next to a model).</param>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        WriteAtomically(path, ToJson().ToJsonString(Indented));
    }

    /// <summary>Reads and validates a schema file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The schema.</returns>
    /// <exception cref="InvalidDataException">The file is not a valid schema: not JSON, another format, a newer version,
    /// an unknown kind, a field of the wrong type (the message names the file, the column and the field).</exception>
    public static TableSchema Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }

        return FromJson(node, path);
    }

    /// <summary>Reads and validates a schema from JSON (the format in the remarks).</summary>
    /// <param name="json">The JSON.</param>
    /// <param name="source">Where it came from, for messages.</param>
    /// <returns>The schema.</returns>
    /// <exception cref="InvalidDataException">It is not a valid schema (the message says where and why).</exception>
    public static TableSchema FromJson(JsonNode? json, string source = "(in memory)")
    {
        if (json is not JsonObject root)
        {
            throw new InvalidDataException($"{source}: a table schema is a JSON object; found {Json.Describe(json)}.");
        }

        string format = Json.String(root, "format", source);
        if (format != FormatName)
        {
            throw new InvalidDataException($"{source}: 'format' is '{format}'; a table schema has '{FormatName}'.");
        }

        int version = Json.Int(root, "version", source);
        if (version > FormatVersion || version < 1)
        {
            throw new InvalidDataException(
                $"{source}: schema version {version} is {(version > FormatVersion ? "newer than" : "not one of")} the versions this library reads (1 to {FormatVersion}); update the Generative package or re-create the schema.");
        }

        if (root["columns"] is not JsonArray columns)
        {
            throw new InvalidDataException($"{source}: 'columns' must be an array of columns; found {Json.Describe(root["columns"])}.");
        }

        var list = new List<ColumnSchema>();
        for (int i = 0; i < columns.Count; i++)
        {
            if (columns[i] is not JsonObject c)
            {
                throw new InvalidDataException($"{source}: columns[{i}] must be an object; found {Json.Describe(columns[i])}.");
            }

            string where = $"{source}: columns[{i}]";
            string name = Json.String(c, "name", where);
            where = $"{source}: column '{name}'";
            var kind = ParseKind(Json.String(c, "kind", where), where);
            list.Add(new ColumnSchema(name, kind, Json.Bool(c, "nullable", where))
            {
                Rows = Json.OptionalInt(c, "rows", where) ?? 0,
                Missing = Json.OptionalInt(c, "missing", where) ?? 0,
                Minimum = Json.OptionalDouble(c, "minimum", where),
                Maximum = Json.OptionalDouble(c, "maximum", where),
                Earliest = Json.OptionalDate(c, "earliest", where),
                Latest = Json.OptionalDate(c, "latest", where),
                Categories = Json.OptionalStrings(c, "categories", where),
                Reason = Json.OptionalString(c, "reason", where),
            });
        }

        try
        {
            return new TableSchema(list);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }
    }

    /// <summary>The name a kind has in JSON (<c>continuous</c>, <c>integer</c>, <c>categorical</c>, <c>boolean</c>,
    /// <c>datetime</c>, <c>id</c>).</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>Its name.</returns>
    public static string KindName(ColumnKind kind) => ColumnBuilder.Describe(kind);

    /// <summary>The kind a JSON name stands for (case-insensitive).</summary>
    /// <param name="name">The name.</param>
    /// <param name="where">Where it was read, for the message.</param>
    /// <returns>The kind.</returns>
    /// <exception cref="InvalidDataException">It names no kind (the message lists the kinds).</exception>
    internal static ColumnKind ParseKind(string name, string where)
    {
        foreach (var kind in Enum.GetValues<ColumnKind>())
        {
            if (string.Equals(KindName(kind), name.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return kind;
            }
        }

        throw new InvalidDataException(
            $"{where}: kind '{name}' is not one of {string.Join(", ", Enum.GetValues<ColumnKind>().Select(KindName))}.");
    }

    internal static void WriteAtomically(string path, string text)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temporary = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, full, overwrite: true);
    }
}
