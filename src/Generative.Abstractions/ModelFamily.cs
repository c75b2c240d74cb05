using System.Text.Json;
using System.Text.Json.Serialization;

namespace Generative;

/// <summary>
/// The family a generative model belongs to: an open key, the same string under which the family's loader is registered
/// (<c>ModelFamilyRegistry</c>: <c>"diffusion"</c>, <c>"gan"</c>) and that its checkpoints write as <c>family</c> in
/// <c>config.json</c>. A family added outside this library (a flow-matching model, say) is <c>new ModelFamily("flow")</c>,
/// not a catch-all "other".
/// </summary>
/// <remarks>Keys compare case-insensitively (ordinal), as the registry's do; <see cref="ToString"/> and JSON give the key
/// as it was written. The default value has the empty key and belongs to no family.</remarks>
[JsonConverter(typeof(ModelFamilyJsonConverter))]
public readonly struct ModelFamily : IEquatable<ModelFamily>
{
    private readonly string? _key;

    /// <summary>Creates a family key.</summary>
    /// <param name="key">The family's registered name, such as <c>"diffusion"</c>; surrounding white space is removed.</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty or white space.</exception>
    public ModelFamily(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        _key = key.Trim();
    }

    /// <summary>Denoising diffusion models (<c>"diffusion"</c>): one network evaluation per sampler step.</summary>
    public static ModelFamily Diffusion { get; } = new("diffusion");

    /// <summary>Generative adversarial networks (<c>"gan"</c>): one generator forward pass per sample.</summary>
    public static ModelFamily Gan { get; } = new("gan");

    /// <summary>The family's key, as registered (<c>"diffusion"</c>, <c>"gan"</c>, …); empty for the default value.</summary>
    public string Key => _key ?? string.Empty;

    /// <summary>Whether two keys name the same family (case-insensitive).</summary>
    /// <param name="left">One family.</param>
    /// <param name="right">The other.</param>
    /// <returns><see langword="true"/> when the keys are equal ignoring case.</returns>
    public static bool operator ==(ModelFamily left, ModelFamily right) => left.Equals(right);

    /// <summary>Whether two keys name different families.</summary>
    /// <param name="left">One family.</param>
    /// <param name="right">The other.</param>
    /// <returns><see langword="true"/> when the keys differ ignoring case.</returns>
    public static bool operator !=(ModelFamily left, ModelFamily right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(ModelFamily other) => string.Equals(Key, other.Key, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ModelFamily other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(Key);

    /// <summary>The key.</summary>
    /// <returns><see cref="Key"/>.</returns>
    public override string ToString() => Key;
}

/// <summary>Writes a <see cref="ModelFamily"/> as its key, a JSON string, and reads it back.</summary>
public sealed class ModelFamilyJsonConverter : JsonConverter<ModelFamily>
{
    /// <inheritdoc />
    public override ModelFamily Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string? key = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return string.IsNullOrWhiteSpace(key)
            ? throw new JsonException($"A model family must be a non-empty JSON string, but the token is {reader.TokenType}.")
            : new ModelFamily(key);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, ModelFamily value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.Key);
    }
}
