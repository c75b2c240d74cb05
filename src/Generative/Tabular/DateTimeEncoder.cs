using System.Globalization;
using System.Text.Json.Nodes;

namespace Generative.Tabular;

/// <summary>The built-in <c>datetime</c> and <c>datetime-cyclic</c> transforms (see <see cref="ColumnTransformRegistry"/>):
/// whole units (days, seconds, milliseconds or ticks, the coarsest every value is a multiple of) since the earliest
/// value, as <c>quantile-normal</c>; optionally sine/cosine features; a missing indicator when nullable.</summary>
internal sealed class DateTimeEncoder : IColumnEncoder
{
    internal const string Name = "datetime";
    internal const string CyclicName = "datetime-cyclic";

    private static readonly (string Name, long Ticks)[] Units =
        [("day", TimeSpan.TicksPerDay), ("second", TimeSpan.TicksPerSecond), ("millisecond", TimeSpan.TicksPerMillisecond), ("tick", 1)];

    private readonly QuantileMap _map;
    private readonly long _origin;
    private readonly (string Name, long Ticks) _unit;
    private readonly bool _cyclic;
    private readonly int _features;

    private DateTimeEncoder(ColumnSchema column, QuantileMap map, long origin, (string, long) unit, bool cyclic)
    {
        Column = column;
        _map = map;
        _origin = origin;
        _unit = unit;
        _cyclic = cyclic;
        var blocks = new List<TransformBlock> { new(column.Name, BlockKind.Gaussian, BlockRole.Value, 0, 1) };
        if (cyclic)
        {
            string[] labels = _unit.Ticks < TimeSpan.TicksPerDay
                ? ["day-of-week sin", "day-of-week cos", "day-of-year sin", "day-of-year cos", "time-of-day sin", "time-of-day cos"]
                : ["day-of-week sin", "day-of-week cos", "day-of-year sin", "day-of-year cos"];
            _features = labels.Length;
            blocks.Add(new TransformBlock(column.Name, BlockKind.Cyclic, BlockRole.Feature, 1, labels.Length, labels));
        }

        if (column.Nullable)
        {
            blocks.Add(MissingIndicator.Block(column.Name, 1 + _features));
        }

        Blocks = blocks;
        Width = 1 + _features + (column.Nullable ? MissingIndicator.Width : 0);
    }

    public ColumnSchema Column { get; }

    public IReadOnlyList<TransformBlock> Blocks { get; }

    public int Width { get; }

    internal static IColumnEncoder Fit(TableColumn column, ColumnSchema schema, bool cyclic)
    {
        if (schema.Kind != ColumnKind.DateTime)
        {
            throw new ArgumentException($"The {Name} transform encodes date-time columns; '{schema.Name}' is {TableSchema.KindName(schema.Kind)}.", nameof(schema));
        }

        long[] ticks = [.. Enumerable.Range(0, column.Count).Where(r => !column.IsMissing(r)).Select(r => column.GetDateTime(r).Ticks)];
        long origin = ticks.Length == 0 ? 0 : ticks.Min();
        var unit = Unit(ticks);
        var map = QuantileMap.Fit([.. ticks.Select(t => (double)((t - origin) / unit.Ticks))]);
        return new DateTimeEncoder(schema, map, origin, unit, cyclic);
    }

    /// <summary>The coarsest unit (day, second, millisecond, tick) that every value is a whole number of.</summary>
    internal static (string Name, long Ticks) Unit(long[] ticks) => Units.First(u => ticks.All(t => t % u.Ticks == 0));

    internal static IColumnEncoder Load(JsonObject state, ColumnSchema schema)
    {
        string where = $"column '{schema.Name}' ({Name})";
        if (schema.Kind != ColumnKind.DateTime)
        {
            throw new InvalidDataException($"{where}: the transform encodes date-time columns; the schema says {TableSchema.KindName(schema.Kind)}.");
        }

        string unitName = Json.String(state, "unit", where);
        var unit = Units.FirstOrDefault(u => u.Name == unitName);
        if (unit.Name is null)
        {
            throw new InvalidDataException($"{where}: 'unit' is '{unitName}'; expected one of {string.Join(", ", Units.Select(u => u.Name))}.");
        }

        string originText = Json.String(state, "origin", where);
        if (!DateTime.TryParseExact(originText, "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var origin))
        {
            throw new InvalidDataException($"{where}: 'origin' must be a round-trip ISO 8601 date; found '{originText}'.");
        }

        var map = state["map"] as JsonObject ?? throw new InvalidDataException($"{where}: 'map' must be an object of knots and CDF values.");
        return new DateTimeEncoder(schema, QuantileMap.FromJson(map, where), origin.Ticks, unit, Json.Bool(state, "cyclic", where));
    }

    public void Encode(TableColumn column, Span<double> output, int stride)
    {
        for (int r = 0; r < column.Count; r++)
        {
            int at = r * stride;
            bool missing = column.IsMissing(r);
            output.Slice(at, Width).Clear();
            if (!missing)
            {
                var value = column.GetDateTime(r);
                output[at] = _map.ToNormal((double)((value.Ticks - _origin) / _unit.Ticks));
                if (_cyclic)
                {
                    WriteCyclic(value, output.Slice(at + 1, _features));
                }
            }

            if (Column.Nullable)
            {
                MissingIndicator.Write(output, at + 1 + _features, missing);
            }
        }
    }

    public TableColumn Decode(ReadOnlySpan<double> input, int rows, int stride)
    {
        var values = new DateTime?[rows];
        for (int r = 0; r < rows; r++)
        {
            int at = r * stride;
            if (Column.Nullable && MissingIndicator.Read(input, at + 1 + _features))
            {
                continue;
            }

            double z = double.IsFinite(input[at]) ? input[at] : (double.IsNaN(input[at]) ? 0 : Math.Sign(input[at]) * 9.0);
            long units = (long)Math.Round(_map.FromNormal(z));
            values[r] = new DateTime(_origin + (units * _unit.Ticks));
        }

        return TableColumn.DateTime(Column.Name, values, Column.Nullable);
    }

    public JsonObject Describe() => new()
    {
        ["unit"] = _unit.Name,
        ["origin"] = new DateTime(_origin).ToString("O", CultureInfo.InvariantCulture),
        ["cyclic"] = _cyclic,
        ["map"] = _map.ToJson(),
    };

    private void WriteCyclic(DateTime value, Span<double> output)
    {
        double week = 2 * Math.PI * (int)value.DayOfWeek / 7;
        double year = 2 * Math.PI * (value.DayOfYear - 1) / 365.25;
        output[0] = Math.Sin(week);
        output[1] = Math.Cos(week);
        output[2] = Math.Sin(year);
        output[3] = Math.Cos(year);
        if (_features > 4)
        {
            double day = 2 * Math.PI * value.TimeOfDay.Ticks / TimeSpan.TicksPerDay;
            output[4] = Math.Sin(day);
            output[5] = Math.Cos(day);
        }
    }
}
