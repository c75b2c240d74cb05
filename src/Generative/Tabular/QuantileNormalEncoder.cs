using System.Text.Json.Nodes;

namespace Generative.Tabular;

/// <summary>The built-in <c>quantile-normal</c> transform of continuous and integer columns (see
/// <see cref="ColumnTransformRegistry"/>): one Gaussian value, plus a missing indicator when nullable.</summary>
internal sealed class QuantileNormalEncoder : IColumnEncoder
{
    internal const string Name = "quantile-normal";

    private readonly QuantileMap _map;
    private readonly int? _decimals;

    private QuantileNormalEncoder(ColumnSchema column, QuantileMap map, int? decimals)
    {
        Column = column;
        _map = map;
        _decimals = decimals;
        Blocks = column.Nullable
            ? [new TransformBlock(column.Name, BlockKind.Gaussian, BlockRole.Value, 0, 1), MissingIndicator.Block(column.Name, 1)]
            : [new TransformBlock(column.Name, BlockKind.Gaussian, BlockRole.Value, 0, 1)];
    }

    public ColumnSchema Column { get; }

    public IReadOnlyList<TransformBlock> Blocks { get; }

    public int Width => Column.Nullable ? 1 + MissingIndicator.Width : 1;

    internal static IColumnEncoder Fit(TableColumn column, ColumnSchema schema)
    {
        Require(schema);
        var present = Enumerable.Range(0, column.Count).Where(r => !column.IsMissing(r)).Select(column.GetDouble).ToArray();
        int? decimals = column.Kind == ColumnKind.Integer ? 0 : Decimals(present);
        return new QuantileNormalEncoder(schema, QuantileMap.Fit(present), decimals);
    }

    internal static IColumnEncoder Load(JsonObject state, ColumnSchema schema)
    {
        Require(schema);
        string where = $"column '{schema.Name}' ({Name})";
        var map = state["map"] as JsonObject ?? throw new InvalidDataException($"{where}: 'map' must be an object of knots and CDF values.");
        int? decimals = Json.OptionalInt(state, "decimals", where);
        if (decimals is < 0 or > 15)
        {
            throw new InvalidDataException($"{where}: 'decimals' must be 0 to 15; found {decimals}.");
        }

        return new QuantileNormalEncoder(schema, QuantileMap.FromJson(map, where), decimals);
    }

    public void Encode(TableColumn column, Span<double> output, int stride)
    {
        for (int r = 0; r < column.Count; r++)
        {
            int at = r * stride;
            bool missing = column.IsMissing(r);
            output[at] = missing ? 0 : _map.ToNormal(column.GetDouble(r));
            if (Column.Nullable)
            {
                MissingIndicator.Write(output, at + 1, missing);
            }
        }
    }

    public TableColumn Decode(ReadOnlySpan<double> input, int rows, int stride)
    {
        var values = new double?[rows];
        for (int r = 0; r < rows; r++)
        {
            int at = r * stride;
            if (Column.Nullable && MissingIndicator.Read(input, at + 1))
            {
                continue;
            }

            double z = double.IsFinite(input[at]) ? input[at] : (double.IsNaN(input[at]) ? 0 : Math.Sign(input[at]) * 9.0);
            double x = _map.FromNormal(z);
            values[r] = _decimals is int d ? Math.Clamp(Math.Round(x, d), _map.Minimum, _map.Maximum) : x;
        }

        return Column.Kind == ColumnKind.Integer
            ? TableColumn.Integer(Column.Name, values.Select(v => v is double x ? (long?)x : null), Column.Nullable)
            : TableColumn.Continuous(Column.Name, values, Column.Nullable);
    }

    public JsonObject Describe() => new() { ["map"] = _map.ToJson(), ["decimals"] = _decimals };

    /// <summary>The fewest decimals (0 to 15) that every value is written with, or <see langword="null"/> when some
    /// value needs more (then decoding does not round).</summary>
    internal static int? Decimals(IEnumerable<double> values)
    {
        int most = 0;
        foreach (double v in values)
        {
            int d = most;
            while (d <= 15 && Math.Round(v, d) != v)
            {
                d++;
            }

            if (d > 15)
            {
                return null;
            }

            most = d;
        }

        return most;
    }

    private static void Require(ColumnSchema schema)
    {
        if (schema.Kind is not (ColumnKind.Continuous or ColumnKind.Integer))
        {
            throw new ArgumentException($"The {Name} transform encodes continuous and integer columns; '{schema.Name}' is {TableSchema.KindName(schema.Kind)}.", nameof(schema));
        }
    }
}
