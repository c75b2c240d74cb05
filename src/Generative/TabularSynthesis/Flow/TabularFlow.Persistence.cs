using System.Text.Json.Nodes;
using Generative.Checkpoints;
using Generative.Diffusion;
using Generative.Flow;
using Generative.Tabular;
using static TorchSharp.torch;

namespace Generative.TabularSynthesis;

public sealed partial class TabularFlow
{
    /// <summary>The fitted transformer (and schema) in a saved folder (<see cref="TableTransformer.Save"/>).</summary>
    public const string TransformerFileName = "table.json";

    /// <summary>The velocity network's averaged weights in a saved folder (safetensors, keys <c>velocity.*</c>).</summary>
    public const string WeightsFileName = "model.safetensors";

    /// <inheritdoc/>
    /// <remarks>Writes <c>synthesizer.json</c> (<see cref="TableSynthesizerFile.CreateHeader"/> with <c>"synthesizer":
    /// "flow"</c>, the options and the network's registered description), <see cref="TransformerFileName"/> and
    /// <see cref="WeightsFileName"/> into a temporary folder that replaces <paramref name="directory"/> at once
    /// (<see cref="TableSynthesizerFile.Save"/>).</remarks>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var header = TableSynthesizerFile.CreateHeader(RegisteredName);
        header["options"] = OptionsToJson(Options, Flow.Options.TimeScale);
        header["network"] = DenoiserRegistry.Default.Describe(Flow.Network);
        header["files"] = new JsonObject { ["transformer"] = TransformerFileName, ["weights"] = WeightsFileName };
        TableSynthesizerFile.Save(directory, header, folder =>
        {
            Transformer.Save(Path.Combine(folder, TransformerFileName));
            using var scope = NewDisposeScope();
            var tensors = Flow.Network.Module.state_dict().ToDictionary(p => FlowTrainingStep.NetworkName + "." + p.Key, p => p.Value.detach(), StringComparer.Ordinal);
            SafeTensors.Save(Path.Combine(folder, WeightsFileName), tensors, new Dictionary<string, string> { ["format"] = "pt", ["generative.synthesizer"] = RegisteredName });
        });
    }

    /// <summary>Loads a model saved by <see cref="Save"/>, validating every file before the network is allocated.</summary>
    /// <param name="directory">The folder.</param>
    /// <returns>The model, sampling exactly as the saved one did for the same seed.</returns>
    /// <exception cref="FileNotFoundException">The folder has no <c>synthesizer.json</c>, or a file it needs is missing.</exception>
    /// <exception cref="InvalidDataException">The header is of another format, version or synthesizer, an option is
    /// missing or out of range, the solver is not registered, the network's type is not registered or its width is not
    /// the transformer's, or a tensor does not match the network's description (the message names the file, the key and
    /// the value).</exception>
    public static TabularFlow Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var header = TableSynthesizerFile.ReadHeader(directory, RegisteredName);
        string configPath = Path.Combine(directory, TableSynthesizerFile.FileName);
        string transformerPath = Path.Combine(directory, TransformerFileName);
        string weightsPath = Path.Combine(directory, WeightsFileName);
        try
        {
            var root = new ConfigValue(header, configPath, string.Empty);
            var (options, timeScale) = OptionsFromJson(root["options"]);
            var plan = DenoiserRegistry.Loading.Plan(root["network"]);
            foreach (string file in new[] { transformerPath, weightsPath })
            {
                if (!File.Exists(file))
                {
                    throw new FileNotFoundException($"The saved flow model in '{directory}' is missing '{Path.GetFileName(file)}'.", file);
                }
            }

            var transformer = TableTransformer.Load(transformerPath);
            if (plan.SampleShape.Rank != 1 || plan.SampleShape[0] != transformer.Layout.Width)
            {
                throw root["network"]["features"].Fail($"must be {transformer.Layout.Width}, the width of the table transformed by '{TransformerFileName}'");
            }

            ExpectedTensors.Check(plan.Declare, SafeTensors.ReadHeader(weightsPath), weightsPath, FlowTrainingStep.NetworkName + ".", configPath, "network", new LoadBudget(ModelCheckpoint.MaxLoadBytes));
            using var weights = SafeTensors.Load(weightsPath);
            var network = plan.Create(null);
            FlowModel? flow = null;
            try
            {
                ModelCheckpoint.CopyInto(weights.Tensors, new Dictionary<string, nn.Module>(StringComparer.Ordinal) { [FlowTrainingStep.NetworkName] = network.Module }, weightsPath);
                if (network is TabularMlpDenoiser mlp)
                {
                    options = options with { Network = mlp.Options };
                }

                var modelOptions = new FlowModelOptions { Solver = options.Solver, Steps = options.SamplingSteps, BatchSize = options.SamplingBatchSize, TimeScale = timeScale };
                flow = new FlowModel(network, modelOptions);
                return new TabularFlow(transformer, options, flow);
            }
            catch
            {
                if (flow is null)
                {
                    network.Module.Dispose();
                }
                else
                {
                    flow.Dispose();
                }

                throw;
            }
        }
        catch (CheckpointFormatException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }

    private static JsonObject OptionsToJson(TabularFlowOptions o, double timeScale) => new()
    {
        ["steps"] = o.Steps,
        ["batch_size"] = o.BatchSize,
        ["learning_rate"] = o.Training.LearningRate,
        ["ema_decay"] = o.EmaDecay,
        ["time_distribution"] = o.Training.TimeDistribution == FlowTimeDistribution.LogitNormal ? "logit-normal" : "uniform",
        ["logit_normal_mean"] = o.Training.LogitNormalMean,
        ["logit_normal_std"] = o.Training.LogitNormalStd,
        ["time_scale"] = timeScale,
        ["solver"] = o.Solver,
        ["sampling_steps"] = o.SamplingSteps,
        ["sampling_batch_size"] = o.SamplingBatchSize,
    };

    private static (TabularFlowOptions Options, double TimeScale) OptionsFromJson(ConfigValue o)
    {
        o.RequireObject();
        string distribution = o["time_distribution"].String();
        double timeScale = o["time_scale"].Double(double.Epsilon, 1e9);
        var training = new FlowTrainingOptions
        {
            LearningRate = o["learning_rate"].Double(double.Epsilon, double.MaxValue),
            TimeDistribution = distribution switch
            {
                "uniform" => FlowTimeDistribution.Uniform,
                "logit-normal" => FlowTimeDistribution.LogitNormal,
                _ => throw o["time_distribution"].Fail("must be \"uniform\" or \"logit-normal\""),
            },
            LogitNormalMean = o["logit_normal_mean"].Double(-1e6, 1e6),
            LogitNormalStd = o["logit_normal_std"].Double(double.Epsilon, 1e6),
            TimeScale = timeScale,
        };
        string solver = o["solver"].String();
        if (!FlowSolverRegistry.Default.Contains(solver))
        {
            throw o["solver"].Fail($"must name a registered flow solver ({string.Join(", ", FlowSolverRegistry.Default.Keys)})");
        }

        var options = new TabularFlowOptions
        {
            Steps = o["steps"].Int(1, int.MaxValue),
            BatchSize = o["batch_size"].Int(1, int.MaxValue),
            EmaDecay = o["ema_decay"].Double(0, 0.9999999999),
            Training = training,
            Solver = solver,
            SamplingSteps = o["sampling_steps"].Int(1, 1_000_000),
            SamplingBatchSize = o["sampling_batch_size"].Int(1, int.MaxValue),
        };
        return (options, timeScale);
    }
}
