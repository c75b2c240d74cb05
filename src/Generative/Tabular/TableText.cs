using System.Globalization;

namespace Generative.Tabular;

/// <summary>Reading and writing cells as text: numbers, Booleans, dates.</summary>
internal static class TableText
{
    /// <summary>ISO 8601 forms read as dates (besides a reader's own <see cref="TableReadOptions.DateFormats"/>).</summary>
    private static readonly string[] IsoFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm",
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM-ddTHH:mm:ss.FFFFFFFZ",
    ];

    internal static bool TryNumber(string text, CultureInfo culture, out double value) =>
        double.TryParse(text, NumberStyles.Float, culture, out value) && double.IsFinite(value);

    /// <summary>A whole number within ±2^53 (exact as a double), not written with a leading zero.</summary>
    internal static bool TryWhole(string text, CultureInfo culture, out long value)
    {
        value = 0;
        if (!TryNumber(text, culture, out double d) || d != Math.Floor(d) || Math.Abs(d) > 9007199254740992d)
        {
            return false;
        }

        value = (long)d;
        return true;
    }

    /// <summary>Digits after a leading zero ("02134"): a code, not a number.</summary>
    internal static bool HasLeadingZero(string text)
    {
        var t = text.AsSpan().Trim();
        if (t.Length > 0 && (t[0] == '-' || t[0] == '+'))
        {
            t = t[1..];
        }

        return t.Length > 1 && t[0] == '0' && char.IsAsciiDigit(t[1]);
    }

    internal static bool TryBoolean(string text, out bool value)
    {
        var t = text.AsSpan().Trim();
        if (t.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            value = true;
            return true;
        }

        value = false;
        return t.Equals("false", StringComparison.OrdinalIgnoreCase);
    }

    internal static bool TryDate(string text, CultureInfo culture, IList<string> extraFormats, out DateTime value)
    {
        string t = text.Trim();
        const DateTimeStyles styles = DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal;
        if (DateTime.TryParseExact(t, IsoFormats, CultureInfo.InvariantCulture, styles, out value))
        {
            return true;
        }

        return extraFormats.Count > 0 && DateTime.TryParseExact(t, [.. extraFormats], culture, styles, out value);
    }

    /// <summary>A date as ISO 8601: <c>yyyy-MM-dd</c> at midnight, else with the time to the tick.</summary>
    internal static string FormatDate(DateTime value) =>
        value.TimeOfDay == TimeSpan.Zero
            ? value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : value.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);

    /// <summary>A value as a message shows it: quoted, shortened.</summary>
    internal static string Quote(string? value) =>
        value is null ? "(missing)" : "'" + (value.Length > 60 ? value[..57] + "..." : value) + "'";

    /// <summary>Whether a column name suggests a key: <c>id</c>, <c>key</c>, <c>…_id</c>, <c>…Id</c>, <c>… id</c>.</summary>
    internal static bool LooksLikeId(string name)
    {
        string n = name.Trim();
        return n.Equals("id", StringComparison.OrdinalIgnoreCase) || n.Equals("key", StringComparison.OrdinalIgnoreCase)
            || n.EndsWith("_id", StringComparison.OrdinalIgnoreCase) || n.EndsWith(" id", StringComparison.OrdinalIgnoreCase)
            || n.EndsWith("-id", StringComparison.OrdinalIgnoreCase) || (n.Length > 2 && n.EndsWith("Id", StringComparison.Ordinal));
    }
}
