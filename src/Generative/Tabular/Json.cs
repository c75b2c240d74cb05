using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Generative.Tabular;

/// <summary>Reads typed fields of a JSON object, failing with a message that names where, which field, what was
/// expected and what was found.</summary>
internal static class Json
{
    internal static string Describe(JsonNode? node) => node switch
    {
        null => "nothing (null or absent)",
        JsonObject => "an object",
        JsonArray => "an array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => $"the text '{v.GetValue<string>()}'",
            JsonValueKind.True or JsonValueKind.False => $"the Boolean {v.ToJsonString()}",
            _ => $"the number {v.ToJsonString()}",
        },
        _ => node.ToJsonString(),
    };

    internal static string String(JsonObject o, string field, string where) =>
        OptionalString(o, field, where) ?? throw Missing(field, where, "text");

    internal static string? OptionalString(JsonObject o, string field, string where) => o[field] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        var other => throw Wrong(field, where, "text", other),
    };

    internal static bool Bool(JsonObject o, string field, string where) => o[field] switch
    {
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        null => throw Missing(field, where, "true or false"),
        var other => throw Wrong(field, where, "true or false", other),
    };

    internal static int Int(JsonObject o, string field, string where) =>
        OptionalInt(o, field, where) ?? throw Missing(field, where, "a whole number");

    internal static int? OptionalInt(JsonObject o, string field, string where) => o[field] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out int i) => i,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out double d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue => (int)d,
        var other => throw Wrong(field, where, "a whole number", other),
    };

    internal static double Double(JsonObject o, string field, string where) =>
        OptionalDouble(o, field, where) ?? throw Missing(field, where, "a number");

    internal static double? OptionalDouble(JsonObject o, string field, string where) => o[field] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && double.IsFinite(v.GetValue<double>()) => v.GetValue<double>(),
        var other => throw Wrong(field, where, "a finite number", other),
    };

    internal static DateTime? OptionalDate(JsonObject o, string field, string where)
    {
        string? text = OptionalString(o, field, where);
        if (text is null)
        {
            return null;
        }

        return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t)
            ? t
            : throw new InvalidDataException($"{where}: '{field}' must be an ISO 8601 date; found '{text}'.");
    }

    internal static string[]? OptionalStrings(JsonObject o, string field, string where)
    {
        if (o[field] is null)
        {
            return null;
        }

        if (o[field] is not JsonArray array)
        {
            throw Wrong(field, where, "an array of text", o[field]);
        }

        return [.. array.Select((n, i) => n is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : throw Wrong($"{field}[{i}]", where, "text", n))];
    }

    internal static double[] Doubles(JsonObject o, string field, string where)
    {
        if (o[field] is not JsonArray array)
        {
            throw o[field] is null ? Missing(field, where, "an array of numbers") : Wrong(field, where, "an array of numbers", o[field]);
        }

        return [.. array.Select((n, i) => n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && double.IsFinite(v.GetValue<double>())
            ? v.GetValue<double>()
            : throw Wrong($"{field}[{i}]", where, "a finite number", n))];
    }

    internal static JsonArray Array(IEnumerable<double> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);

    private static InvalidDataException Missing(string field, string where, string expected) =>
        new($"{where}: '{field}' is missing; expected {expected}.");

    private static InvalidDataException Wrong(string field, string where, string expected, JsonNode? found) =>
        new($"{where}: '{field}' must be {expected}; found {Describe(found)}.");
}
