using System.Globalization;
using System.Text.Json.Nodes;

namespace Generative.Tabular;

/// <summary>
/// A column's values lie in a closed range (numbers, or dates). A missing cell satisfies it (nullability is the model's
/// to learn). Reversed by clamping: a sampled value outside the range becomes the nearest bound (for an integer column
/// the nearest whole number inside).
/// </summary>
internal sealed class RangeRule : TableRule
{
    internal const string Name = "range";

    internal RangeRule(string column, double minimum, double maximum)
        : base([column])
    {
        Minimum = minimum;
        Maximum = maximum;
    }

    internal RangeRule(string column, DateTime earliest, DateTime latest)
        : base([column])
    {
        Earliest = earliest;
        Latest = latest;
    }

    internal double Minimum { get; }

    internal double Maximum { get; }

    internal DateTime? Earliest { get; }

    internal DateTime? Latest { get; }

    internal override string Kind => Name;

    internal string Column => Columns[0];

    public override bool Holds(Table table, int row)
    {
        ArgumentNullException.ThrowIfNull(table);
        var column = table[Column];
        if (column.IsMissing(row))
        {
            return true;
        }

        if (Earliest is DateTime earliest)
        {
            var date = column.GetDateTime(row);
            return date >= earliest && date <= Latest;
        }

        double value = column.GetDouble(row);
        return value >= Minimum && value <= Maximum;
    }

    public override string ToString() => Earliest is not null
        ? $"{Column} in [{Earliest:O}, {Latest:O}]"
        : string.Create(CultureInfo.InvariantCulture, $"{Column} in [{Minimum}, {Maximum}]");

    internal static RangeRule FromJson(JsonObject json, string where)
    {
        string column = Json.String(json, "column", where);
        if (Json.OptionalDate(json, "earliest", where) is DateTime earliest)
        {
            var latest = Json.OptionalDate(json, "latest", where) ?? throw new InvalidDataException($"{where}: 'latest' is missing; expected an ISO 8601 date.");
            return latest >= earliest ? new RangeRule(column, earliest, latest) : throw new InvalidDataException($"{where}: 'earliest' is after 'latest'.");
        }

        double minimum = Json.Double(json, "minimum", where), maximum = Json.Double(json, "maximum", where);
        return maximum >= minimum ? new RangeRule(column, minimum, maximum) : throw new InvalidDataException($"{where}: 'minimum' is above 'maximum'.");
    }

    internal override JsonObject ToJson() => Earliest is DateTime earliest
        ? new JsonObject { ["rule"] = Name, ["column"] = Column, ["earliest"] = earliest.ToString("O", CultureInfo.InvariantCulture), ["latest"] = Latest!.Value.ToString("O", CultureInfo.InvariantCulture) }
        : new JsonObject { ["rule"] = Name, ["column"] = Column, ["minimum"] = Minimum, ["maximum"] = Maximum };

    internal override TableRule Fit(Table table)
    {
        if (Earliest is not null)
        {
            Require(table, Column, ToString(), ColumnKind.DateTime);
        }
        else
        {
            Require(table, Column, ToString(), ColumnKind.Continuous, ColumnKind.Integer);
        }

        RequireHolds(table);
        return this;
    }

    /// <summary>Clamps a number into the range at the column's precision (whole numbers for an integer column).</summary>
    internal double Clamp(double value, ColumnKind kind) => kind == ColumnKind.Integer
        ? Math.Clamp(value, Math.Ceiling(Minimum), Math.Floor(Maximum))
        : Math.Clamp(value, Minimum, Maximum);

    /// <summary>Clamps a date's ticks into the range.</summary>
    internal long Clamp(long ticks) => Math.Clamp(ticks, Earliest!.Value.Ticks, Latest!.Value.Ticks);

    /// <summary>Clamps every present value into the range.</summary>
    internal Table Clamp(Table table)
    {
        var column = table[Column];
        var rows = Enumerable.Range(0, column.Count);
        return Replace(table, column.Kind switch
        {
            ColumnKind.Integer => TableColumn.Integer(Column, rows.Select(r => column.IsMissing(r) ? null : (long?)Clamp(column.GetDouble(r), ColumnKind.Integer)), column.Nullable),
            ColumnKind.DateTime => TableColumn.DateTime(Column, rows.Select(r => column.IsMissing(r) ? null : (DateTime?)new DateTime(Clamp(column.GetDateTime(r).Ticks))), column.Nullable),
            _ => TableColumn.Continuous(Column, rows.Select(r => column.IsMissing(r) ? null : (double?)Clamp(column.GetDouble(r), ColumnKind.Continuous)), column.Nullable),
        });
    }
}
