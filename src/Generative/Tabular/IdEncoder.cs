using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Generative.Tabular;

/// <summary>The built-in <c>id</c> transform (see <see cref="ColumnTransformRegistry"/>): nothing is learned; decoding
/// generates unique keys of the observed form — a common prefix and a counter (zero-padded as observed) starting at the
/// smallest observed number, so that consecutive keys such as <c>1, 2, 3</c> or <c>ORD-0001, ORD-0002</c> come back
/// as they were; keys of another form become <c>{column}-1</c>, <c>{column}-2</c>, ….</summary>
internal sealed partial class IdEncoder : IColumnEncoder
{
    internal const string Name = "id";

    private readonly string _prefix;
    private readonly long _start;
    private readonly int _digits;

    private IdEncoder(ColumnSchema column, string prefix, long start, int digits)
    {
        Column = column;
        _prefix = prefix;
        _start = start;
        _digits = digits;
    }

    public ColumnSchema Column { get; }

    public IReadOnlyList<TransformBlock> Blocks { get; } = [];

    public int Width => 0;

    internal static IColumnEncoder Fit(TableColumn column, ColumnSchema schema)
    {
        if (schema.Kind != ColumnKind.Id)
        {
            throw new ArgumentException($"The {Name} transform encodes id columns; '{schema.Name}' is {TableSchema.KindName(schema.Kind)}.", nameof(schema));
        }

        var matches = Enumerable.Range(0, column.Count).Where(r => !column.IsMissing(r))
            .Select(r => KeyPattern().Match(column.GetString(r))).ToArray();
        if (matches.Length > 0 && matches.All(m => m.Success) && matches.Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).Count() == 1
            && matches.All(m => m.Groups[2].Value.Length <= 18))
        {
            long start = matches.Min(m => long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
            var lengths = matches.Select(m => m.Groups[2].Value.Length).Distinct().ToArray();
            bool padded = lengths.Length == 1 && matches.Any(m => m.Groups[2].Value.Length > 1 && m.Groups[2].Value[0] == '0');
            return new IdEncoder(schema, matches[0].Groups[1].Value, start, padded ? lengths[0] : 0);
        }

        return new IdEncoder(schema, schema.Name + "-", 1, 0);
    }

    internal static IColumnEncoder Load(JsonObject state, ColumnSchema schema)
    {
        string where = $"column '{schema.Name}' ({Name})";
        if (schema.Kind != ColumnKind.Id)
        {
            throw new InvalidDataException($"{where}: the transform encodes id columns; the schema says {TableSchema.KindName(schema.Kind)}.");
        }

        int digits = Json.Int(state, "digits", where);
        if (digits is < 0 or > 18)
        {
            throw new InvalidDataException($"{where}: 'digits' must be 0 to 18; found {digits}.");
        }

        double start = Json.Double(state, "start", where);
        if (start != Math.Floor(start) || Math.Abs(start) > 9e15)
        {
            throw new InvalidDataException($"{where}: 'start' must be a whole number; found {start}.");
        }

        return new IdEncoder(schema, Json.String(state, "prefix", where), (long)start, digits);
    }

    public void Encode(TableColumn column, Span<double> output, int stride)
    {
    }

    public TableColumn Decode(ReadOnlySpan<double> input, int rows, int stride)
    {
        string format = _digits > 0 ? "D" + _digits.ToString(CultureInfo.InvariantCulture) : "D";
        return TableColumn.Id(Column.Name, Enumerable.Range(0, rows).Select(i => _prefix + (_start + i).ToString(format, CultureInfo.InvariantCulture)), Column.Nullable);
    }

    public JsonObject Describe() => new() { ["prefix"] = _prefix, ["start"] = _start, ["digits"] = _digits };

    [GeneratedRegex(@"^(.*?)(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();
}
