using Generative.Data;
using Generative.Gan;
using Generative.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.DenoisingGan;

/// <summary>Options of <see cref="DenoisingGanTrainingStep"/>.</summary>
public sealed record DenoisingGanTrainingOptions
{
    /// <summary>Adam's learning rate for the generator, finite and greater than 0. Default 1.6e-4 (the paper's CIFAR-10 setting).</summary>
    public double GeneratorLearningRate { get; init; } = 1.6e-4;

    /// <summary>Adam's learning rate for the discriminator, finite and greater than 0. Default 1.25e-4 (the paper's CIFAR-10 setting).</summary>
    public double CriticLearningRate { get; init; } = 1.25e-4;

    /// <summary>Adam's β₁, in [0, 1). Default 0.5 (the paper's).</summary>
    public double Beta1 { get; init; } = 0.5;

    /// <summary>Adam's β₂, in [0, 1). Default 0.9 (the paper's).</summary>
    public double Beta2 { get; init; } = 0.9;

    /// <summary>γ of the R1 penalty on real pairs, (γ/2)·E‖∇_{x_{t−1}} D(x_{t−1}, x_t, t)‖² (<see cref="R1Penalty"/>); finite
    /// and at least 0, 0 for none. Default 0.05 (the paper's CIFAR-10 setting).</summary>
    public double R1Gamma { get; init; } = 0.05;

    /// <summary>Checks every option and returns all problems, each naming its option; empty when the options are valid.</summary>
    /// <returns>The problems, e.g. <c>DenoisingGanTrainingOptions.R1Gamma must be finite and at least 0 (was -1).</c></returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new OptionProblems(nameof(DenoisingGanTrainingOptions));
        problems.Require(GeneratorLearningRate > 0 && double.IsFinite(GeneratorLearningRate), nameof(GeneratorLearningRate), $"must be finite and greater than 0 (was {GeneratorLearningRate}).");
        problems.Require(CriticLearningRate > 0 && double.IsFinite(CriticLearningRate), nameof(CriticLearningRate), $"must be finite and greater than 0 (was {CriticLearningRate}).");
        problems.Require(Beta1 is >= 0 and < 1, nameof(Beta1), $"must be in [0, 1) (was {Beta1}).");
        problems.Require(Beta2 is >= 0 and < 1, nameof(Beta2), $"must be in [0, 1) (was {Beta2}).");
        problems.Require(R1Gamma >= 0 && double.IsFinite(R1Gamma), nameof(R1Gamma), $"must be finite and at least 0 (was {R1Gamma}).");
        return problems.Problems;
    }
}

/// <summary>
/// One optimisation step of a denoising diffusion GAN (Xiao, Kreis and Vahdat 2022): one discriminator update, then one
/// generator update, each on its own draw of steps and noise.
/// </summary>
/// <remarks>
/// <para>For data x_0 each half draws, in this order from the run's generator: t ~ U{1, …, T} per sample; x_{t−1} ~
/// q(x_{t−1} | x_0) and x_t ~ q(x_t | x_{t−1}) (<see cref="DenoisingGanProcess.Pair"/>); z ~ N(0, I); the fake
/// x'_{t−1} ~ q(x_{t−1} | x_t, x'_0) with x'_0 = G(x_t, z, t) (<see cref="DenoisingGanProcess.Posterior"/>).
/// The discriminator minimises the non-saturating loss softplus(−D(x_{t−1}, x_t, t)) + softplus(D(x'_{t−1}, x_t, t))
/// (<see cref="NonSaturatingLoss"/>) plus the R1 penalty (γ/2)·‖∇_{x_{t−1}} D(x_{t−1}, x_t, t)‖² on the real pairs
/// (<see cref="R1Penalty"/>, with x_t held fixed); the generator minimises softplus(−D(x'_{t−1}, x_t, t)), its gradient
/// flowing through the reparameterised posterior draw.</para>
/// <para>The discriminator is any <see cref="IDiscriminator"/> (the library's <see cref="MlpCritic"/>, say) that scores
/// a pair stacked along the first sample dimension — x_{t−1} then x_t, samples shaped <c>[2·C, ..]</c> — with the step as
/// its class label t − 1 (<see cref="IDiscriminator.ClassCount"/> = T): a projection critic is then time-conditioned.</para>
/// <para>Both optimisers are Adam (created here, owned) and are named <c>"critic"</c> and <c>"generator"</c>. The step owns
/// neither network. Only unconditional data is supported. Not thread-safe.</para>
/// </remarks>
public sealed class DenoisingGanTrainingStep : ITrainingStep
{
    /// <summary>The name of the generator's module and optimiser.</summary>
    public const string GeneratorName = "generator";

    /// <summary>The name of the discriminator's module and optimiser.</summary>
    public const string CriticName = "critic";

    private static readonly NonSaturatingLoss Loss = new();
    private readonly optim.Optimizer _criticOptimizer;
    private readonly optim.Optimizer _generatorOptimizer;
    private readonly TorchSharp.Modules.Parameter[] _criticParameters;
    private readonly R1Penalty? _r1;

    /// <summary>Creates the step and its two Adam optimisers.</summary>
    /// <param name="generator">G(x_t, z, t); not owned.</param>
    /// <param name="critic">D on (x_{t−1}, x_t) pairs with t − 1 as class label; not owned.</param>
    /// <param name="process">The forward process; not owned. Its T must equal the generator's and the critic's class count.</param>
    /// <param name="options">Learning rates, Adam's betas and R1's γ; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">An option is invalid, or the networks do not fit each other or the process
    /// (the message names the expected and actual shapes or counts).</exception>
    public DenoisingGanTrainingStep(IDenoisingGenerator generator, IDiscriminator critic, DenoisingGanProcess process, DenoisingGanTrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(critic);
        ArgumentNullException.ThrowIfNull(process);
        Options = options ?? new DenoisingGanTrainingOptions();
        OptionProblems.ThrowIfAny(Options.Validate(), nameof(options));
        CheckNetworks(generator, critic, process.Steps);
        Generator = generator;
        Critic = critic;
        Process = process;
        _r1 = Options.R1Gamma > 0 ? new R1Penalty(Options.R1Gamma) : null;
        _criticParameters = [.. critic.Module.parameters()];
        _criticOptimizer = OptimizerFactory.Adam(_criticParameters, Options.CriticLearningRate, Options.Beta1, Options.Beta2);
        _generatorOptimizer = OptimizerFactory.Adam(generator.Module.parameters(), Options.GeneratorLearningRate, Options.Beta1, Options.Beta2);
        Modules = new Dictionary<string, nn.Module>(StringComparer.Ordinal) { [GeneratorName] = generator.Module, [CriticName] = critic.Module };
        Optimizers = new Dictionary<string, optim.Optimizer>(StringComparer.Ordinal) { [CriticName] = _criticOptimizer, [GeneratorName] = _generatorOptimizer };
    }

    /// <summary>The generator being trained.</summary>
    public IDenoisingGenerator Generator { get; }

    /// <summary>The discriminator being trained.</summary>
    public IDiscriminator Critic { get; }

    /// <summary>The forward process.</summary>
    public DenoisingGanProcess Process { get; }

    /// <summary>The options.</summary>
    public DenoisingGanTrainingOptions Options { get; }

    /// <inheritdoc />
    public string Family => DenoisingGanModel.FamilyKey;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, nn.Module> Modules { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, optim.Optimizer> Optimizers { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Step(TrainingBatch batch, TrainingStepContext context)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(context);
        Generator.SampleShape.EnsureBatch(batch.Samples, nameof(batch));
        var results = new Dictionary<string, double>(StringComparer.Ordinal);
        using var scope = NewDisposeScope();
        CriticStep(batch.Samples, context, results);
        GeneratorStep(batch.Samples, context, results);
        return results;
    }

    /// <summary>Disposes the two optimisers.</summary>
    public void Dispose()
    {
        _criticOptimizer.Dispose();
        _generatorOptimizer.Dispose();
    }

    /// <summary>Checks that a generator and a discriminator fit each other and a process of <paramref name="steps"/> steps.</summary>
    internal static void CheckNetworks(IDenoisingGenerator generator, IDiscriminator critic, int steps)
    {
        if (generator.Steps != steps)
        {
            throw new ArgumentException($"The generator is conditioned on {generator.Steps} steps, but the process has {steps}.", nameof(generator));
        }

        var sample = generator.SampleShape;
        long[] pair = [2 * sample[0], .. sample.Dimensions.Skip(1)];
        if (!critic.SampleShape.Equals(new TensorShape(pair)))
        {
            throw new ArgumentException(
                $"The discriminator scores (x_{{t−1}}, x_t) pairs stacked along the first sample dimension, so its samples must be shaped {new TensorShape(pair)}, but are {critic.SampleShape}.",
                nameof(critic));
        }

        if (critic.ClassCount != steps)
        {
            throw new ArgumentException(
                $"The discriminator takes the step t as its class label t − 1, so its class count must be T = {steps}, but is {critic.ClassCount}.", nameof(critic));
        }
    }

    private (Tensor Steps, Tensor Previous, Tensor Noisy, Tensor Fake) Draw(Tensor x0, Generator generator)
    {
        long n = x0.shape[0];
        var steps = randint(1, Process.Steps + 1, [n], ScalarType.Int64, generator.device, generator: generator).to(x0.device);
        var (previous, noisy) = Process.Pair(x0, steps, generator);
        var z = randn(Generator.LatentShape.WithBatch(n), x0.dtype, generator.device, generator: generator).to(x0.device);
        var predicted = Generator.PredictOriginal(noisy, z, steps);
        var fake = Process.Posterior(predicted, noisy, steps, generator);
        return (steps, previous, noisy, fake);
    }

    private void CriticStep(Tensor x0, TrainingStepContext context, Dictionary<string, double> results)
    {
        using var scope = NewDisposeScope();
        Tensor steps, previous, noisy, fake;
        using (no_grad())
        {
            (steps, previous, noisy, fake) = Draw(x0, context.Generator);
        }

        var labels = steps.Minus(1);
        var realScores = Critic.Score(cat([previous, noisy], 1), labels);
        var fakeScores = Critic.Score(cat([fake, noisy], 1), labels);
        var adversarial = Loss.CriticLoss(realScores, fakeScores);
        var loss = adversarial;
        if (_r1 is not null)
        {
            var penalty = _r1.Compute(new PairCritic(Critic, noisy, Generator.SampleShape), previous, fake, labels, context.Generator);
            loss = adversarial.Plus(penalty);
            results[_r1.Name] = Read(penalty);
        }

        results["real_score"] = Read(realScores.mean());
        results["fake_score"] = Read(fakeScores.mean());
        context.Optimize(CriticName, loss);
        results[CriticName] = context.LossValue(loss);
    }

    private void GeneratorStep(Tensor x0, TrainingStepContext context, Dictionary<string, double> results)
    {
        using var scope = NewDisposeScope();
        foreach (var p in _criticParameters)
        {
            p.requires_grad_(false);
        }

        try
        {
            var (steps, _, noisy, fake) = Draw(x0, context.Generator);
            var scores = Critic.Score(cat([fake, noisy], 1), steps.Minus(1));
            var loss = Loss.GeneratorLoss(scores);
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

    private static double Read(Tensor scalar)
    {
        using var value = scalar.detach().cpu().to_type(ScalarType.Float64);
        return value.item<double>();
    }

    /// <summary>The discriminator seen as a function of x_{t−1} alone, x_t held fixed: what R1 differentiates.</summary>
    private sealed class PairCritic(IDiscriminator critic, Tensor noisy, TensorShape sampleShape) : IDiscriminator
    {
        public TensorShape SampleShape => sampleShape;

        public int ClassCount => critic.ClassCount;

        public nn.Module Module => critic.Module;

        public Tensor Score(Tensor samples, Tensor? classLabels = null) => critic.Score(cat([samples, noisy], 1), classLabels);
    }
}
