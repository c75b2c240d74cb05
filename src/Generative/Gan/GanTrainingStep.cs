using Generative.Data;
using Generative.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>
/// One step of adversarial training for the training loop: every call updates the critic once on its batch; every
/// <see cref="GanTrainingOptions.CriticStepsPerGeneratorStep"/>-th call (global steps n_critic − 1, 2·n_critic − 1, …)
/// then updates the generator once. Optionally keeps an exponential moving average of the generator's weights.
/// </summary>
/// <remarks>
/// <para>Critic step: z ~ N(0, I) from the run's generator; x_fake = G(z) without gradient; loss = critic loss(D(x_real),
/// D(x_fake)) + regulariser; updated through <c>context.Optimize("critic", loss)</c>. Generator step: a fresh z, loss =
/// generator loss(D(G(z))) with the critic's parameters frozen; updated through <c>context.Optimize("generator", loss)</c>.
/// With <see cref="GanTrainingOptions.SimultaneousUpdates"/> every step draws one z and takes both gradients from the same
/// G(z) at the networks' current weights before either moves (the generator's update is applied first: it does not change
/// the critic, and the critic's update uses the batch generated before it).
/// Conditional models use the batch's labels for both. With <see cref="GanTrainingOptions.PackSize"/> = m &gt; 1 every
/// critic call (real, generated, the regulariser's) goes through a <see cref="PackedCritic"/>: packs of m consecutive
/// samples, one score per pack.</para>
/// <para>Divergence: a non-finite loss is reported by <see cref="TrainingStepContext.Optimize"/> (a
/// <see cref="NonFiniteLossException"/> naming the step and the optimiser, under the run's policy); critic scores beyond
/// <see cref="GanTrainingOptions.MaxCriticScore"/> throw <see cref="GanDivergenceException"/> naming the step.</para>
/// <para>Returned losses: <c>"critic"</c> (total), <c>"critic_adversarial"</c>, the regulariser's name
/// (<c>"gradient_penalty"</c>, …), <c>"real_score"</c>, <c>"fake_score"</c> (mean critic outputs) and, on steps that
/// update the generator, <c>"generator"</c>. With the Wasserstein loss, real_score − fake_score estimates the
/// Wasserstein-1 distance.</para>
/// <para>Ownership: the step owns its optimisers and the EMA generator's averaging state (disposed with the step); the
/// generator, critic and EMA generator passed in stay the caller's. Not thread-safe (see <see cref="ITrainingStep"/>).</para>
/// </remarks>
public sealed class GanTrainingStep : ITrainingStep, Checkpoints.ICheckpointConfigurationSource
{
    /// <summary>The optimiser and module name of the critic: <c>"critic"</c>.</summary>
    public const string CriticName = "critic";

    /// <summary>The optimiser and module name of the generator: <c>"generator"</c>.</summary>
    public const string GeneratorName = "generator";

    /// <summary>The module name of the EMA generator: <c>"generator_ema"</c>.</summary>
    public const string GeneratorEmaName = "generator_ema";

    private readonly optim.Optimizer _criticOptimizer;
    private readonly optim.Optimizer _generatorOptimizer;
    private readonly ExponentialMovingAverage? _average;
    private readonly Parameter[] _criticParameters;
    private readonly IDiscriminator _judge; // the critic, or its packed view
    private readonly bool _ownsEmaGenerator;
    private bool _disposed;

    /// <summary>Creates the step and its two Adam optimisers.</summary>
    /// <param name="generator">The generator to train.</param>
    /// <param name="critic">The critic to train; its sample shape and class count must match the generator's.</param>
    /// <param name="options">Loss, regulariser and optimiser settings; <see langword="null"/> for WGAN-GP's defaults.</param>
    /// <param name="emaGenerator">With <see cref="GanTrainingOptions.EmaDecay"/>: a generator of the same architecture that
    /// receives the average (its weights are overwritten). <see langword="null"/> builds one for a generator whose type is
    /// registered in <see cref="GeneratorRegistry.Default"/>; other generators must pass one.</param>
    /// <exception cref="ArgumentException">The networks do not match, or an EMA generator is needed and none can be built.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public GanTrainingStep(IGenerator generator, IDiscriminator critic, GanTrainingOptions? options = null, IGenerator? emaGenerator = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(critic);
        options ??= GanTrainingOptions.WganGp();
        options.Validate(nameof(options));
        var judged = PackedCritic.PackedShape(generator.SampleShape, options.PackSize);
        if (judged != critic.SampleShape)
        {
            throw new ArgumentException(
                options.PackSize == 1
                    ? $"The generator makes samples shaped {generator.SampleShape} but the critic scores {critic.SampleShape}."
                    : $"The generator makes samples shaped {generator.SampleShape}, so packs of PackSize = {options.PackSize} are shaped {judged}, but the critic scores {critic.SampleShape}.",
                nameof(critic));
        }

        if (generator.ClassCount != critic.ClassCount)
        {
            throw new ArgumentException($"The generator has {generator.ClassCount} classes but the critic {critic.ClassCount}.", nameof(critic));
        }

        Generator = generator;
        Critic = critic;
        Options = options;
        _judge = options.PackSize == 1 ? critic : new PackedCritic(critic, generator.SampleShape, options.PackSize);
        _criticParameters = critic.Module.parameters().ToArray();
        _criticOptimizer = OptimizerFactory.Adam(_criticParameters, options.CriticLearningRate, options.Beta1, options.Beta2);
        _generatorOptimizer = OptimizerFactory.Adam(generator.Module.parameters(), options.GeneratorLearningRate, options.Beta1, options.Beta2);
        var modules = new Dictionary<string, nn.Module>(StringComparer.Ordinal)
        {
            [GeneratorName] = generator.Module,
            [CriticName] = critic.Module,
        };
        if (options.EmaDecay is double decay)
        {
            _ownsEmaGenerator = emaGenerator is null;
            EmaGenerator = emaGenerator ?? CreateTwin(generator)
                ?? throw new ArgumentException("EmaDecay is set, but no EMA generator was given and the generator's type cannot be copied; pass an emaGenerator of the same architecture.", nameof(emaGenerator));
            _average = ExponentialMovingAverage.Into(generator.Module, EmaGenerator.Module, decay, options.EmaWarmup);
            modules[GeneratorEmaName] = EmaGenerator.Module;
        }

        Modules = modules;
        Optimizers = new Dictionary<string, optim.Optimizer>(StringComparer.Ordinal)
        {
            [CriticName] = _criticOptimizer,
            [GeneratorName] = _generatorOptimizer,
        };
    }

    /// <summary>The family name written in checkpoints: <c>"gan"</c>.</summary>
    public const string FamilyName = "gan";

    /// <inheritdoc />
    public string Family => FamilyName;

    /// <summary>The generator being trained.</summary>
    public IGenerator Generator { get; }

    /// <summary>The critic being trained.</summary>
    public IDiscriminator Critic { get; }

    /// <summary>The generator holding the moving average of the weights, or <see langword="null"/> without EMA.</summary>
    public IGenerator? EmaGenerator { get; }

    /// <summary>The generator to sample from after training: the EMA generator if there is one, else the trained one.</summary>
    public IGenerator SamplingGenerator => EmaGenerator ?? Generator;

    /// <summary>The training settings.</summary>
    public GanTrainingOptions Options { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, nn.Module> Modules { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, optim.Optimizer> Optimizers { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Step(TrainingBatch batch, TrainingStepContext context)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(context);
        Generator.SampleShape.EnsureBatch(batch.Samples, nameof(batch));
        if (batch.Samples.shape[0] % Options.PackSize != 0)
        {
            throw new ArgumentException(
                $"PackSize = {Options.PackSize} needs a batch size that is a multiple of {Options.PackSize}, but the batch has {batch.Samples.shape[0]} samples.", nameof(batch));
        }

        var labels = Critic.ClassCount > 0 ? batch.Labels : null;
        if (Critic.ClassCount > 0 && labels is null)
        {
            throw new ArgumentException($"The GAN is conditioned on {Critic.ClassCount} classes, but the batch has no labels.", nameof(batch));
        }

        var results = new Dictionary<string, double>(StringComparer.Ordinal);
        using var scope = NewDisposeScope();
        if (Options.SimultaneousUpdates)
        {
            SimultaneousStep(batch.Samples, labels, context, results);
            return results;
        }

        CriticStep(batch.Samples, labels, context, results);
        if ((context.Step + 1) % Options.CriticStepsPerGeneratorStep == 0)
        {
            GeneratorStep(batch.Samples, labels, context, results);
        }

        return results;
    }

    private void CriticStep(Tensor real, Tensor? labels, TrainingStepContext context, Dictionary<string, double> results)
    {
        using var scope = NewDisposeScope();
        long n = real.shape[0];
        Tensor fake;
        using (no_grad())
        {
            var z = randn(Generator.LatentShape.WithBatch(n), dtype: real.dtype, device: real.device, generator: context.Generator);
            fake = Generate(z, labels).detach();
        }

        UpdateCritic(real, fake, labels, context, results);
    }

    // Both gradients at the same point: the generator's update goes first, through the critic's current weights, which it
    // does not change; the critic's update then uses the same generated batch, made before the generator moved.
    private void SimultaneousStep(Tensor real, Tensor? labels, TrainingStepContext context, Dictionary<string, double> results)
    {
        using var scope = NewDisposeScope();
        var z = randn(Generator.LatentShape.WithBatch(real.shape[0]), dtype: real.dtype, device: real.device, generator: context.Generator);
        var fake = Generate(z, labels);
        UpdateGenerator(fake, labels, context, results);
        UpdateCritic(real, fake.detach(), labels, context, results);
        UpdateAverage(context);
    }

    private void UpdateCritic(Tensor real, Tensor fake, Tensor? labels, TrainingStepContext context, Dictionary<string, double> results)
    {
        var realScores = _judge.Score(real, labels);
        var fakeScores = _judge.Score(fake, labels);
        var adversarial = Options.Loss.CriticLoss(realScores, fakeScores);
        var loss = adversarial;
        Tensor? penalty = null;
        if (Options.Regularizer is { } regularizer)
        {
            penalty = regularizer.Compute(_judge, real, fake, labels, context.Generator);
            loss = adversarial.Plus(penalty);
        }

        // The figures the step reports, read together: one stack and one read instead of one read each.
        var figures = penalty is null
            ? stack([realScores.mean(), fakeScores.mean(), adversarial.detach()])
            : stack([realScores.mean(), fakeScores.mean(), adversarial.detach(), penalty.detach()]);
        var values = ReadAll(figures);
        double realMean = values[0];
        double fakeMean = values[1];
        if (Options.Regularizer is { } named)
        {
            results[named.Name] = values[3];
        }

        results["real_score"] = realMean;
        results["fake_score"] = fakeMean;
        results["critic_adversarial"] = values[2];
        if (Math.Abs(realMean) > Options.MaxCriticScore || Math.Abs(fakeMean) > Options.MaxCriticScore)
        {
            throw new GanDivergenceException(context.Step, realMean, fakeMean, Options.MaxCriticScore);
        }

        context.Optimize(CriticName, loss);
        results[CriticName] = context.LossValue(loss); // read once, by the non-finite check
    }

    private void GeneratorStep(Tensor real, Tensor? labels, TrainingStepContext context, Dictionary<string, double> results)
    {
        using var scope = NewDisposeScope();
        var z = randn(Generator.LatentShape.WithBatch(real.shape[0]), dtype: real.dtype, device: real.device, generator: context.Generator);
        UpdateGenerator(Generate(z, labels), labels, context, results);
        UpdateAverage(context);
    }

    // One generator update from a generated batch that carries its graph, with the critic's parameters frozen.
    private void UpdateGenerator(Tensor fake, Tensor? labels, TrainingStepContext context, Dictionary<string, double> results)
    {
        foreach (var p in _criticParameters)
        {
            p.requires_grad_(false);
        }

        try
        {
            var loss = Options.Loss.GeneratorLoss(_judge.Score(fake, labels));
            context.Optimize(GeneratorName, loss);
            results[GeneratorName] = context.LossValue(loss);
        }
        finally
        {
            foreach (var p in _criticParameters)
            {
                p.requires_grad_(true);
            }
        }
    }

    private void UpdateAverage(TrainingStepContext context)
    {
        if (_average is not null)
        {
            // The warm-up's n counts generator updates; derived from the step, a resumed run continues the same ramp.
            _average.UpdateCount = ((context.Step + 1) / Options.CriticStepsPerGeneratorStep) - 1;
            _average.Update();
        }
    }

    // G(z), in one call or, with GeneratePackSlotsSeparately, one call per pack slot: slot j of every pack (rows j, j + m,
    // j + 2m, … of z) from its own call, put back in place.
    private Tensor Generate(Tensor z, Tensor? labels)
    {
        int m = Options.PackSize;
        if (m == 1 || !Options.GeneratePackSlotsSeparately)
        {
            return Generator.Generate(z, labels);
        }

        var bySlot = z.view([z.shape[0] / m, m, .. z.shape[1..]]);
        var slots = Enumerable.Range(0, m).Select(j => Generator.Generate(bySlot.select(1, j), null)).ToList();
        var together = stack(slots, 1);
        return together.view([z.shape[0], .. together.shape[2..]]);
    }

    // The values of a small vector as doubles: in place for float32/float64 CPU tensors, else through a float64 CPU copy.
    private static double[] ReadAll(Tensor vector)
    {
        if (vector.device_type == DeviceType.CPU && vector.dtype == ScalarType.Float32)
        {
            using var floats = vector.data<float>();
            return [.. floats.Select(v => (double)v)];
        }

        using var scope = NewDisposeScope();
        using var doubles = vector.detach().cpu().to_type(ScalarType.Float64).data<double>();
        return doubles.ToArray();
    }

    /// <summary>The generator's architecture, so that <see cref="GanModel.Load"/> can rebuild the model from a trainer checkpoint
    /// (from its EMA generator when there is one); <see langword="null"/> when the generator's type is not registered in
    /// <see cref="GeneratorRegistry.Default"/>.</summary>
    /// <returns>The architecture as JSON, or <see langword="null"/>.</returns>
    public System.Text.Json.Nodes.JsonNode? GetCheckpointConfiguration() =>
        GeneratorRegistry.Default.CanDescribe(Generator) ? GeneratorRegistry.Default.Describe(Generator) : null;

    internal static IGenerator? CreateTwin(IGenerator generator) => GeneratorRegistry.Default.CreateCopy(generator);

    /// <summary>Disposes the optimisers and the EMA state (and an EMA generator the step built itself).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _criticOptimizer.Dispose();
        _generatorOptimizer.Dispose();
        _average?.Dispose();
        if (_ownsEmaGenerator)
        {
            EmaGenerator?.Module.Dispose();
        }
    }
}
