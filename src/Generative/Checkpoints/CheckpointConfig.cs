using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Generative.Data;

namespace Generative.Checkpoints;

/// <summary>
/// Lets a training step (or a model) put the options that rebuild it (network and schedule options) into a checkpoint's
/// <c>config.json</c>. Implement it beside <see cref="Training.ITrainingStep"/>.
/// </summary>
public interface ICheckpointConfigurationSource
{
    /// <summary>The options as JSON (written under <c>"options"</c>); <see langword="null"/> for none.</summary>
    JsonNode? GetCheckpointConfiguration();
}

/// <summary>The content of a checkpoint's <c>config.json</c>: what rebuilds the model and what the files are.</summary>
/// <remarks>Immutable.</remarks>
public sealed class CheckpointConfig
{
    /// <summary>The format identifier written in every config.</summary>
    public const string FormatName = "generative-checkpoint";

    /// <summary>The format version this library writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>Creates a config.</summary>
    /// <param name="family">The model family (<c>"diffusion"</c>, <c>"gan"</c>, …).</param>
    /// <param name="step">Training steps completed.</param>
    /// <param name="modules">The module names stored in <c>model.safetensors</c>.</param>
    /// <param name="options">The step's or model's options, or <see langword="null"/>.</param>
    /// <param name="standardization">The data standardisation, or <see langword="null"/>.</param>
    public CheckpointConfig(string family, long step, IReadOnlyList<string> modules, JsonNode? options = null, DataStandardization? standardization = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(family);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentNullException.ThrowIfNull(modules);
        Family = family;
        Step = step;
        Modules = [.. modules];
        Options = options?.DeepClone();
        Standardization = standardization;
        LibraryVersion = typeof(CheckpointConfig).Assembly.GetName().Version?.ToString() ?? "0.0.0";
        CreatedUtc = DateTimeOffset.UtcNow;
    }

    /// <summary>The model family.</summary>
    public string Family { get; }

    /// <summary>Training steps completed when the checkpoint was written.</summary>
    public long Step { get; }

    /// <summary>The module names stored in <c>model.safetensors</c> (tensor names are <c>module.parameter</c>).</summary>
    public IReadOnlyList<string> Modules { get; }

    /// <summary>The options that rebuild the model (a copy; mutate freely), or <see langword="null"/>.</summary>
    public JsonNode? Options { get; }

    /// <summary>The data standardisation, so that samples return in original units; or <see langword="null"/>.</summary>
    public DataStandardization? Standardization { get; }

    /// <summary>The version of the library that wrote the checkpoint.</summary>
    public string LibraryVersion { get; private init; }

    /// <summary>When the checkpoint was written.</summary>
    public DateTimeOffset CreatedUtc { get; private init; }

    /// <summary>SHA-256 of every other file of the checkpoint, by file name (filled when written).</summary>
    public IReadOnlyDictionary<string, string> FileHashes { get; internal init; } = new Dictionary<string, string>();

    internal JsonObject ToJsonNode() => new()
    {
        ["format"] = FormatName,
        ["formatVersion"] = FormatVersion,
        ["family"] = Family,
        ["libraryVersion"] = LibraryVersion,
        ["step"] = Step,
        ["createdUtc"] = CreatedUtc.ToString("O", CultureInfo.InvariantCulture),
        ["modules"] = new JsonArray([.. Modules.Select(m => (JsonNode)JsonValue.Create(m))]),
        ["options"] = Options?.DeepClone(),
        ["dataStandardization"] = Standardization?.ToJsonNode(),
        ["files"] = new JsonObject(FileHashes.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
    };

    internal string ToJson() => ToJsonNode().ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    internal static CheckpointConfig Parse(string json, string source)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException($"'{source}' is not valid JSON: {e.Message}", e);
        }

        try
        {
            if (node is not JsonObject obj || obj["format"]?.GetValue<string>() != FormatName)
            {
                throw new CheckpointFormatException($"'{source}' is not a Generative checkpoint config (no \"format\": \"{FormatName}\").");
            }

            int version = obj["formatVersion"]?.GetValue<int>() ?? 0;
            if (version != FormatVersion)
            {
                throw new CheckpointFormatException($"'{source}' has checkpoint format version {version}; this library reads version {FormatVersion}.");
            }

            string family = obj["family"]?.GetValue<string>() ?? throw new CheckpointFormatException($"'{source}' names no family.");
            long step = obj["step"]?.GetValue<long>() ?? throw new CheckpointFormatException($"'{source}' has no step.");
            var modules = (obj["modules"] as JsonArray ?? throw new CheckpointFormatException($"'{source}' lists no modules."))
                .Select(m => m?.GetValue<string>() ?? throw new CheckpointFormatException($"'{source}' lists a null module.")).ToList();
            var standardization = obj["dataStandardization"] is JsonObject s ? DataStandardization.FromJsonNode(s) : null;
            var files = new Dictionary<string, string>(StringComparer.Ordinal);
            if (obj["files"] is JsonObject f)
            {
                foreach (var (k, v) in f)
                {
                    files[k] = v?.GetValue<string>() ?? throw new CheckpointFormatException($"'{source}' has no hash for file '{k}'.");
                }
            }

            return new CheckpointConfig(family, step, modules, obj["options"], standardization)
            {
                LibraryVersion = obj["libraryVersion"]?.GetValue<string>() ?? "unknown",
                CreatedUtc = DateTimeOffset.TryParse(obj["createdUtc"]?.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : default,
                FileHashes = files,
            };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or InvalidDataException)
        {
            throw new CheckpointFormatException($"'{source}' is not a valid checkpoint config: {e.Message}", e);
        }
    }
}
