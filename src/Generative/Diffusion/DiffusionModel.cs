using System.Text.Json.Nodes;
using Generative.Checkpoints;
using Generative.Data;
using Generative.Sampling;
using Generative.Training;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Diffusion;

/// <summary>
/// A trained denoising diffusion model: a denoiser (and optionally its EMA copy), the noise schedule it was trained
/// with, and sampling defaults. <see cref="GenerativeModel.Sample"/> runs any registered sampler (DDPM, DDIM, or one of a
/// <see cref="SamplerRegistry"/>) and <see cref="SampleWith"/> any sampler at all, through one sampling loop: any number of
/// steps, η, classifier-free guidance, the EMA choice, batches, cancellation and the data's units, under
/// <c>torch.inference_mode()</c>.
/// </summary>
/// <remarks>
/// <para>Thread-safety: <see cref="GenerativeModel.Sample"/>, <see cref="GenerativeModel.SampleBatches"/> and their <c>…With</c> twins may be called from many threads at once; each
/// call makes its own sampler and never changes the networks (they must have no train-time behaviour such as dropout
/// or batch norm, which <see cref="MlpDenoiser"/> and <see cref="UNetDenoiser"/> do not).</para>
/// <para>Ownership: the model owns the networks given to it when <c>ownsNetworks</c> is true (the default) and disposes
/// them in <see cref="Dispose"/>; the schedule is shared.</para>
/// <para>Units: the networks work in the training data's standardised units; the optional <see cref="GenerativeModel.Standardization"/>
/// turns samples back into data units.</para>
/// <para>Persistence: <see cref="Save"/> and <see cref="Load"/> write and read a checkpoint directory (config.json with
/// family <c>"diffusion"</c>, the network, schedule and sampling options and the standardisation; model.safetensors with the
/// weights of <c>denoiser</c> and <c>ema</c>), for <see cref="MlpDenoiser"/> and <see cref="UNetDenoiser"/> networks.</para>
/// </remarks>
public sealed class DiffusionModel : GenerativeModel
{
    private readonly bool _ownsNetworks;

    /// <summary>Creates the model.</summary>
    /// <param name="denoiser">The trained network.</param>
    /// <param name="schedule">The schedule it was trained with.</param>
    /// <param name="options">Sampling defaults; <see langword="null"/> for the defaults.</param>
    /// <param name="emaDenoiser">A network of the same architecture holding EMA weights, used for sampling by default; or <see langword="null"/>.</param>
    /// <param name="standardization">The standardisation of the training data, undone on every sample; <see langword="null"/> when
    /// the data was not standardised.</param>
    /// <param name="featureNames">Names of the features; <see langword="null"/> takes the standardisation's, if any.</param>
    /// <param name="ownsNetworks">Whether <see cref="Dispose"/> disposes the networks.</param>
    /// <exception cref="ArgumentException">The EMA network's shapes differ from the denoiser's, or the denoiser learns the variance.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public DiffusionModel(
        IDenoiser denoiser,
        INoiseSchedule schedule,
        DiffusionModelOptions? options = null,
        IDenoiser? emaDenoiser = null,
        DataStandardization? standardization = null,
        IReadOnlyList<string>? featureNames = null,
        bool ownsNetworks = true)
        : base(ModelFamily.Diffusion, NotNull(denoiser).SampleShape, denoiser.ClassCount, standardization, featureNames, Checked(options).BatchSize)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        Options = options ?? new DiffusionModelOptions();
        if (!denoiser.OutputShape.Equals(denoiser.SampleShape) && !(Options.Sampler == "ddpm" && Options.Ddpm.VarianceType is DdpmVarianceType.Learned or DdpmVarianceType.LearnedRange))
        {
            throw new ArgumentException("A denoiser that also predicts the variance needs the DDPM sampler with a learned variance type.", nameof(denoiser));
        }

        if (emaDenoiser is not null && (!emaDenoiser.SampleShape.Equals(denoiser.SampleShape) || !emaDenoiser.OutputShape.Equals(denoiser.OutputShape) || emaDenoiser.ClassCount != denoiser.ClassCount))
        {
            throw new ArgumentException("The EMA network must have the denoiser's shapes and class count.", nameof(emaDenoiser));
        }

        Denoiser = denoiser;
        EmaDenoiser = emaDenoiser;
        Schedule = schedule;
        _ownsNetworks = ownsNetworks;
    }

    /// <summary>The trained network.</summary>
    public IDenoiser Denoiser { get; }

    /// <summary>The EMA network, if any.</summary>
    public IDenoiser? EmaDenoiser { get; }

    /// <summary>The noise schedule.</summary>
    public INoiseSchedule Schedule { get; }

    /// <summary>The sampling defaults.</summary>
    public DiffusionModelOptions Options { get; }

    /// <summary>Creates a sampler as this model would use for <paramref name="options"/> (a new one per call), with its timesteps set.</summary>
    /// <param name="options">Per-call options; <see langword="null"/> for the defaults. The sampler's name is resolved in
    /// <see cref="SamplerRegistry.Default"/>.</param>
    /// <returns>A fresh sampler, such as a <see cref="DdpmSampler"/> or a <see cref="DdimSampler"/>.</returns>
    /// <exception cref="ArgumentException">No sampler is registered under the name (the message lists the registered ones), or an option is out of range.</exception>
    public ISampler CreateSampler(SamplingOptions? options = null) => CreateSampler(Resolve(options), options);

    /// <summary>Creates a sampler with a factory as this model would for <paramref name="options"/>, with its timesteps set.</summary>
    internal ISampler CreateSampler(SamplerFactory factory, SamplingOptions? options)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ThrowIfInvalid(options);
        return Prepare(factory(new SamplerContext(Schedule, Options, options)), options?.Steps ?? Options.Steps);
    }

    /// <summary>Draws samples with a sampler of your own, without registering it: the model's sampling loop (batches,
    /// guidance, EMA choice, cancellation, original units) with a sampler made by <paramref name="sampler"/> for each batch.</summary>
    /// <param name="sampler">Builds a fresh sampler per batch (for example <c>context =&gt; new EulerSampler(context.Schedule)</c>,
    /// or an entry of a <see cref="SamplerRegistry"/>); to use one instance for every batch, <c>_ =&gt; sampler</c>
    /// (then not from concurrent calls).</param>
    /// <param name="count">How many samples, at least 1.</param>
    /// <param name="generator">The source of every random draw; <see langword="null"/> for a randomly seeded one.</param>
    /// <param name="options">Steps, η, guidance, batch size, EMA choice, labels, progress; the sampler name is not used.</param>
    /// <param name="cancellationToken">Checked between batches and between sampler steps.</param>
    /// <returns><c>[count, ..SampleShape]</c>, float32, CPU, owned by the caller.</returns>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public Tensor SampleWith(SamplerFactory sampler, int count, Generator? generator = null, SamplingOptions? options = null, CancellationToken cancellationToken = default)
        => BatchConcatenation.Concatenate(SampleBatchesWith(sampler, count, generator, options, cancellationToken));

    /// <summary>Resolves the sampler named by <see cref="SamplingOptions.Sampler"/> (or <see cref="DiffusionModelOptions.Sampler"/>)
    /// in <see cref="SamplerRegistry.Default"/> and checks the call's guidance, steps and sampler options, once per call.</summary>
    /// <param name="count">How many samples the call draws.</param>
    /// <param name="options">The call's options.</param>
    /// <returns>The call's plan.</returns>
    /// <exception cref="ArgumentException">No sampler is registered under the name (the message lists the registered ones), or an option is invalid.</exception>
    protected override object? PrepareSampling(int count, SamplingOptions? options) => Plan(count, Resolve(options), options);

    /// <summary>Runs the call's sampler over one batch: noise, then one network evaluation per sampler step (two with
    /// classifier-free guidance), in the networks' units.</summary>
    /// <param name="batch">The batch; its plan is the one <see cref="PrepareSampling"/> made.</param>
    /// <returns>The batch's samples, standardised.</returns>
    protected override Tensor DrawBatch(SampleBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return SampleOneBatch(batch, (SamplingPlan)batch.Plan!);
    }

    /// <summary>Draws samples with a sampler of your own as a stream of batches (see
    /// <see cref="SampleWith"/>).</summary>
    /// <param name="sampler">Builds a fresh sampler per batch.</param>
    /// <param name="count">How many samples in all, at least 1.</param>
    /// <param name="generator">The source of every random draw; <see langword="null"/> for a randomly seeded one.</param>
    /// <param name="options">Steps, η, guidance, batch size, EMA choice, labels, progress; the sampler name is not used.</param>
    /// <param name="cancellationToken">Checked between batches and between sampler steps.</param>
    /// <returns>Batches of <c>[b, ..SampleShape]</c> (the last may be smaller), each owned by the caller.</returns>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public IEnumerable<Tensor> SampleBatchesWith(SamplerFactory sampler, int count, Generator? generator = null, SamplingOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        ValidateSampling(count, options);
        var plan = Plan(count, sampler, options);
        return SampleBatchesCore(count, generator, options, plan, cancellationToken);
    }

    /// <summary>Writes the model to a checkpoint directory, atomically (replacing it if present).</summary>
    /// <param name="directory">The directory.</param>
    /// <exception cref="NotSupportedException">The network's type is not registered in <see cref="DenoiserRegistry.Default"/>, or no
    /// schedule type is registered in <see cref="NoiseScheduleRegistry.Default"/> for the schedule's type.</exception>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var modules = new Dictionary<string, nn.Module> { [DiffusionTrainingStep.DenoiserName] = Denoiser.Module };
        if (EmaDenoiser is not null)
        {
            modules[EmaName] = EmaDenoiser.Module;
        }

        var options = new JsonObject
        {
            ["network"] = DenoiserRegistry.Default.Describe(Denoiser),
            ["schedule"] = null,
            ["model"] = DiffusionConfiguration.ToNode(Options),
            ["ema"] = EmaDenoiser is not null,
        };
        NoiseScheduleRegistry.Default.Write(Schedule, options); // the schedule's format, by the type key it is registered under
        if (FeatureNames is not null)
        {
            options["featureNames"] = new JsonArray([.. FeatureNames.Select(name => (JsonNode)JsonValue.Create(name))]);
        }

        ModelCheckpoint.Save(directory, modules, DiffusionConfiguration.Family, options, Standardization);
    }

    /// <summary>Reads a model written by <see cref="Save"/>, or a trainer checkpoint of a diffusion model (with the EMA weights its
    /// trainer kept, if any), or the newest valid checkpoint under a trainer's checkpoint root.</summary>
    /// <param name="directory">A checkpoint directory, or a root holding <c>step-*</c> checkpoints.</param>
    /// <param name="device">The device for the networks; <see langword="null"/> for the CPU.</param>
    /// <param name="logger">Receives a warning for each newer <c>step-*</c> checkpoint skipped as invalid; <see langword="null"/> for none.</param>
    /// <returns>A model that owns its networks.</returns>
    /// <remarks>Every file's hash and every config value (type and range) is checked, and the tensors the config implies are
    /// compared with the weights file's header and counted against <see cref="ModelCheckpoint.MaxLoadBytes"/>, before any
    /// network is built. EMA weights come from the <c>ema</c> module of a saved model, or from the state of the trainer's
    /// <see cref="Training.ExponentialMovingAverage"/> callback (key <c>"ema"</c>) in a trainer checkpoint.</remarks>
    /// <exception cref="CheckpointFormatException">The checkpoint is not a diffusion model this library can rebuild, is corrupt,
    /// or implies more than <see cref="ModelCheckpoint.MaxLoadBytes"/>; the message names the file, the key and the value.</exception>
    /// <exception cref="DirectoryNotFoundException">No checkpoint is there.</exception>
    public static DiffusionModel Load(string directory, Device? device = null, ILogger? logger = null) =>
        ModelCheckpoint.LoadNewestValid(directory, logger, resolved => LoadCheckpoint(resolved, device));

    private static DiffusionModel LoadCheckpoint(string resolved, Device? device)
    {
        var config = ModelCheckpoint.ReadConfigAt(resolved);
        string configFile = Path.Combine(resolved, ModelCheckpoint.ConfigFileName);
        if (config.Family != DiffusionConfiguration.Family)
        {
            throw new CheckpointFormatException($"'{configFile}': 'family' is '{config.Family}', not a diffusion model.");
        }

        var options = new ConfigValue(config.Options, configFile, "options");
        if (!options.Exists)
        {
            throw options.Fail("must describe the model to rebuild");
        }

        var plan = DenoiserRegistry.Loading.Plan(options["network"]);
        // The built-in schedule's options are checked here; a schedule registered by someone else (a "schedule_type" key)
        // is read by its own registered reader, whose exceptions become CheckpointFormatExceptions below.
        bool registeredSchedule = options[NoiseScheduleRegistry.TypeKey].Exists;
        var scheduleOptions = registeredSchedule ? null : DiffusionConfiguration.ReadOptions<NoiseScheduleOptions>(options["schedule"], o =>
        {
            o.Validate();
            ArgumentOutOfRangeException.ThrowIfGreaterThan(o.TrainTimesteps, ConfigLimits.MaxTrainTimesteps, nameof(o.TrainTimesteps));
        });
        var modelOptions = options["model"].Exists
            ? DiffusionConfiguration.ReadOptions<DiffusionModelOptions>(options["model"], o => o.Validate())
            : new DiffusionModelOptions
            {
                PredictionType = options["training"].Exists
                    ? DiffusionConfiguration.ReadOptions<DiffusionTrainingOptions>(options["training"], o => o.Validate()).Objective
                    : PredictionType.Epsilon,
            };
        var featureNames = options["featureNames"].Exists ? options["featureNames"].Strings(ConfigLimits.MaxFeatureNames) : null;
        if (featureNames is not null && featureNames.Count != plan.SampleShape.ElementCount)
        {
            throw options["featureNames"].Fail($"must hold one name per feature of samples shaped {plan.SampleShape}");
        }

        if (config.Standardization is { } standardization && standardization.FeatureCount != plan.SampleShape[0])
        {
            throw new CheckpointFormatException(
                $"'{configFile}': 'dataStandardization' has {standardization.FeatureCount} features, but samples shaped {plan.SampleShape} have {plan.SampleShape[0]} along their first dimension.");
        }

        if (!config.Modules.Contains(DiffusionTrainingStep.DenoiserName))
        {
            throw new CheckpointFormatException($"'{configFile}': 'modules' does not list \"{DiffusionTrainingStep.DenoiserName}\".");
        }

        // Everything the config implies is checked against the files' headers and the byte limit before a network exists.
        var budget = new LoadBudget(ModelCheckpoint.MaxLoadBytes);
        string weightsFile = Path.Combine(resolved, ModelCheckpoint.ModelFileName);
        var header = SafeTensors.ReadHeader(weightsFile);
        Declare(plan, header, weightsFile, DiffusionTrainingStep.DenoiserName + ".", configFile, budget);
        string? emaFile = null;
        string emaPrefix = EmaName + ".";
        if (config.Modules.Contains(EmaName))
        {
            emaFile = weightsFile;
            Declare(plan, header, weightsFile, emaPrefix, configFile, budget);
        }
        else if (config.FileHashes.ContainsKey(Trainer.StateTensorsFileName))
        {
            string stateFile = Path.Combine(resolved, Trainer.StateTensorsFileName);
            var stateHeader = SafeTensors.ReadHeader(stateFile);
            if (stateHeader.Entries.Any(e => e.Name.StartsWith(TrainerEmaPrefix, StringComparison.Ordinal)))
            {
                emaFile = stateFile;
                emaPrefix = TrainerEmaPrefix + "param.";
                Declare(plan, stateHeader, stateFile, emaPrefix, configFile, budget);
                var buffers = stateHeader.Entries.Where(e => e.Name.StartsWith(TrainerEmaPrefix + "buffer.", StringComparison.Ordinal)).Select(e => e.Name).ToList();
                if (buffers.Count > 0)
                {
                    throw new CheckpointFormatException($"'{stateFile}' holds EMA buffers ({string.Join(", ", buffers.Take(3))}) that a {plan.Type} denoiser does not have.");
                }
            }
        }

        using var weights = SafeTensors.Load(weightsFile, n => n.StartsWith(DiffusionTrainingStep.DenoiserName + ".", StringComparison.Ordinal) || (emaFile == weightsFile && n.StartsWith(emaPrefix, StringComparison.Ordinal)));
        using var emaState = emaFile is not null && emaFile != weightsFile ? SafeTensors.Load(emaFile, n => n.StartsWith(emaPrefix, StringComparison.Ordinal)) : null;
        IDenoiser? denoiser = null;
        IDenoiser? ema = null;
        INoiseSchedule? schedule = null;
        try
        {
            denoiser = plan.Create(null);
            ModelCheckpoint.CopyInto(weights.Tensors, new Dictionary<string, nn.Module> { [DiffusionTrainingStep.DenoiserName] = denoiser.Module }, weightsFile);
            if (emaFile is not null)
            {
                ema = plan.Create(null);
                var source = emaState?.Tensors ?? weights.Tensors;
                var renamed = source.Where(p => p.Key.StartsWith(emaPrefix, StringComparison.Ordinal)).ToDictionary(p => EmaName + "." + p.Key[emaPrefix.Length..], p => p.Value, StringComparer.Ordinal);
                ModelCheckpoint.CopyInto(renamed, new Dictionary<string, nn.Module> { [EmaName] = ema.Module }, emaFile);
            }

            if (device is not null)
            {
                denoiser.Module.to(device);
                ema?.Module.to(device);
            }

            schedule = scheduleOptions is null ? NoiseScheduleRegistry.Default.Read(options.Node!) : new NoiseSchedule(scheduleOptions);
            return new DiffusionModel(denoiser, schedule, modelOptions, ema, config.Standardization, featureNames) { OwnsSchedule = true };
        }
        catch (Exception e)
        {
            denoiser?.Module.Dispose();
            ema?.Module.Dispose();
            (schedule as IDisposable)?.Dispose();
            if (e is ArgumentException or InvalidOperationException or FormatException)
            {
                throw new CheckpointFormatException($"'{configFile}' describes a model that cannot be built: {e.Message}", e);
            }

            throw;
        }
    }

    private static void Declare(NetworkPlan<IDenoiser> plan, SafeTensorsHeader header, string file, string prefix, string configFile, LoadBudget budget)
    {
        ExpectedTensors.Check(plan.Declare, header, file, prefix, configFile, "options.network", budget);
    }

    /// <summary>The module name of the EMA network in checkpoints.</summary>
    internal const string EmaName = "ema";

    /// <summary>Where a trainer checkpoint keeps the state of the <see cref="Training.ExponentialMovingAverage"/> callback with the default key.</summary>
    private const string TrainerEmaPrefix = "callback.ema.";

    /// <summary>Disposes the networks if the model owns them (and a schedule the library made for it).</summary>
    /// <param name="disposing"><see langword="true"/> from <see cref="GenerativeModel.Dispose()"/>.</param>
    protected override void Dispose(bool disposing)
    {
        if (!disposing || !_ownsNetworks)
        {
            return;
        }

        Denoiser.Module.Dispose();
        EmaDenoiser?.Module.Dispose();
        if (OwnsSchedule && Schedule is IDisposable schedule)
        {
            schedule.Dispose();
        }
    }

    /// <summary>Whether <see cref="Dispose"/> also disposes <see cref="Schedule"/>: true when this library made the schedule for
    /// the model (loading, training), false for a schedule the caller passed in.</summary>
    internal bool OwnsSchedule { get; init; }

    private SamplingPlan Plan(int count, SamplerFactory factory, SamplingOptions? options)
    {
        ThrowIfInvalid(options);
        double guidance = options?.GuidanceScale ?? Options.GuidanceScale;

        if (guidance != 1.0 && ClassCount == 0)
        {
            throw new ArgumentException("Classifier-free guidance needs a class-conditional model; this one is unconditional.", nameof(options));
        }

        _ = CreateSampler(factory, options); // checks the sampler's steps and options before any work
        var network = (options?.UseEma ?? Options.UseEma) && EmaDenoiser is not null ? EmaDenoiser : Denoiser;
        var parameter = network.Module.parameters().FirstOrDefault();
        return new SamplingPlan(network, factory, guidance, parameter?.device ?? CPU);
    }

    /// <summary>The factory registered in <see cref="SamplerRegistry.Default"/> under the call's (or the model's) sampler name.</summary>
    private SamplerFactory Resolve(SamplingOptions? options)
    {
        ThrowIfInvalid(options);
        string name = (options?.Sampler ?? Options.Sampler).Trim();
        return SamplerRegistry.Default.TryGet(name, out var factory)
            ? factory
            : throw new ArgumentException(SamplerRegistry.Default.UnknownKeyMessage(name), nameof(options));
    }

    private static void ThrowIfInvalid(SamplingOptions? options)
    {
        var problems = options?.Validate();
        if (problems is { Count: > 0 })
        {
            throw new ArgumentOutOfRangeException(nameof(options), string.Join(" ", problems));
        }
    }

    /// <summary>Sets the timesteps of a sampler a factory made: the call's or the model's number of steps if either names
    /// one, else the sampler's own choice, else 50 (at most the train timesteps).</summary>
    private ISampler Prepare(ISampler? sampler, int? steps)
    {
        if (sampler is null)
        {
            throw new ArgumentException("The sampler factory returned null; it must return a sampler.", "factory");
        }

        if (steps is int n)
        {
            sampler.SetTimesteps(n);
        }
        else if (sampler.Timesteps.Count == 0)
        {
            sampler.SetTimesteps(Math.Min(50, Schedule.TrainTimesteps));
        }

        return sampler;
    }

    private Tensor SampleOneBatch(SampleBatch batch, SamplingPlan plan)
    {
        int size = batch.Size;
        var g = batch.Generator;
        var options = batch.Options;
        var cancellationToken = batch.CancellationToken;
        var sampler = CreateSampler(plan.Factory, options);
        var device = plan.Device;
        var network = plan.Network;
        Tensor? labels = null;
        if (ClassCount > 0)
        {
            labels = batch.ClassLabels is { } given
                ? given.to(device).to_type(ScalarType.Int64)
                : randint(0, ClassCount, [size], ScalarType.Int64, g.device, generator: g).to(device);
        }

        var x = SamplerCore.Noise(SampleShape.WithBatch(size), ScalarType.Float32, device, g);
        if (sampler.InitNoiseSigma != 1.0)
        {
            using var sigma = sampler.InitNoiseSigma.ToScalar();
            x = x.mul(sigma);
        }

        bool guided = labels is not null && plan.GuidanceScale != 1.0;
        using var nullClass = ((long)ClassCount).ToScalar();
        var nullLabels = guided ? full([size], nullClass, ScalarType.Int64, device) : null;
        using var w = plan.GuidanceScale.ToScalar();
        var timesteps = sampler.Timesteps;
        for (int i = 0; i < timesteps.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var stepScope = NewDisposeScope();
            long t = timesteps[i];
            var input = sampler.ScaleModelInput(x, t);
            using var tValue = t.ToScalar();
            var tt = full([guided ? 2L * size : size], tValue, ScalarType.Int64, device);
            Tensor output;
            if (guided)
            {
                var both = network.Predict(cat([input, input], 0), tt, cat([labels!, nullLabels!], 0)).chunk(2, 0);
                output = both[1].Plus((both[0] - both[1]) * w); // ε_uncond + w·(ε_cond − ε_uncond)
            }
            else
            {
                output = network.Predict(input, tt, labels);
            }

            var next = sampler.Step(output, t, x, g).PrevSample.MoveToOuterDisposeScope();
            x.Dispose(); // keep one sample tensor alive, not one per step
            x = next;
            batch.ReportStep(i + 1, timesteps.Count);
        }

        return x;
    }

    private static IDenoiser NotNull(IDenoiser denoiser)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        return denoiser;
    }

    private static DiffusionModelOptions Checked(DiffusionModelOptions? options)
    {
        options ??= new DiffusionModelOptions();
        options.Validate();
        return options;
    }

    private sealed record SamplingPlan(IDenoiser Network, SamplerFactory Factory, double GuidanceScale, Device Device);
}
