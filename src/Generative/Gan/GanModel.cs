using Generative.Checkpoints;
using Generative.Data;
using Generative.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>
/// A trained GAN behind the family-neutral sampling contract: one generator forward pass per batch of samples.
/// </summary>
/// <remarks>
/// <para>Sampling draws z ~ N(0, I) (and, for a conditional generator, uniform class labels unless
/// <see cref="SamplingOptions.ClassLabels"/> gives them) from the generator passed in and runs the generator in
/// evaluation mode; the rest (batches, inference mode, cancellation, original units, float32 CPU results) is
/// <see cref="GenerativeModel"/>'s, the same for every family.</para>
/// <para>Thread-safety: <see cref="GenerativeModel.Sample"/> and <see cref="GenerativeModel.SampleBatches"/> may be called
/// from many threads at once; a call keeps all its state on its own stack and never changes the network. The constructor
/// puts the generator's module in evaluation mode: do not train it while the model samples from it.</para>
/// <para>Ownership: with <c>ownsGenerator</c> (the default) disposing the model disposes the generator's module.</para>
/// </remarks>
public sealed class GanModel : GenerativeModel
{
    /// <summary>Samples per generator call when <see cref="SamplingOptions.BatchSize"/> is not set: 512.</summary>
    public const int DefaultBatchSize = 512;

    private readonly bool _ownsGenerator;

    /// <summary>Wraps a trained generator.</summary>
    /// <param name="generator">The generator (for a trained <see cref="GanTrainingStep"/>, its <see cref="GanTrainingStep.SamplingGenerator"/>).</param>
    /// <param name="standardization">The standardisation the training data went through, undone on every sample so that
    /// samples come back in data units; <see langword="null"/> when the data were used as they are.</param>
    /// <param name="featureNames">Names of the features (table columns); their count must equal the sample's element count.
    /// <see langword="null"/> takes the standardisation's names, if any.</param>
    /// <param name="ownsGenerator">Whether disposing the model disposes the generator's module. Default true.</param>
    /// <exception cref="ArgumentException">The feature names or the standardisation do not match the sample shape.</exception>
    public GanModel(IGenerator generator, DataStandardization? standardization = null, IReadOnlyList<string>? featureNames = null, bool ownsGenerator = true)
        : base(ModelFamily.Gan, NotNull(generator).SampleShape, generator.ClassCount, standardization, featureNames, DefaultBatchSize)
    {
        Generator = generator;
        _ownsGenerator = ownsGenerator;
        generator.Module.eval();
    }

    /// <summary>The generator samples come from.</summary>
    public IGenerator Generator { get; }

    /// <summary>The device the generator's weights are on, for the call's draws.</summary>
    /// <param name="count">Not used.</param>
    /// <param name="options">Not used.</param>
    /// <returns>The device.</returns>
    protected override object? PrepareSampling(int count, SamplingOptions? options) =>
        Generator.Module.parameters().FirstOrDefault()?.device ?? CPU;

    /// <summary>One generator forward pass: z ~ N(0, I), then (conditional) the caller's labels or uniform ones.</summary>
    /// <param name="batch">The batch.</param>
    /// <returns>The generator's output, in the training data's standardised units.</returns>
    protected override Tensor DrawBatch(SampleBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var device = (Device)batch.Plan!;
        var z = randn(Generator.LatentShape.WithBatch(batch.Size), dtype: ScalarType.Float32, device: device, generator: batch.Generator);
        Tensor? labels = null;
        if (ClassCount > 0)
        {
            labels = batch.ClassLabels is { } given
                ? given.to(device)
                : randint(0, ClassCount, [batch.Size], dtype: ScalarType.Int64, device: device, generator: batch.Generator);
        }

        return Generator.Generate(z, labels);
    }

    private static IGenerator NotNull(IGenerator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return generator;
    }

    /// <summary>
    /// Saves the model as a checkpoint directory (written atomically): <c>config.json</c> with family <c>"gan"</c>, the
    /// generator's architecture, the feature names and the standardisation, and the generator's weights in
    /// <c>model.safetensors</c> under <c>generator.*</c>.
    /// </summary>
    /// <param name="directory">The directory to write (replaced if it exists).</param>
    /// <exception cref="NotSupportedException">The generator's type is not registered in <see cref="GeneratorRegistry.Default"/>,
    /// so its architecture cannot be written down.</exception>
    public void Save(string directory)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var options = GeneratorRegistry.Default.Describe(Generator);
        if (FeatureNames is not null)
        {
            options["featureNames"] = new System.Text.Json.Nodes.JsonArray([.. FeatureNames.Select(n => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(n))]);
        }

        var modules = new Dictionary<string, nn.Module>(StringComparer.Ordinal) { [GanTrainingStep.GeneratorName] = Generator.Module };
        ModelCheckpoint.Save(directory, modules, GanTrainingStep.FamilyName, options, Standardization);
    }

    /// <summary>Loads a model written by <see cref="Save"/>, or a GAN trainer checkpoint (its EMA generator when it has one,
    /// else its generator), or the newest valid checkpoint under a trainer's checkpoint root.</summary>
    /// <param name="directory">The checkpoint directory, or a root of <c>step-*</c> checkpoints.</param>
    /// <param name="logger">Receives a warning for each newer <c>step-*</c> checkpoint skipped as invalid; <see langword="null"/> for none.</param>
    /// <returns>A model that owns its new generator, on the CPU.</returns>
    /// <remarks>Every file's hash and every config value (type and range) is checked, and the tensors the config implies are
    /// compared with the weights file's header and counted against <see cref="ModelCheckpoint.MaxLoadBytes"/>, before the
    /// generator is built. Only the generator's tensors are read (a trainer checkpoint's critic is not).</remarks>
    /// <exception cref="CheckpointFormatException">The checkpoint is not a GAN's, is corrupt, does not match its architecture, or
    /// implies more than <see cref="ModelCheckpoint.MaxLoadBytes"/>; the message names the file, the key and the value.</exception>
    /// <exception cref="DirectoryNotFoundException">No checkpoint is there.</exception>
    public static GanModel Load(string directory, Microsoft.Extensions.Logging.ILogger? logger = null) =>
        ModelCheckpoint.LoadNewestValid(directory, logger, LoadCheckpoint);

    private static GanModel LoadCheckpoint(string resolved)
    {
        var config = ModelCheckpoint.ReadConfigAt(resolved);
        string configFile = Path.Combine(resolved, ModelCheckpoint.ConfigFileName);
        if (!string.Equals(config.Family, GanTrainingStep.FamilyName, StringComparison.Ordinal))
        {
            throw new CheckpointFormatException($"'{configFile}': 'family' is '{config.Family}', not a GAN.");
        }

        var options = new ConfigValue(config.Options, configFile, "options");
        if (!options.Exists)
        {
            throw options.Fail("must describe the generator's architecture (a GAN trainer checkpoint written before the architecture was recorded cannot be loaded as a model)");
        }

        var plan = GeneratorRegistry.Loading.Plan(options);
        var featureNames = SingleNetworkLoader.FeatureNames(options, plan.SampleShape);
        if (config.Standardization is { } standardization && standardization.FeatureCount != plan.SampleShape[0])
        {
            throw new CheckpointFormatException(
                $"'{configFile}': 'dataStandardization' has {standardization.FeatureCount} features, but samples shaped {plan.SampleShape} have {plan.SampleShape[0]} along their first dimension.");
        }

        // A trainer checkpoint with EMA samples from the average, as GanTrainingStep.SamplingGenerator does.
        string module = config.Modules.Contains(GanTrainingStep.GeneratorEmaName) ? GanTrainingStep.GeneratorEmaName
            : config.Modules.Contains(GanTrainingStep.GeneratorName) ? GanTrainingStep.GeneratorName
            : throw new CheckpointFormatException($"'{configFile}': 'modules' lists neither \"{GanTrainingStep.GeneratorName}\" nor \"{GanTrainingStep.GeneratorEmaName}\".");
        return SingleNetworkLoader.Load(
            resolved, configFile, config, plan, module, "options", g => g.Module, device: null, "GAN model",
            generator => new GanModel(generator, config.Standardization, featureNames, ownsGenerator: true));
    }

    /// <summary>Disposes the generator's module if the model owns it.</summary>
    /// <param name="disposing"><see langword="true"/> from <see cref="GenerativeModel.Dispose()"/>.</param>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _ownsGenerator)
        {
            Generator.Module.Dispose();
        }
    }
}
