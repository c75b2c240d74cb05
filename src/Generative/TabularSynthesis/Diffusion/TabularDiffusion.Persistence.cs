using System.Text.Json;
using System.Text.Json.Nodes;
using Generative.Checkpoints;
using Generative.Diffusion;
using static TorchSharp.torch;

using Generative.Tabular;

namespace Generative.TabularSynthesis;

public sealed partial class TabularDiffusion
{
    /// <summary>The <c>format</c> of <c>synthesizer.json</c>, shared by every tabular model.</summary>
    public const string FormatName = "generative-table-synthesizer";

    /// <summary>The version of the saved folder this library writes and the newest it reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The model's description in a saved folder.</summary>
    public const string ConfigFileName = "synthesizer.json";

    /// <summary>The fitted transformer (and schema) in a saved folder (<see cref="TableTransformer.Save"/>).</summary>
    public const string TransformerFileName = "table.json";

    /// <summary>The network's averaged weights in a saved folder (safetensors, keys <c>denoiser.*</c>).</summary>
    public const string WeightsFileName = "model.safetensors";

    private const string ModuleName = "denoiser";

    /// <inheritdoc/>
    /// <remarks>Writes <see cref="ConfigFileName"/> (format, version, <c>"synthesizer": "tabddpm"</c>, the options, the
    /// network's registered description and, with a <see cref="TabularDiffusionOptions.LabelColumn"/>, the label's class
    /// counts), <see cref="TransformerFileName"/> and <see cref="WeightsFileName"/>, all into a
    /// temporary folder that replaces <paramref name="directory"/> at once.</remarks>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var network = DenoiserRegistry.Default.Describe(_network);
        AtomicDirectory.Write(directory, folder =>
        {
            Transformer.Save(Path.Combine(folder, TransformerFileName));
            using (var scope = NewDisposeScope())
            {
                var tensors = _network.Module.state_dict().ToDictionary(p => ModuleName + "." + p.Key, p => p.Value.detach(), StringComparer.Ordinal);
                SafeTensors.Save(Path.Combine(folder, WeightsFileName), tensors, new Dictionary<string, string> { ["format"] = "pt", ["generative.synthesizer"] = RegisteredName });
            }

            var config = new JsonObject
            {
                ["format"] = FormatName,
                ["version"] = FormatVersion,
                ["synthesizer"] = RegisteredName,
                ["options"] = OptionsToJson(Options),
                ["network"] = network,
                ["files"] = new JsonObject { ["transformer"] = TransformerFileName, ["weights"] = WeightsFileName },
            };
            if (_label is not null)
            {
                config["label"] = new JsonObject
                {
                    ["column"] = _label.Column,
                    ["counts"] = new JsonArray([.. _label.Counts.Select(n => (JsonNode?)JsonValue.Create(n))]),
                };
            }

            File.WriteAllText(Path.Combine(folder, ConfigFileName), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        });
    }

    /// <summary>Loads a model saved by <see cref="Save"/>, validating every file before allocating the network.</summary>
    /// <param name="directory">The folder.</param>
    /// <returns>The model, sampling exactly as the saved one did for the same seed.</returns>
    /// <exception cref="FileNotFoundException">The folder or one of its files is missing (the message names it).</exception>
    /// <exception cref="CheckpointFormatException">A file is of another format or version, a key is missing or invalid, or
    /// a tensor's shape does not match the network's description (the message names the file and the key).</exception>
    public static TabularDiffusion Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string folder = AtomicDirectory.Resolve(directory, ConfigFileName)
            ?? throw new FileNotFoundException($"'{directory}' holds no saved tabular model: '{ConfigFileName}' is missing.", Path.Combine(directory, ConfigFileName));
        string configPath = Path.Combine(folder, ConfigFileName);
        JsonNode? json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(configPath));
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException($"'{configPath}' is not valid JSON: {e.Message}", e);
        }

        var root = new ConfigValue(json, configPath, string.Empty);
        root.RequireObject();
        if (root["format"].String() != FormatName)
        {
            throw root["format"].Fail($"must be \"{FormatName}\"");
        }

        root["version"].Int(1, FormatVersion);
        if (root["synthesizer"].String() != RegisteredName)
        {
            throw root["synthesizer"].Fail($"must be \"{RegisteredName}\" to be loaded by {nameof(TabularDiffusion)}");
        }

        var plan = DenoiserRegistry.Loading.Plan(root["network"]);
        var options = OptionsFromJson(root["options"]);
        string transformerPath = Path.Combine(folder, TransformerFileName);
        string weightsPath = Path.Combine(folder, WeightsFileName);
        foreach (string file in new[] { transformerPath, weightsPath })
        {
            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"The saved tabular model in '{folder}' is missing '{Path.GetFileName(file)}'.", file);
            }
        }

        TableTransformer transformer;
        try
        {
            transformer = TableTransformer.Load(transformerPath);
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointFormatException($"'{transformerPath}': {e.Message}", e);
        }

        var label = ReadLabel(root, options, transformer);
        int features = transformer.Layout.Width - (label?.ClassCount ?? 0);
        if (plan.SampleShape.Rank != 1 || plan.SampleShape[0] != features)
        {
            throw root["network"]["features"].Fail($"must be {features}, the width of the table transformed by '{TransformerFileName}'{(label is null ? string.Empty : $" without the label column '{label.Column}'")}");
        }

        int classes = root["network"]["class_count"].Int(0, int.MaxValue, 0);
        if (classes != (label?.ClassCount ?? 0))
        {
            throw root["network"]["class_count"].Fail(label is null ? "must be absent without a label column" : $"must be {label.ClassCount}, the classes of the label column '{label.Column}'");
        }

        ExpectedTensors.Check(plan.Declare, SafeTensors.ReadHeader(weightsPath), weightsPath, ModuleName + ".", configPath, "network", new LoadBudget(ModelCheckpoint.MaxLoadBytes));
        using var weights = SafeTensors.Load(weightsPath);
        var network = plan.Create(null);
        try
        {
            ModelCheckpoint.CopyInto(weights.Tensors, new Dictionary<string, nn.Module>(StringComparer.Ordinal) { [ModuleName] = network.Module }, weightsPath);
            if (network is TabularMlpDenoiser mlp)
            {
                options = options with { Network = mlp.Options };
            }

            return new TabularDiffusion(transformer, options, network, label);
        }
        catch
        {
            network.Module.Dispose();
            throw;
        }
    }

    private static DiffusionLabel? ReadLabel(ConfigValue root, TabularDiffusionOptions options, TableTransformer transformer)
    {
        if (options.LabelColumn is null)
        {
            return root["label"].Exists ? throw root["label"].Fail("must be absent without options.label_column") : null;
        }

        var label = root["label"];
        label.RequireObject();
        if (label["column"].String() != options.LabelColumn)
        {
            throw label["column"].Fail($"must be \"{options.LabelColumn}\", the options' label_column");
        }

        var counts = label["counts"];
        double[] values = [.. Enumerable.Range(0, counts.RequireArray().Count).Select(i => counts.At(i).Double(0, double.MaxValue))];
        try
        {
            return DiffusionLabel.Restore(options.LabelColumn, transformer, values);
        }
        catch (ArgumentException e)
        {
            throw label.Invalid(e.Message, e);
        }
    }

    private static JsonObject OptionsToJson(TabularDiffusionOptions o)
    {
        var json = OptionsToJsonWithoutLabel(o);
        if (o.LabelColumn is not null)
        {
            json["label_column"] = o.LabelColumn;
        }

        return json;
    }

    private static JsonObject OptionsToJsonWithoutLabel(TabularDiffusionOptions o) => new()
    {
        ["timesteps"] = o.Timesteps,
        ["schedule"] = o.Schedule == BetaSchedule.Linear ? "linear" : "cosine",
        ["steps"] = o.Steps,
        ["batch_size"] = o.BatchSize,
        ["learning_rate"] = o.LearningRate,
        ["weight_decay"] = o.WeightDecay,
        ["ema_decay"] = o.EmaDecay,
        ["sampling_batch_size"] = o.SamplingBatchSize,
        ["sampling_steps"] = o.SamplingSteps,
    };

    private static TabularDiffusionOptions OptionsFromJson(ConfigValue o)
    {
        o.RequireObject();
        int timesteps = o["timesteps"].Int(2, 100_000);
        string schedule = o["schedule"].String();
        var options = new TabularDiffusionOptions
        {
            Timesteps = timesteps,
            Schedule = schedule switch
            {
                "cosine" => BetaSchedule.SquaredCosCapV2,
                "linear" => BetaSchedule.Linear,
                _ => throw o["schedule"].Fail("must be \"cosine\" or \"linear\""),
            },
            Steps = o["steps"].Int(1, int.MaxValue),
            BatchSize = o["batch_size"].Int(1, int.MaxValue),
            LearningRate = o["learning_rate"].Double(double.Epsilon, double.MaxValue),
            WeightDecay = o["weight_decay"].Double(0, double.MaxValue),
            EmaDecay = o["ema_decay"].Double(0, 0.9999999999),
            SamplingBatchSize = o["sampling_batch_size"].Int(1, int.MaxValue),
            SamplingSteps = o["sampling_steps"].Node is null ? null : o["sampling_steps"].Int(1, timesteps),
            LabelColumn = o["label_column"].Node is null ? null : o["label_column"].String(),
        };
        return options;
    }
}
