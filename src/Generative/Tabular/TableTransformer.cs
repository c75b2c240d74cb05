using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;

namespace Generative.Tabular;

/// <summary>
/// Reversible transforms of every column of a table into one matrix of numbers for a model, and back: a
/// <see cref="IColumnEncoder"/> per column, chosen by kind (<see cref="TableTransformOptions"/>), fitted to data, saved
/// and loaded as JSON together with the table's schema. <c>Inverse(Transform(table))</c> gives the table back: every
/// value equal (numbers rounded to the data's decimals), missing cells where they were, ids regenerated (equal when they
/// were consecutive).
/// </summary>
/// <remarks>Thread-safety: immutable once fitted; <see cref="Transform"/> and <see cref="Inverse(TransformedTable)"/>
/// may run on several threads at once.</remarks>
public sealed class TableTransformer
{
    /// <summary>The version of the JSON format this library writes and reads.</summary>
    public const int FormatVersion = 1;

    private const string FormatName = "generative-table-transform";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly (IColumnEncoder Encoder, string Transform, int Offset)[] _columns;

    private TableTransformer(TableSchema schema, IEnumerable<(IColumnEncoder Encoder, string Transform)> encoders)
    {
        Schema = schema;
        var columns = new List<(IColumnEncoder, string, int)>();
        var blocks = new List<TransformBlock>();
        int offset = 0;
        foreach (var (encoder, transform) in encoders)
        {
            int width = encoder.Blocks.Sum(b => b.Width);
            if (width != encoder.Width)
            {
                throw new InvalidOperationException($"The '{transform}' encoder of column '{encoder.Column.Name}' has width {encoder.Width} but its blocks span {width}.");
            }

            columns.Add((encoder, transform, offset));
            blocks.AddRange(encoder.Blocks.Select(b => b.Shifted(offset)));
            offset += width;
        }

        _columns = [.. columns];
        Layout = new TableLayout(blocks);
    }

    /// <summary>The schema of the table it was fitted to (kinds, nullability, observations), in column order.</summary>
    public TableSchema Schema { get; }

    /// <summary>Where each column's numbers sit in the matrix.</summary>
    public TableLayout Layout { get; }

    /// <summary>The fitted encoders, in column order.</summary>
    public IReadOnlyList<IColumnEncoder> Encoders => [.. _columns.Select(c => c.Encoder)];

    /// <summary>The registry name of each column's transform, in column order.</summary>
    public IReadOnlyList<string> TransformNames => [.. _columns.Select(c => c.Transform)];

    /// <summary>Fits a transform to every column of a table.</summary>
    /// <param name="table">The table (its schema is kept).</param>
    /// <param name="options">The transform per kind or column; <see langword="null"/> for the defaults.</param>
    /// <returns>The fitted transformer.</returns>
    /// <exception cref="ArgumentException">A transform name is not registered, or does not accept its column's kind.</exception>
    public static TableTransformer Fit(Table table, TableTransformOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        options ??= new TableTransformOptions();
        string? unknown = options.ByColumn.Keys.FirstOrDefault(k => table.Find(k) is null);
        if (unknown is not null)
        {
            throw new ArgumentException($"ByColumn names a column '{unknown}' that the table does not have.", nameof(options));
        }

        var schema = table.Schema;
        var encoders = new List<(IColumnEncoder, string)>();
        for (int i = 0; i < table.Columns.Count; i++)
        {
            var column = table.Columns[i];
            string name = options.ByColumn.TryGetValue(column.Name, out var set) ? set
                : options.ByKind.TryGetValue(column.Kind, out var byKind) ? byKind
                : throw new ArgumentException($"No transform is set for {TableSchema.KindName(column.Kind)} columns (column '{column.Name}').", nameof(options));
            var transform = Lookup(options.Registry, name, schema.Columns[i]);
            encoders.Add((transform.Fit(column, schema.Columns[i]), name));
        }

        return new TableTransformer(schema, encoders);
    }

    /// <summary>Transforms a table with the columns of the fitted one (any order; extra columns are ignored).</summary>
    /// <param name="table">The table.</param>
    /// <returns>The matrix.</returns>
    /// <exception cref="TableFormatException">A column is absent or of another kind, a missing cell is in a column that
    /// was not nullable, or a category was not seen when fitted.</exception>
    public TransformedTable Transform(Table table)
    {
        ArgumentNullException.ThrowIfNull(table);
        Schema.Validate(table);
        var values = new double[(long)table.RowCount * Layout.Width];
        foreach (var (encoder, _, offset) in _columns)
        {
            if (encoder.Width > 0 && table.RowCount > 0)
            {
                encoder.Encode(table[encoder.Column.Name], values.AsSpan(offset), Layout.Width);
            }
        }

        return new TransformedTable(values, table.RowCount, Layout);
    }

    /// <summary>Turns a matrix (this transformer's, or a model's output laid out the same way) back into a table.</summary>
    /// <param name="data">The matrix.</param>
    /// <returns>The table, columns in the fitted order.</returns>
    /// <exception cref="ArgumentException">The matrix's width is not the layout's.</exception>
    public Table Inverse(TransformedTable data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Inverse(data.Values, data.Rows);
    }

    /// <summary>Turns row-major values (rows × <see cref="TableLayout.Width"/>) back into a table.</summary>
    /// <param name="values">The values.</param>
    /// <param name="rows">The number of rows.</param>
    /// <returns>The table.</returns>
    /// <exception cref="ArgumentException">The values do not fill rows × width.</exception>
    public Table Inverse(ReadOnlySpan<double> values, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (values.Length != (long)rows * Layout.Width)
        {
            throw new ArgumentException($"{rows} rows of width {Layout.Width} need {(long)rows * Layout.Width} values; found {values.Length}.", nameof(values));
        }

        var columns = new TableColumn[_columns.Length];
        for (int i = 0; i < _columns.Length; i++)
        {
            var (encoder, _, offset) = _columns[i];
            columns[i] = encoder.Decode(rows == 0 || encoder.Width == 0 ? ReadOnlySpan<double>.Empty : values[offset..], rows, Layout.Width);
        }

        return new Table(columns, Schema.Columns.Where(c => c.Reason is not null).ToDictionary(c => c.Name, c => c.Reason!, StringComparer.Ordinal));
    }

    /// <summary>Turns a model's float tensor <c>[rows, Width]</c> back into a table.</summary>
    /// <param name="values">The tensor (any floating dtype, on any device; not disposed).</param>
    /// <returns>The table.</returns>
    /// <exception cref="ArgumentException">The tensor is not two-dimensional of the layout's width.</exception>
    public Table Inverse(torch.Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.dim() != 2 || values.shape[1] != Layout.Width)
        {
            throw new ArgumentException($"Expected a tensor [rows, {Layout.Width}]; found [{string.Join(", ", values.shape)}].", nameof(values));
        }

        using var scope = torch.NewDisposeScope();
        double[] data = values.detach().cpu().to(torch.float64).contiguous().data<double>().ToArray();
        return Inverse(data, (int)values.shape[0]);
    }

    /// <summary>The fitted state as JSON: <c>{"format": "generative-table-transform", "version": 1, "schema": {…},
    /// "columns": [{"column", "transform", "state"}]}</c>.</summary>
    /// <returns>A new JSON object.</returns>
    public JsonObject ToJson()
    {
        var columns = new JsonArray();
        foreach (var (encoder, transform, _) in _columns)
        {
            columns.Add(new JsonObject { ["column"] = encoder.Column.Name, ["transform"] = transform, ["state"] = encoder.Describe() });
        }

        return new JsonObject { ["format"] = FormatName, ["version"] = FormatVersion, ["schema"] = Schema.ToJson(), ["columns"] = columns };
    }

    /// <summary>Writes the fitted state and the schema as one indented JSON file (through a temporary file).</summary>
    /// <param name="path">The file (conventionally <c>table.json</c> next to a model).</param>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        TableSchema.WriteAtomically(path, ToJson().ToJsonString(Indented));
    }

    /// <summary>Reads and validates a saved transformer.</summary>
    /// <param name="path">The file.</param>
    /// <param name="registry">Where transform names are looked up; <see langword="null"/> for the default registry.</param>
    /// <returns>The transformer.</returns>
    /// <exception cref="InvalidDataException">The file is not a valid transformer (the message says where and why).</exception>
    public static TableTransformer Load(string path, ColumnTransformRegistry? registry = null)
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

        return FromJson(node, path, registry);
    }

    /// <summary>Reads and validates a transformer from JSON (see <see cref="ToJson"/>).</summary>
    /// <param name="json">The JSON.</param>
    /// <param name="source">Where it came from, for messages.</param>
    /// <param name="registry">Where transform names are looked up; <see langword="null"/> for the default registry.</param>
    /// <returns>The transformer.</returns>
    /// <exception cref="InvalidDataException">It is not valid (the message says where and why).</exception>
    public static TableTransformer FromJson(JsonNode? json, string source = "(in memory)", ColumnTransformRegistry? registry = null)
    {
        registry ??= ColumnTransformRegistry.Default;
        if (json is not JsonObject root)
        {
            throw new InvalidDataException($"{source}: a table transform is a JSON object; found {Json.Describe(json)}.");
        }

        string format = Json.String(root, "format", source);
        if (format != FormatName)
        {
            throw new InvalidDataException($"{source}: 'format' is '{format}'; a table transform has '{FormatName}'.");
        }

        int version = Json.Int(root, "version", source);
        if (version > FormatVersion || version < 1)
        {
            throw new InvalidDataException(
                $"{source}: transform version {version} is {(version > FormatVersion ? "newer than" : "not one of")} the versions this library reads (1 to {FormatVersion}); update the Generative package or fit the transform again.");
        }

        var schema = TableSchema.FromJson(root["schema"], source + " (schema)");
        if (root["columns"] is not JsonArray columns)
        {
            throw new InvalidDataException($"{source}: 'columns' must be an array; found {Json.Describe(root["columns"])}.");
        }

        if (columns.Count != schema.Columns.Count)
        {
            throw new InvalidDataException($"{source}: the schema has {schema.Columns.Count} columns but 'columns' has {columns.Count} transforms; there must be one per column.");
        }

        var encoders = new List<(IColumnEncoder, string)>();
        for (int i = 0; i < columns.Count; i++)
        {
            string where = $"{source}: columns[{i}]";
            if (columns[i] is not JsonObject entry)
            {
                throw new InvalidDataException($"{where} must be an object; found {Json.Describe(columns[i])}.");
            }

            string column = Json.String(entry, "column", where);
            if (column != schema.Columns[i].Name)
            {
                throw new InvalidDataException($"{where} is for column '{column}'; the schema's column {i + 1} is '{schema.Columns[i].Name}'.");
            }

            string name = Json.String(entry, "transform", where);
            if (!registry.TryGet(name, out var transform))
            {
                throw new InvalidDataException($"{where}: {registry.UnknownKeyMessage(name)}");
            }

            if (!transform.Kinds.Contains(schema.Columns[i].Kind))
            {
                throw new InvalidDataException($"{where}: the '{name}' transform does not encode {TableSchema.KindName(schema.Columns[i].Kind)} columns.");
            }

            var state = entry["state"] as JsonObject ?? throw new InvalidDataException($"{where}: 'state' must be an object; found {Json.Describe(entry["state"])}.");
            try
            {
                encoders.Add((transform.Load(state, schema.Columns[i]), name));
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{source}: {e.Message}", e);
            }
        }

        return new TableTransformer(schema, encoders);
    }

    private static ColumnTransform Lookup(ColumnTransformRegistry registry, string name, ColumnSchema column)
    {
        if (!registry.TryGet(name, out var transform))
        {
            throw new ArgumentException($"Column '{column.Name}': {registry.UnknownKeyMessage(name)}");
        }

        return transform.Kinds.Contains(column.Kind)
            ? transform
            : throw new ArgumentException(
                $"Column '{column.Name}' is {TableSchema.KindName(column.Kind)}, which the '{name}' transform does not encode (it encodes {string.Join(", ", transform.Kinds.Select(TableSchema.KindName))}).");
    }
}
