using System.Globalization;

namespace Generative.Tabular;

/// <summary>
/// Turns one column of raw cells (text from a CSV file, or typed values from a data reader or records; null where
/// missing) into a <see cref="TableColumn"/>: infers its kind (saying why) unless one is given, then reads every cell as
/// that kind, failing on the first that does not fit with its row, column and value.
/// </summary>
internal static class ColumnBuilder
{
    /// <summary>Fewest rows for an all-distinct text column to be taken as an id (fewer: categorical).</summary>
    private const int IdMinimumRows = 10;

    internal static (TableColumn Column, string Reason) Build(
        string name, object?[] cells, ColumnKind? kind, bool? nullable, string? kindSource, TableReadOptions options)
    {
        string reason;
        ColumnKind chosen;
        if (kind is ColumnKind given)
        {
            chosen = given;
            reason = $"{Describe(given)}: {kindSource ?? "set in code"}";
        }
        else
        {
            (chosen, reason) = Infer(name, cells, options);
        }

        return (Read(name, cells, chosen, nullable, options), reason);
    }

    internal static string Describe(ColumnKind kind) => kind switch
    {
        ColumnKind.DateTime => "datetime",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static (ColumnKind Kind, string Reason) Infer(string name, object?[] cells, TableReadOptions options)
    {
        var present = cells.Where(c => c is not null).Select(c => c!).ToArray();
        int missing = cells.Length - present.Length;
        string missingNote = missing > 0 ? $", {missing:N0} missing" : string.Empty;
        if (present.Length == 0)
        {
            return (ColumnKind.Categorical, $"categorical: every one of the {cells.Length:N0} values is missing");
        }

        if (present.All(c => c is bool))
        {
            return (ColumnKind.Boolean, $"boolean: {present.Length:N0} values of type Boolean{missingNote}");
        }

        if (present.All(IsIntegral))
        {
            int distinct = present.Distinct().Count();
            return distinct == present.Length && TableText.LooksLikeId(name) && missing == 0
                ? (ColumnKind.Id, $"id: the name looks like a key and all {present.Length:N0} whole values are distinct")
                : (ColumnKind.Integer, $"integer: {present.Length:N0} values of type {present[0].GetType().Name}, {distinct:N0} distinct{missingNote}");
        }

        if (present.All(c => c is double or float or decimal))
        {
            return (ColumnKind.Continuous, $"continuous: {present.Length:N0} values of type {present[0].GetType().Name}{missingNote}");
        }

        if (present.All(c => c is DateTime or DateTimeOffset or DateOnly))
        {
            return (ColumnKind.DateTime, $"datetime: {present.Length:N0} values of type {present[0].GetType().Name}{missingNote}");
        }

        if (present.All(c => c is Guid))
        {
            return (ColumnKind.Id, $"id: {present.Length:N0} values of type Guid");
        }

        var texts = present.Select(c => c as string ?? ToText(c)).ToArray();
        return InferText(name, texts, missing, missingNote, options);
    }

    private static (ColumnKind Kind, string Reason) InferText(string name, string[] texts, int missing, string missingNote, TableReadOptions options)
    {
        var culture = options.Culture;
        if (texts.All(t => TableText.TryBoolean(t, out _)))
        {
            return (ColumnKind.Boolean, $"boolean: all {texts.Length:N0} values true or false{missingNote}");
        }

        string? leadingZero = texts.FirstOrDefault(TableText.HasLeadingZero);
        if (leadingZero is null && texts.All(t => TableText.TryNumber(t, culture, out _)))
        {
            int distinct = texts.Select(t => double.Parse(t, NumberStyles.Float, culture)).Distinct().Count();
            string? fraction = texts.FirstOrDefault(t => !TableText.TryWhole(t, culture, out _));
            if (fraction is null)
            {
                return distinct == texts.Length && missing == 0 && TableText.LooksLikeId(name)
                    ? (ColumnKind.Id, $"id: the name looks like a key and all {texts.Length:N0} whole values are distinct")
                    : (ColumnKind.Integer, $"integer: all {texts.Length:N0} values whole, {distinct:N0} distinct{missingNote}");
            }

            return (ColumnKind.Continuous, $"continuous: {texts.Length:N0} numbers, {distinct:N0} distinct, not all whole (e.g. {fraction.Trim()}){missingNote}");
        }

        if (texts.All(t => TableText.TryDate(t, culture, options.DateFormats, out _)))
        {
            return (ColumnKind.DateTime, $"datetime: all {texts.Length:N0} values are dates (e.g. {texts[0].Trim()}){missingNote}");
        }

        int categories = texts.Distinct(StringComparer.Ordinal).Count();
        string why = leadingZero is not null ? $" (numbers with a leading zero, e.g. {leadingZero.Trim()}, are codes)" : string.Empty;
        if (categories == texts.Length && texts.Length >= IdMinimumRows && missing == 0)
        {
            return (ColumnKind.Id, $"id: all {texts.Length:N0} text values are distinct{why}");
        }

        string example = texts.FirstOrDefault(t => !TableText.TryNumber(t, culture, out _)) ?? texts[0];
        return (ColumnKind.Categorical, $"categorical: text (e.g. {TableText.Quote(example)}), {categories:N0} categories in {texts.Length:N0} values{missingNote}{why}");
    }

    private static TableColumn Read(string name, object?[] cells, ColumnKind kind, bool? nullable, TableReadOptions options)
    {
        for (int i = 0; i < cells.Length; i++)
        {
            if (cells[i] is null && nullable == false)
            {
                throw new TableFormatException(
                    $"Row {i + 1}, column '{name}': the value is missing, but the column is declared not nullable.",
                    i + 1, name, null);
            }
        }

        return kind switch
        {
            ColumnKind.Continuous => TableColumn.Continuous(name, Cells(cells, name, "a number", c => AsDouble(c, options)), nullable),
            ColumnKind.Integer => TableColumn.Integer(name, Cells(cells, name, "a whole number", c => AsLong(c, options)), nullable),
            ColumnKind.Boolean => TableColumn.Boolean(name, Cells(cells, name, "true or false", AsBoolean), nullable),
            ColumnKind.DateTime => TableColumn.DateTime(name, Cells(cells, name, "a date (ISO 8601, or one of DateFormats)", c => AsDate(c, options)), nullable),
            ColumnKind.Categorical => TableColumn.Categorical(name, cells.Select(c => c is null ? null : c as string ?? ToText(c)), nullable),
            ColumnKind.Id => TableColumn.Id(name, cells.Select(c => c is null ? null : c as string ?? ToText(c)), nullable),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown column kind."),
        };
    }

    private static T?[] Cells<T>(object?[] cells, string name, string expected, Func<object, T?> read)
        where T : struct
    {
        var values = new T?[cells.Length];
        for (int i = 0; i < cells.Length; i++)
        {
            if (cells[i] is not object cell)
            {
                continue;
            }

            values[i] = read(cell) ?? throw new TableFormatException(
                $"Row {i + 1}, column '{name}': {TableText.Quote(cell as string ?? ToText(cell))} is not {expected}, which the column's kind needs.",
                i + 1, name, cell as string ?? ToText(cell));
        }

        return values;
    }

    private static bool IsIntegral(object c) => c is byte or sbyte or short or ushort or int or uint or long or (ulong and <= long.MaxValue);

    private static double? AsDouble(object cell, TableReadOptions options) => cell switch
    {
        string s => TableText.TryNumber(s, options.Culture, out double d) ? d : null,
        double d when double.IsFinite(d) => d,
        float f when float.IsFinite(f) => f,
        decimal m => (double)m,
        _ when IsIntegral(cell) => Convert.ToDouble(cell, CultureInfo.InvariantCulture),
        _ => null,
    };

    private static long? AsLong(object cell, TableReadOptions options) => cell switch
    {
        string s => TableText.TryWhole(s, options.Culture, out long l) ? l : null,
        double d when d == Math.Floor(d) && Math.Abs(d) <= 9007199254740992d => (long)d,
        float f when f == MathF.Floor(f) && Math.Abs(f) <= 16777216f => (long)f,
        decimal m when m == decimal.Floor(m) && Math.Abs(m) <= long.MaxValue => (long)m,
        _ when IsIntegral(cell) => Convert.ToInt64(cell, CultureInfo.InvariantCulture),
        _ => null,
    };

    private static bool? AsBoolean(object cell) => cell switch
    {
        bool b => b,
        string s => TableText.TryBoolean(s, out bool b) ? b : null,
        _ when IsIntegral(cell) && Convert.ToInt64(cell, CultureInfo.InvariantCulture) is 0 or 1 => Convert.ToInt64(cell, CultureInfo.InvariantCulture) == 1,
        _ => null,
    };

    private static DateTime? AsDate(object cell, TableReadOptions options) => cell switch
    {
        DateTime t => t,
        DateTimeOffset o => o.UtcDateTime,
        DateOnly d => d.ToDateTime(TimeOnly.MinValue),
        string s => TableText.TryDate(s, options.Culture, options.DateFormats, out var t) ? t : null,
        _ => null,
    };

    internal static string ToText(object cell) => cell switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        DateTime t => TableText.FormatDate(t),
        DateTimeOffset o => TableText.FormatDate(o.UtcDateTime),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? string.Empty,
    };
}
