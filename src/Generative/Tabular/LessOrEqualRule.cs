using System.Text.Json.Nodes;

namespace Generative.Tabular;

/// <summary>
/// <c>low &lt;= high</c> between two numeric columns or two date columns. A row where either cell is missing satisfies
/// it. Transform: the model learns <c>high</c> as the difference d = high − low (dates: in their coarsest whole unit),
/// reparametrised as log(1 + d) so that any value a model outputs maps back to d = max(0, exp(·) − 1) ≥ 0; reversed,
/// high = low + d rounded to the data's decimals (whole numbers, whole date units), which is exact on the real rows.
/// Fitting needs <c>low</c> wherever <c>high</c> is present (else the row is refused); a sampled row with <c>low</c>
/// missing gets <c>high</c> missing.
/// </summary>
internal sealed class LessOrEqualRule : TableRule
{
    internal const string Name = "less-or-equal";

    internal LessOrEqualRule(string low, string high, int? decimals = null, long unit = 0)
        : base([low, high])
    {
        if (low == high)
        {
            throw new ArgumentException($"A rule '{low}' <= '{high}' compares a column with itself; name two columns.", nameof(high));
        }

        Decimals = decimals;
        Unit = unit;
    }

    internal string Low => Columns[0];

    internal string High => Columns[1];

    /// <summary>The decimals values are rounded to when rebuilt (numbers); <see langword="null"/>: not rounded.</summary>
    internal int? Decimals { get; }

    /// <summary>The date unit in ticks (dates), or 0 for numbers.</summary>
    internal long Unit { get; }

    internal override string Kind => Name;

    public override bool Holds(Table table, int row)
    {
        ArgumentNullException.ThrowIfNull(table);
        TableColumn low = table[Low], high = table[High];
        if (low.IsMissing(row) || high.IsMissing(row))
        {
            return true;
        }

        return low.Kind == ColumnKind.DateTime ? low.GetDateTime(row) <= high.GetDateTime(row) : low.GetDouble(row) <= high.GetDouble(row);
    }

    public override string ToString() => $"{Low} <= {High}";

    internal static LessOrEqualRule FromJson(JsonObject json, string where)
    {
        long unit = (long)(Json.OptionalDouble(json, "unit", where) ?? 0);
        if (unit is < 0 or > TimeSpan.TicksPerDay)
        {
            throw new InvalidDataException($"{where}: 'unit' must be 0 (numbers) or 1 to {TimeSpan.TicksPerDay} ticks (dates); found {unit}.");
        }

        int? decimals = Json.OptionalInt(json, "decimals", where);
        if (decimals is < 0 or > 15)
        {
            throw new InvalidDataException($"{where}: 'decimals' must be 0 to 15; found {decimals}.");
        }

        return new LessOrEqualRule(Json.String(json, "low", where), Json.String(json, "high", where), decimals, unit);
    }

    internal override JsonObject ToJson()
    {
        var json = new JsonObject { ["rule"] = Name, ["low"] = Low, ["high"] = High, ["unit"] = Unit };
        if (Decimals is int d)
        {
            json["decimals"] = d;
        }

        return json;
    }

    internal override TableRule Fit(Table table)
    {
        var low = Require(table, Low, ToString(), ColumnKind.Continuous, ColumnKind.Integer, ColumnKind.DateTime);
        var high = Require(table, High, ToString(), low.Kind == ColumnKind.DateTime ? [ColumnKind.DateTime] : [ColumnKind.Continuous, ColumnKind.Integer]);
        RequireHolds(table);
        var present = new List<int>();
        for (int row = 0; row < table.RowCount; row++)
        {
            if (!high.IsMissing(row) && low.IsMissing(row))
            {
                throw new ArgumentException(
                    $"Row {row + 1}: '{High}' has a value but '{Low}' is missing; the rule {this} learns '{High}' as '{Low}' plus a difference, so it needs '{Low}' wherever '{High}' is present.",
                    nameof(table));
            }

            if (!high.IsMissing(row))
            {
                present.Add(row);
            }
        }

        if (low.Kind == ColumnKind.DateTime)
        {
            long[] ticks = [.. present.SelectMany(r => new[] { low.GetDateTime(r).Ticks, high.GetDateTime(r).Ticks })];
            return new LessOrEqualRule(Low, High, 0, DateTimeEncoder.Unit(ticks).Ticks);
        }

        int? decimals = low.Kind == ColumnKind.Integer && high.Kind == ColumnKind.Integer
            ? 0
            : QuantileNormalEncoder.Decimals(present.SelectMany(r => new[] { low.GetDouble(r), high.GetDouble(r) }));
        return new LessOrEqualRule(Low, High, decimals, 0);
    }

    /// <summary>Replaces <c>high</c> by log(1 + (high − low)), a continuous column of the same name.</summary>
    internal Table Forward(Table table)
    {
        TableColumn low = table[Low], high = table[High];
        var values = new double?[table.RowCount];
        for (int row = 0; row < values.Length; row++)
        {
            if (!high.IsMissing(row) && !low.IsMissing(row))
            {
                double difference = Unit > 0
                    ? (high.GetDateTime(row).Ticks - low.GetDateTime(row).Ticks) / Unit
                    : high.GetDouble(row) - low.GetDouble(row);
                values[row] = Math.Log(1 + Math.Max(difference, 0));
            }
        }

        return Replace(table, TableColumn.Continuous(High, values, high.Nullable));
    }

    /// <summary>Rebuilds <c>high</c> = <c>low</c> + d (of the original kind), within <c>high</c>'s range rule if any;
    /// where that range caps <c>high</c> below <c>low</c>, <c>low</c> is lowered to it (the row then holds both).</summary>
    internal Table Reverse(Table table, ColumnSchema original, RangeRule? highRange)
    {
        TableColumn low = table[Low], encoded = table[High];
        int n = table.RowCount;
        var lows = new double?[n];
        var highs = new double?[n];
        var lowTicks = new long?[n];
        var highTicks = new long?[n];
        for (int row = 0; row < n; row++)
        {
            if (low.IsMissing(row))
            {
                continue;
            }

            bool present = !encoded.IsMissing(row);
            double difference = present ? Math.Max(Math.Exp(encoded.GetDouble(row)) - 1, 0) : 0;
            if (Unit > 0)
            {
                long a = low.GetDateTime(row).Ticks;
                if (present)
                {
                    long b = a + (long)Math.Min(Math.Round(difference), (DateTime.MaxValue.Ticks - a) / Unit) * Unit;
                    b = highRange is null ? b : highRange.Clamp(b);
                    highTicks[row] = b;
                    a = Math.Min(a, b);
                }

                lowTicks[row] = a;
            }
            else
            {
                double a = low.GetDouble(row);
                if (present)
                {
                    double b = Rebuild(a, difference, original.Kind);
                    b = highRange is null ? b : highRange.Clamp(b, original.Kind);
                    highs[row] = b;
                    a = b < a ? (low.Kind == ColumnKind.Integer ? Math.Floor(b) : b) : a;
                }

                lows[row] = a;
            }
        }

        TableColumn newLow, newHigh;
        if (Unit > 0)
        {
            newLow = TableColumn.DateTime(Low, lowTicks.Select(t => t is long v ? (DateTime?)new DateTime(v) : null), low.Nullable);
            newHigh = TableColumn.DateTime(High, highTicks.Select(t => t is long v ? (DateTime?)new DateTime(v) : null), original.Nullable);
        }
        else
        {
            newLow = low.Kind == ColumnKind.Integer
                ? TableColumn.Integer(Low, lows.Select(v => v is double x ? (long?)x : null), low.Nullable)
                : TableColumn.Continuous(Low, lows, low.Nullable);
            newHigh = original.Kind == ColumnKind.Integer
                ? TableColumn.Integer(High, highs.Select(v => v is double x ? (long?)x : null), original.Nullable)
                : TableColumn.Continuous(High, highs, original.Nullable);
        }

        return Replace(Replace(table, newLow), newHigh);
    }

    /// <summary>low + d at the data's precision, never below low.</summary>
    private double Rebuild(double low, double difference, ColumnKind kind)
    {
        double value = low + difference;
        if (kind == ColumnKind.Integer)
        {
            return Math.Max(Math.Round(value), Math.Ceiling(low));
        }

        if (Decimals is int d)
        {
            value = Math.Round(value, d);
        }

        return Math.Max(value, low);
    }
}
