using System.Globalization;
using System.Text.Json.Nodes;
using Generative.Checkpoints;
using Generative.Data;
using Generative.Sampling;
using Generative.Training;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.DenoisingGan;

/// <summary>
/// A trained denoising diffusion GAN (Xiao, Kreis and Vahdat 2022): T large denoising steps, each a conditional GAN.
/// Sampling draws x_T ~ N(0, I); then for t = T, …, 1 draws z ~ N(0, I), predicts x'_0 = G(x_t, z, t) and, for t &gt; 1,
/// draws x_{t−1} ~ q(x_{t−1} | x_t, x'_0); at t = 1 it returns x'_0 (the posterior's mean there, its variance being 0).
/// T generator evaluations per sample; everything else (batches, cancellation, progress, data units) is the base's.
/// </summary>
/// <remarks>
/// <para>Draw order per batch, from the call's generator: x_T, then per step z and (t &gt; 1) the posterior's noise.</para>
/// <para>Options: <see cref="SamplingOptions.Sampler"/> may be <see langword="null"/> or <c>"ddgan"</c>;
/// <see cref="SamplingOptions.Steps"/> may be <see langword="null"/> or T (the generator is trained for T steps only);
/// guidance is refused; η and <see cref="SamplingOptions.UseEma"/> do not apply (the trainer's EMA weights are the
/// generator's). Unconditional only.</para>
/// <para>Persistence: <see cref="Save"/> writes config.json (family <c>"ddgan"</c>, the generator's description, the
/// process, the options, the standardisation) and model.safetensors (module <c>generator</c>); <see cref="Load"/> reads it
/// back, validated; <c>ModelFamilyRegistry.Default</c> loads it by its family like the other built-ins.</para>
/// <para>Thread-safety and ownership: as <see cref="GenerativeModel"/>; the model owns its process, and its generator when
/// <c>ownsGenerator</c> is true.</para>
/// </remarks>
public sealed class DenoisingGanModel : GenerativeModel
{
    /// <summary>The family's key, in <c>config.json</c> and in <c>ModelFamilyRegistry</c>.</summary>
    public const string FamilyKey = "ddgan";

    /// <summary>The one sampler name a request may give.</summary>
    public const string SamplerName = "ddgan";

    private readonly bool _ownsGenerator;

    /// <summary>Creates the model.</summary>
    /// <param name="generator">The trained generator G(x_t, z, t).</param>
    /// <param name="process">The forward process it was trained with; <see langword="null"/> for the defaults (4 steps).
    /// Its T must equal the generator's.</param>
    /// <param name="options">Sampling defaults; <see langword="null"/> for the defaults.</param>
    /// <param name="standardization">The training data's standardisation, undone on every sample; or <see langword="null"/>.</param>
    /// <param name="featureNames">Names of the features; <see langword="null"/> takes the standardisation's, if any.</param>
    /// <param name="ownsGenerator">Whether disposing the model disposes the generator's module. Default true.</param>
    /// <exception cref="ArgumentException">An option is invalid, or the generator's T differs from the process's.</exception>
    public DenoisingGanModel(
        IDenoisingGenerator generator,
        DenoisingGanProcessOptions? process = null,
        DenoisingGanModelOptions? options = null,
        DataStandardization? standardization = null,
        IReadOnlyList<string>? featureNames = null,
        bool ownsGenerator = true)
        : base(new ModelFamily(FamilyKey), NotNull(generator).SampleShape, 0, standardization, featureNames, Checked(options).BatchSize)
    {
        var processOptions = process ?? new DenoisingGanProcessOptions();
        OptionProblems.ThrowIfAny(processOptions.Validate(), nameof(process));
        if (generator.Steps != processOptions.Steps)
        {
            throw new ArgumentException($"The generator is conditioned on {generator.Steps} steps, but the process has {processOptions.Steps}.", nameof(generator));
        }

        Generator = generator;
        Process = new DenoisingGanProcess(processOptions);
        Options = options ?? new DenoisingGanModelOptions();
        _ownsGenerator = ownsGenerator;
        generator.Module.eval();
    }

    /// <summary>The generator.</summary>
    public IDenoisingGenerator Generator { get; }

    /// <summary>The forward process (owned by the model).</summary>
    public DenoisingGanProcess Process { get; }

    /// <summary>The sampling defaults.</summary>
    public DenoisingGanModelOptions Options { get; }

    /// <summary>Generator evaluations per sample: T.</summary>
    public int NetworkEvaluationsPerSample => Process.Steps;

    /// <summary>The one sampler name a request may give: <c>"ddgan"</c>.</summary>
    public override IReadOnlyCollection<string>? SamplerNames { get; } = [SamplerName];

    /// <summary>Writes the model to a checkpoint directory, atomically (replacing it if present).</summary>
    /// <param name="directory">The directory.</param>
    /// <exception cref="NotSupportedException">The generator's type is not registered in <see cref="DenoisingGeneratorRegistry.Default"/>.</exception>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var options = new JsonObject
        {
            ["generator"] = DenoisingGeneratorRegistry.Default.Describe(Generator),
            ["process"] = new JsonObject
            {
                ["steps"] = Process.Options.Steps,
                ["beta_min"] = Process.Options.BetaMin,
                ["beta_max"] = Process.Options.BetaMax,
            },
            ["model"] = new JsonObject { ["batch_size"] = Options.BatchSize },
        };
        if (FeatureNames is not null)
        {
            options["featureNames"] = new JsonArray([.. FeatureNames.Select(name => (JsonNode)JsonValue.Create(name))]);
        }

        ModelCheckpoint.Save(directory, new Dictionary<string, nn.Module> { [DenoisingGanTrainingStep.GeneratorName] = Generator.Module }, FamilyKey, options, Standardization);
    }

    /// <summary>Reads a model written by <see cref="Save"/> (or the newest valid under a root of <c>step-*</c> checkpoints).</summary>
    /// <param name="directory">The checkpoint directory.</param>
    /// <param name="device">The device for the generator; <see langword="null"/> for the CPU.</param>
    /// <param name="logger">Receives a warning for each newer <c>step-*</c> checkpoint skipped as invalid; <see langword="null"/> for none.</param>
    /// <returns>A model that owns its generator.</returns>
    /// <remarks>As for the other families: every file's hash and every config value is checked, and the tensors the
    /// generator's description implies are compared with the weights file's header and counted against
    /// <see cref="ModelCheckpoint.MaxLoadBytes"/> before the generator is built.</remarks>
    /// <exception cref="CheckpointFormatException">The checkpoint is not a denoising-GAN model, is corrupt, or its
    /// description or weights do not fit; the message names the file and the key.</exception>
    /// <exception cref="DirectoryNotFoundException">No checkpoint is there.</exception>
    public static DenoisingGanModel Load(string directory, Device? device = null, ILogger? logger = null) =>
        ModelCheckpoint.LoadNewestValid(directory, logger, resolved => LoadCheckpoint(resolved, DenoisingGeneratorRegistry.Loading, device));

    /// <summary>Checks the call: sampler <see langword="null"/> or <c>"ddgan"</c>, steps <see langword="null"/> or T, no guidance.</summary>
    /// <param name="count">How many samples.</param>
    /// <param name="options">The call's options.</param>
    /// <returns>The generator's device and dtype.</returns>
    /// <exception cref="ArgumentException">An option asks for something the model cannot do.</exception>
    protected override object? PrepareSampling(int count, SamplingOptions? options)
    {
        if (options?.Sampler is { } sampler && !string.Equals(sampler.Trim(), SamplerName, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"A denoising-GAN model samples with its own {Process.Steps}-step chain; SamplingOptions.Sampler must be null or '{SamplerName}', but is '{sampler}'.", nameof(options));
        }

        if (options?.Steps is { } steps && steps != Process.Steps)
        {
            throw new ArgumentException($"This denoising-GAN model was trained for T = {Process.Steps} steps; SamplingOptions.Steps must be null or {Process.Steps}, but is {steps}.", nameof(options));
        }

        if (options?.GuidanceScale is { } guidance && guidance != 1.0)
        {
            throw new ArgumentException(
                $"A denoising-GAN model samples without classifier-free guidance; SamplingOptions.GuidanceScale must be null or 1, but is {guidance.ToString(CultureInfo.InvariantCulture)}.", nameof(options));
        }

        var parameter = Generator.Module.parameters().FirstOrDefault();
        return (parameter?.device ?? CPU, parameter?.dtype ?? ScalarType.Float32);
    }

    /// <summary>Runs the T-step chain for one batch.</summary>
    /// <param name="batch">The batch.</param>
    /// <returns>The batch's samples, standardised.</returns>
    protected override Tensor DrawBatch(SampleBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var (device, dtype) = ((Device, ScalarType))batch.Plan!;
        var g = batch.Generator;
        int steps = Process.Steps;
        var x = randn(Generator.SampleShape.WithBatch(batch.Size), dtype, g.device, generator: g).to(device);
        for (int t = steps; t >= 1; t--)
        {
            batch.CancellationToken.ThrowIfCancellationRequested();
            var z = randn(Generator.LatentShape.WithBatch(batch.Size), dtype, g.device, generator: g).to(device);
            using var value = t.ToScalar();
            var stepTensor = full([batch.Size], value, ScalarType.Int64, device);
            var predicted = Generator.PredictOriginal(x, z, stepTensor);
            x = t > 1 ? Process.Posterior(predicted, x, stepTensor, g) : predicted;
            batch.ReportStep(steps - t + 1, steps);
        }

        return x;
    }

    /// <summary>Disposes the process, and the generator if the model owns it.</summary>
    /// <param name="disposing"><see langword="true"/> from <see cref="GenerativeModel.Dispose()"/>.</param>
    protected override void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        Process.Dispose();
        if (_ownsGenerator)
        {
            Generator.Module.Dispose();
        }
    }

    private static DenoisingGanModel LoadCheckpoint(string resolved, DenoisingGeneratorRegistry networks, Device? device)
    {
        var config = ModelCheckpoint.ReadConfigAt(resolved);
        string configFile = Path.Combine(resolved, ModelCheckpoint.ConfigFileName);
        if (!string.Equals(config.Family, FamilyKey, StringComparison.OrdinalIgnoreCase))
        {
            throw new CheckpointFormatException($"'{configFile}': 'family' is '{config.Family}', not a denoising-GAN model.");
        }

        var options = new ConfigValue(config.Options, configFile, "options");
        if (!options.Exists)
        {
            throw options.Fail("must describe the model to rebuild");
        }

        var process = options["process"];
        var processOptions = new DenoisingGanProcessOptions
        {
            Steps = process["steps"].Int(1, 1000),
            BetaMin = process["beta_min"].Double(0, 1e6),
            BetaMax = process["beta_max"].Double(double.Epsilon, 1e6),
        };
        if (processOptions.Validate() is { Count: > 0 } problems)
        {
            throw process.Invalid(string.Join(" ", problems));
        }

        var modelOptions = new DenoisingGanModelOptions { BatchSize = options["model"]["batch_size"].Int(1, 1 << 20) };
        var plan = networks.Plan(options["generator"]);
        var featureNames = SingleNetworkLoader.FeatureNames(options, plan.SampleShape);
        return SingleNetworkLoader.Load(
            resolved, configFile, config, plan, DenoisingGanTrainingStep.GeneratorName, "options.generator", g => g.Module, device, "denoising-GAN model",
            generator => new DenoisingGanModel(generator, processOptions, modelOptions, config.Standardization, featureNames));
    }

    private static IDenoisingGenerator NotNull(IDenoisingGenerator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return generator;
    }

    private static DenoisingGanModelOptions Checked(DenoisingGanModelOptions? options)
    {
        options ??= new DenoisingGanModelOptions();
        OptionProblems.ThrowIfAny(options.Validate(), nameof(options));
        return options;
    }
}
