using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Generative.Checkpoints;
using TorchSharp;

namespace Generative.Diffusion;

/// <summary>The JSON under <c>"options"</c> in a diffusion checkpoint's config.json: the schedule's options, and the model's (or
/// the training step's) options (the network's description is <see cref="DenoiserRegistry"/>'s).</summary>
internal static class DiffusionConfiguration
{
    public const string Family = "diffusion";

    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>Reads and validates options written by <see cref="ToNode{T}"/> from a checkpoint.</summary>
    public static T ReadOptions<T>(ConfigValue value, Action<T> validate)
        where T : class
    {
        value.RequireObject();
        try
        {
            var options = value.Node!.Deserialize<T>(Json) ?? throw value.Fail($"must describe the {typeof(T).Name}");
            validate(options);
            return options;
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or NotSupportedException or FormatException or OverflowException)
        {
            throw value.Invalid($"these are not valid {typeof(T).Name}: {e.Message}", e);
        }
    }

    public static JsonNode? ToNode<T>(T value) => JsonSerializer.SerializeToNode(value, Json);
}
