using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Generative.Checkpoints;

/// <summary>
/// A value read from a checkpoint's JSON (<c>config.json</c>, <c>trainer_state.json</c>) together with the file and the key
/// it came from, so that every check of its type and range fails with a <see cref="CheckpointFormatException"/> naming the
/// file, the key and the value, and never with a JSON reader's <see cref="InvalidOperationException"/> or a
/// <see cref="NullReferenceException"/>.
/// </summary>
internal readonly struct ConfigValue
{
    private const int MaxShownLength = 80;

    public ConfigValue(JsonNode? node, string file, string key)
    {
        Node = node;
        File = file;
        Key = key;
    }

    /// <summary>The JSON, or <see langword="null"/> when the key is missing or null.</summary>
    public JsonNode? Node { get; }

    /// <summary>The file the value was read from.</summary>
    public string File { get; }

    /// <summary>The value's key path, e.g. <c>options.network.width</c>.</summary>
    public string Key { get; }

    /// <summary>Whether the key is present with a non-null value.</summary>
    public bool Exists => Node is not null;

    /// <summary>A member of this object; fails unless this is an object (a missing member is a missing value).</summary>
    public ConfigValue this[string name] => new(RequireObject()[name], File, Key.Length == 0 ? name : Key + "." + name);

    /// <summary>This value as an object; fails if it is missing or anything else.</summary>
    public JsonObject RequireObject() => Node as JsonObject ?? throw Fail("must be a JSON object");

    /// <summary>This value as an array; fails if it is missing or anything else.</summary>
    public JsonArray RequireArray() => Node as JsonArray ?? throw Fail("must be a JSON array");

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int Int(int min, int max) => (int)Long(min, max);

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>], or <paramref name="fallback"/> when missing.</summary>
    public int Int(int min, int max, int fallback) => Exists ? Int(min, max) : fallback;

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long Long(long min, long max)
    {
        if (TryGetInteger(out long value) && value >= min && value <= max)
        {
            return value;
        }

        throw Fail(string.Create(CultureInfo.InvariantCulture, $"must be an integer in [{min}, {max}]"));
    }

    /// <summary>A finite number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public double Double(double min, double max)
    {
        if (TryGetNumber(out double value) && double.IsFinite(value) && value >= min && value <= max)
        {
            return value;
        }

        throw Fail(string.Create(CultureInfo.InvariantCulture, $"must be a number in [{min}, {max}]"));
    }

    private bool TryGetInteger(out long value)
    {
        value = 0;
        if (Node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
        {
            return false;
        }

        // A value parsed from a file is a JsonElement; one built in memory holds the .NET number it was made from.
        if (v.TryGetValue(out JsonElement element))
        {
            return element.TryGetInt64(out value);
        }

        if (v.TryGetValue(out long l))
        {
            value = l;
            return true;
        }

        if (v.TryGetValue(out int i))
        {
            value = i;
            return true;
        }

        return false;
    }

    private bool TryGetNumber(out double value)
    {
        value = 0;
        if (Node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
        {
            return false;
        }

        if (v.TryGetValue(out JsonElement element))
        {
            return element.TryGetDouble(out value);
        }

        if (v.TryGetValue(out double d))
        {
            value = d;
            return true;
        }

        if (TryGetInteger(out long l))
        {
            value = l;
            return true;
        }

        return false;
    }

    /// <summary>A boolean.</summary>
    public bool Bool() => Node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : throw Fail("must be true or false");

    /// <summary>A boolean, or <paramref name="fallback"/> when missing.</summary>
    public bool Bool(bool fallback) => Exists ? Bool() : fallback;

    /// <summary>A string.</summary>
    public string String() => Node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw Fail("must be a string");

    /// <summary>A list of at most <paramref name="maxCount"/> strings.</summary>
    public IReadOnlyList<string> Strings(int maxCount)
    {
        var array = RequireArray();
        if (array.Count > maxCount)
        {
            throw Fail(string.Create(CultureInfo.InvariantCulture, $"must hold at most {maxCount} strings"));
        }

        var result = new string[array.Count];
        for (int i = 0; i < array.Count; i++)
        {
            result[i] = At(i).String();
        }

        return result;
    }

    /// <summary>A list of 1 to <paramref name="maxCount"/> integers, each in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public IReadOnlyList<int> Ints(int min, int max, int maxCount)
    {
        var array = RequireArray();
        if (array.Count == 0 || array.Count > maxCount)
        {
            throw Fail(string.Create(CultureInfo.InvariantCulture, $"must hold 1 to {maxCount} integers"));
        }

        var result = new int[array.Count];
        for (int i = 0; i < array.Count; i++)
        {
            result[i] = At(i).Int(min, max);
        }

        return result;
    }

    /// <summary>The item at <paramref name="index"/> of this array.</summary>
    public ConfigValue At(int index) => new(RequireArray()[index], File, string.Create(CultureInfo.InvariantCulture, $"{Key}[{index}]"));

    /// <summary>A failure naming the file, the key, the rule and the value.</summary>
    public CheckpointFormatException Fail(string rule) => new($"'{File}': '{Key}' {rule}, but is {Show(Node)}.");

    /// <summary>A failure naming the file, the key, the value and a free-form reason.</summary>
    public CheckpointFormatException Invalid(string reason, Exception? inner = null)
    {
        string message = $"'{File}': '{Key}' = {Show(Node)} is invalid: {reason}";
        return inner is null ? new CheckpointFormatException(message) : new CheckpointFormatException(message, inner);
    }

    /// <summary>The value as short JSON text, or "missing".</summary>
    public static string Show(JsonNode? node)
    {
        if (node is null)
        {
            return "missing (or null)";
        }

        string text = node.ToJsonString();
        return text.Length <= MaxShownLength ? text : string.Concat(text.AsSpan(0, MaxShownLength), "…");
    }
}
