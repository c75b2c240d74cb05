using System.Text.Json;
using System.Text.Json.Nodes;

namespace Generative.Tabular;

/// <summary>
/// The folder a tabular synthesizer is saved in: <c>synthesizer.json</c>, <c>{"format": "generative-table-synthesizer",
/// "version": 1, "synthesizer": "&lt;registered name&gt;", …}</c>, plus whatever files the model needs.
/// <see cref="TableSynthesizerRegistry.Load"/> reads the header and hands the folder to the loader registered under
/// the name. A third party's synthesizer saves and loads through these helpers like the built-ins.
/// </summary>
public static class TableSynthesizerFile
{
    /// <summary>The header file's name.</summary>
    public const string FileName = "synthesizer.json";

    /// <summary>The header's <c>format</c>.</summary>
    public const string FormatName = "generative-table-synthesizer";

    /// <summary>The newest header <c>version</c> this library writes and reads.</summary>
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>A new header naming a synthesizer; add the model's own keys to it.</summary>
    /// <param name="synthesizer">The registered name.</param>
    /// <returns><c>{"format", "version", "synthesizer"}</c>.</returns>
    public static JsonObject CreateHeader(string synthesizer)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(synthesizer);
        return new JsonObject { ["format"] = FormatName, ["version"] = FormatVersion, ["synthesizer"] = synthesizer };
    }

    /// <summary>
    /// Writes a synthesizer's folder atomically: <paramref name="writeFiles"/> fills a temporary sibling folder, the
    /// header is written into it, every file is flushed, and the folder is renamed into place (a folder being replaced
    /// is set aside first), so a reader never sees half a model.
    /// </summary>
    /// <param name="directory">The folder (created, or replaced).</param>
    /// <param name="header">The header (<see cref="CreateHeader"/> plus the model's keys).</param>
    /// <param name="writeFiles">Writes the model's other files into the folder it is given.</param>
    public static void Save(string directory, JsonObject header, Action<string> writeFiles)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(writeFiles);
        AtomicFolder.Write(directory, temporary =>
        {
            writeFiles(temporary);
            File.WriteAllText(Path.Combine(temporary, FileName), header.ToJsonString(Indented));
        });
    }

    /// <summary>Reads and validates a folder's header: its format, its version and the synthesizer's name.</summary>
    /// <param name="directory">The folder.</param>
    /// <param name="synthesizer">The name the caller reads (a loader checking it was handed its own kind of folder);
    /// <see langword="null"/> to accept any.</param>
    /// <returns>The header.</returns>
    /// <exception cref="FileNotFoundException">The folder has no header.</exception>
    /// <exception cref="InvalidDataException">The header is not valid: not JSON, another format, an unknown version,
    /// no name, or another synthesizer's (the message names the file, the key and the value).</exception>
    public static JsonObject ReadHeader(string directory, string? synthesizer = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} does not exist: '{directory}' is not a saved tabular synthesizer (save one with ITableSynthesizer.Save).", path);
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }

        if (node is not JsonObject header)
        {
            throw new InvalidDataException($"{path}: a synthesizer header is a JSON object; found {Json.Describe(node)}.");
        }

        string format = Json.String(header, "format", path);
        if (format != FormatName)
        {
            throw new InvalidDataException($"{path}: 'format' is '{format}'; a saved tabular synthesizer has '{FormatName}'.");
        }

        int version = Json.Int(header, "version", path);
        if (version is < 1 or > FormatVersion)
        {
            throw new InvalidDataException(
                $"{path}: 'version' is {version}, {(version > FormatVersion ? "newer than" : "not one of")} the versions this library reads (1 to {FormatVersion}); update the Generative package or save the model again.");
        }

        string name = Json.String(header, "synthesizer", path);
        if (synthesizer is not null && !string.Equals(name, synthesizer, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"{path}: 'synthesizer' is '{name}'; this loader reads '{synthesizer}' (load the folder with TableSynthesizerRegistry.Load to dispatch by name).");
        }

        return header;
    }
}
