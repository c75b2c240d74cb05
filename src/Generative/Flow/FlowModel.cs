using System.Globalization;
using System.Text.Json.Nodes;
using Generative.Checkpoints;
using Generative.Data;
using Generative.Sampling;
using Generative.Training;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Flow;

/// <summary>
/// A trained flow-matching (rectified-flow) model: a velocity network v(x, t) that carries noise x₀ ~ N(0, I) at t = 0 to
/// data at t = 1. Sampling integrates dx/dt = v(x, t) from 0 to 1 with the solver named by
/// <see cref="SamplingOptions.Sampler"/> (see <see cref="FlowSolverRegistry"/>) in <see cref="SamplingOptions.Steps"/>
/// uniform steps; every other sampling concern (batches, cancellation, progress, data units) is the base's.
/// </summary>
/// <remarks>
/// <para>Network evaluations per sample: steps × the solver's <see cref="IFlowSolver.EvaluationsPerStep"/> (Euler 1, midpoint and Heun 2).</para>
/// <para>Class-conditional networks get the caller's labels (<see cref="SamplingOptions.ClassLabels"/>), or labels drawn
/// uniformly; guidance is not supported. <see cref="SamplingOptions.Eta"/>, <see cref="SamplingOptions.GuidanceScale"/> and
/// <see cref="SamplingOptions.UseEma"/> do not apply and are ignored (the trainer's EMA weights are the network's).</para>
/// <para>Persistence: <see cref="Save"/> writes config.json (family <c>"flow"</c>, the network's description, the options, the
/// standardisation) and model.safetensors (module <c>velocity</c>); <see cref="Load"/> reads it back, and
/// <c>ModelFamilyRegistry.Default</c> loads it by its family like the built-ins.</para>
/// <para>Thread-safety and ownership: as <see cref="GenerativeModel"/>; the model owns the network when <c>ownsNetwork</c> is true.</para>
/// </remarks>
public sealed class FlowModel : GenerativeModel
{
    /// <summary>The family's key, in <c>config.json</c> and in <c>ModelFamilyRegistry</c>.</summary>
    public const string FamilyKey = "flow";

    private readonly bool _ownsNetwork;

    /// <summary>Creates the model.</summary>
    /// <param name="network">The trained velocity network (output shaped like its samples).</param>
    /// <param name="options">Sampling defaults and the network's time scale; <see langword="null"/> for the defaults.</param>
    /// <param name="standardization">The standardisation of the training data, undone on every sample; or <see langword="null"/>.</param>
    /// <param name="featureNames">Names of the features; <see langword="null"/> takes the standardisation's, if any.</param>
    /// <param name="ownsNetwork">Whether <see cref="GenerativeModel.Dispose()"/> disposes the network.</param>
    /// <exception cref="ArgumentException">An option is invalid, or the network's output is not shaped like its samples.</exception>
    public FlowModel(IDenoiser network, FlowModelOptions? options = null, DataStandardization? standardization = null, IReadOnlyList<string>? featureNames = null, bool ownsNetwork = true)
        : base(new ModelFamily(FamilyKey), NotNull(network).SampleShape, network.ClassCount, standardization, featureNames, Checked(options).BatchSize)
    {
        if (!network.OutputShape.Equals(network.SampleShape))
        {
            throw new ArgumentException(
                $"A velocity network's output must be shaped like its samples ({network.SampleShape}), but is {network.OutputShape}.", nameof(network));
        }

        Network = network;
        Options = options ?? new FlowModelOptions();
        _ownsNetwork = ownsNetwork;
    }

    /// <summary>The velocity network.</summary>
    public IDenoiser Network { get; }

    /// <summary>The sampling defaults and time scale.</summary>
    public FlowModelOptions Options { get; }

    /// <summary>The network's velocity at (x, t): the field the solvers integrate. Runs the network as it is (call under
    /// <c>torch.inference_mode()</c> or <c>no_grad()</c> unless you want gradients).</summary>
    /// <param name="x">Samples in the network's (standardised) units, <c>[N, ..SampleShape]</c>.</param>
    /// <param name="t">Times in [0, 1], <c>[N]</c>.</param>
    /// <param name="classLabels">Labels <c>[N]</c> for a conditional network; otherwise <see langword="null"/>.</param>
    /// <returns>v(x, t), <c>[N, ..SampleShape]</c>.</returns>
    public Tensor Velocity(Tensor x, Tensor t, Tensor? classLabels = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(t);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        using var scope = NewDisposeScope();
        var device = x.device;
        return Network.Predict(x, t.Times(Options.TimeScale).to(x.dtype), classLabels).to(device).MoveToOuterDisposeScope();
    }

    /// <summary>The solvers registered in <see cref="FlowSolverRegistry.Default"/>, which <see cref="SamplingOptions.Sampler"/> names.</summary>
    public override IReadOnlyCollection<string>? SamplerNames => FlowSolverRegistry.Default.Keys;

    /// <summary>The solver and number of steps a call would use: <see cref="SamplingOptions.Sampler"/> and
    /// <see cref="SamplingOptions.Steps"/>, or the model's defaults.</summary>
    /// <param name="options">The call's options.</param>
    /// <returns>The solver from <see cref="FlowSolverRegistry.Default"/> and the step count.</returns>
    /// <exception cref="ArgumentException">No solver is registered under the name (the message lists the registered ones).</exception>
    public (IFlowSolver Solver, int Steps) ResolveSolver(SamplingOptions? options = null)
    {
        string name = (options?.Sampler ?? Options.Solver).Trim();
        var solver = FlowSolverRegistry.Default.TryGet(name, out var found)
            ? found
            : throw new ArgumentException(FlowSolverRegistry.Default.UnknownKeyMessage(name), nameof(options));
        return (solver, options?.Steps ?? Options.Steps);
    }

    /// <summary>Resolves the call's solver once per call.</summary>
    /// <param name="count">How many samples.</param>
    /// <param name="options">The call's options.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="ArgumentException">The solver is not registered, or guidance is asked for.</exception>
    protected override object? PrepareSampling(int count, SamplingOptions? options)
    {
        if (options?.GuidanceScale is { } guidance && guidance != 1.0)
        {
            throw new ArgumentException(
                $"A flow model samples without classifier-free guidance; SamplingOptions.GuidanceScale must be null or 1, but is {guidance.ToString(CultureInfo.InvariantCulture)}.", nameof(options));
        }

        return ResolveSolver(options);
    }

    /// <summary>Draws x₀ ~ N(0, I) from the batch's generator (then labels, if the model is conditional and none were given)
    /// and integrates the velocity field from t = 0 to 1.</summary>
    /// <param name="batch">The batch.</param>
    /// <returns>The batch's samples, standardised.</returns>
    protected override Tensor DrawBatch(SampleBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var (solver, steps) = ((IFlowSolver, int))batch.Plan!;
        var parameter = Network.Module.parameters().FirstOrDefault();
        var device = parameter?.device ?? CPU;
        var dtype = parameter?.dtype ?? ScalarType.Float32;
        long[] shape = [batch.Size, .. SampleShape.Dimensions];
        var g = batch.Generator;
        var x0 = randn(shape, dtype, g.device, generator: g).to(device);
        Tensor? labels = null;
        if (ClassCount > 0)
        {
            labels = batch.ClassLabels?.to(device) ?? randint(0, ClassCount, [batch.Size], ScalarType.Int64, g.device, generator: g).to(device);
        }

        return FlowSolvers.Integrate(solver, (x, t) => Velocity(x, t, labels), x0, steps, step => batch.ReportStep(step, steps), batch.CancellationToken);
    }

    /// <summary>Draws noise x₀ ~ N(0, I) and the samples x₁ the model's flow makes of it, in the network's (standardised)
    /// units: the coupled pairs that reflow trains on, stacked as <c>[count, 2·C, ..]</c> (x₀ first), float32 on the CPU.</summary>
    internal Tensor DrawPairs(int count, Generator generator, IFlowSolver solver, int steps, int batchSize, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var parameter = Network.Module.parameters().FirstOrDefault();
        var device = parameter?.device ?? CPU;
        var dtype = parameter?.dtype ?? ScalarType.Float32;
        var parts = new List<Tensor>();
        try
        {
            for (int done = 0; done < count; done += batchSize)
            {
                int size = Math.Min(batchSize, count - done);
                using var inference = inference_mode();
                using var scope = NewDisposeScope();
                var x0 = randn([size, .. SampleShape.Dimensions], dtype, generator.device, generator: generator).to(device);
                var x1 = FlowSolvers.Integrate(solver, (x, t) => Velocity(x, t), x0, steps, cancellationToken: cancellationToken);
                parts.Add(cat([x0, x1], 1).to(CPU).to_type(ScalarType.Float32).clone().MoveToOuterDisposeScope());
            }

            using var all = cat(parts, 0);
            return all.clone();
        }
        finally
        {
            foreach (var part in parts)
            {
                part.Dispose();
            }
        }
    }

    /// <summary>Writes the model to a checkpoint directory, atomically (replacing it if present).</summary>
    /// <param name="directory">The directory.</param>
    /// <param name="networks">The network types the velocity network is described with: for the library's denoisers (and
    /// those a plugin registers) <c>DenoiserRegistry.Default</c>.</param>
    /// <exception cref="NotSupportedException">The network's type is not registered in <paramref name="networks"/>.</exception>
    public void Save(string directory, NetworkTypeRegistry<IDenoiser> networks)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(networks);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var options = new JsonObject
        {
            ["network"] = networks.Describe(Network),
            ["model"] = new JsonObject
            {
                ["solver"] = Options.Solver,
                ["steps"] = Options.Steps,
                ["batch_size"] = Options.BatchSize,
                ["time_scale"] = Options.TimeScale,
            },
        };
        if (FeatureNames is not null)
        {
            options["featureNames"] = new JsonArray([.. FeatureNames.Select(name => (JsonNode)JsonValue.Create(name))]);
        }

        ModelCheckpoint.Save(directory, new Dictionary<string, nn.Module> { [FlowTrainingStep.NetworkName] = Network.Module }, FamilyKey, options, Standardization);
    }

    /// <summary>Reads a model written by <see cref="Save"/> (or the newest valid under a root of <c>step-*</c> checkpoints).</summary>
    /// <param name="directory">The checkpoint directory.</param>
    /// <param name="networks">The network types the velocity network is rebuilt with: <c>DenoiserRegistry.Default</c>, or
    /// a container's. (<c>ModelFamilyRegistry.Load</c> passes the registry of the load in progress.)</param>
    /// <param name="device">The device for the network; <see langword="null"/> for the CPU.</param>
    /// <param name="logger">Receives a warning for each newer <c>step-*</c> checkpoint skipped as invalid; <see langword="null"/> for none.</param>
    /// <returns>A model that owns its network.</returns>
    /// <remarks>As for the other families: every file's hash and every config value is checked, and the tensors the
    /// network's description implies are compared with the weights file's header and counted against
    /// <see cref="ModelCheckpoint.MaxLoadBytes"/> before the network is built (a built-in type's description is read field
    /// by field; a registered type builds its network once to declare them).</remarks>
    /// <exception cref="CheckpointFormatException">The checkpoint is not a flow model, is corrupt, or its description or
    /// weights do not fit; the message names the file and the key.</exception>
    /// <exception cref="DirectoryNotFoundException">No checkpoint is there.</exception>
    public static FlowModel Load(string directory, NetworkTypeRegistry<IDenoiser> networks, Device? device = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(networks);
        return ModelCheckpoint.LoadNewestValid(directory, logger, resolved => LoadCheckpoint(resolved, networks, device));
    }

    /// <summary>Disposes the network if the model owns it.</summary>
    /// <param name="disposing"><see langword="true"/> from <see cref="GenerativeModel.Dispose()"/>.</param>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _ownsNetwork)
        {
            Network.Module.Dispose();
        }
    }

    private static FlowModel LoadCheckpoint(string resolved, NetworkTypeRegistry<IDenoiser> networks, Device? device)
    {
        var config = ModelCheckpoint.ReadConfigAt(resolved);
        string configFile = Path.Combine(resolved, ModelCheckpoint.ConfigFileName);
        if (!string.Equals(config.Family, FamilyKey, StringComparison.OrdinalIgnoreCase))
        {
            throw new CheckpointFormatException($"'{configFile}': 'family' is '{config.Family}', not a flow model.");
        }

        var options = new ConfigValue(config.Options, configFile, "options");
        if (!options.Exists)
        {
            throw options.Fail("must describe the model to rebuild");
        }

        var model = options["model"];
        var modelOptions = new FlowModelOptions
        {
            Solver = model["solver"].String(),
            Steps = model["steps"].Int(1, 1_000_000),
            BatchSize = model["batch_size"].Int(1, 1 << 20),
            TimeScale = model["time_scale"].Double(double.Epsilon, 1e9),
        };
        var plan = networks.Plan(options["network"]);
        var featureNames = SingleNetworkLoader.FeatureNames(options, plan.SampleShape);
        return SingleNetworkLoader.Load(
            resolved, configFile, config, plan, FlowTrainingStep.NetworkName, "options.network", n => n.Module, device, "flow model",
            network => new FlowModel(network, modelOptions, config.Standardization, featureNames));
    }

    private static IDenoiser NotNull(IDenoiser network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return network;
    }

    private static FlowModelOptions Checked(FlowModelOptions? options)
    {
        options ??= new FlowModelOptions();
        OptionProblems.ThrowIfAny(options.Validate(), nameof(options));
        return options;
    }
}
