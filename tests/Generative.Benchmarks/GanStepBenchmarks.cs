using BenchmarkDotNet.Attributes;
using Generative.Data;
using Generative.Gan;
using Generative.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.Benchmarks;

/// <summary>
/// WGAN-GP on 2-D points (MLP generator and critic, 3 × 64, batch 256, Adam 1e-4 β = (0.5, 0.9), λ = 10, generator
/// EMA 0.999 as the comparison uses): the library (<see cref="GanTrainingStep"/> with
/// <see cref="GanTrainingOptions.WganGp"/> run by <see cref="Trainer"/>) against a hand-written TorchSharp loop with the
/// same networks. <c>Critic</c>: a critic step alone (the generator never steps). <c>CriticAndGenerator</c>: one
/// critic step and one generator step (n_critic = 1); the generator step costs the difference.
/// </summary>
public abstract class GanStepBenchmarks : LeakGuard
{
    private MlpGenerator _libGenerator = null!;
    private MlpCritic _libCritic = null!;
    private TensorDataSource _data = null!;
    private GanTrainingStep _step = null!;
    private Trainer _trainer = null!;
    private Tensor _samples = null!;
    private MlpGenerator _generator = null!;
    private MlpGenerator _emaGenerator = null!;
    private MlpCritic _critic = null!;
    private Parameter[] _criticParameters = null!;
    private List<(Tensor Average, Tensor Source)> _emaPairs = null!;
    private optim.Optimizer _criticAdam = null!;
    private optim.Optimizer _generatorAdam = null!;
    private Generator _rng = null!;
    private HandBatches _batches = null!;
    private Scalar _one = null!;
    private Scalar _lambda = null!;
    private Scalar _decay = null!;
    private Scalar _weight = null!;

    protected abstract int StepsPerCall { get; }

    protected abstract bool WithGeneratorStep { get; }

    [GlobalSetup]
    public void Setup()
    {
        _samples = Fixtures.Points2D();
        _data = new TensorDataSource(_samples);
        var options = GanTrainingOptions.WganGp() with
        {
            EmaDecay = 0.999,
            CriticStepsPerGeneratorStep = WithGeneratorStep ? 1 : int.MaxValue,
        };
        _libGenerator = Fixtures.Generator2D();
        _libCritic = Fixtures.Critic2D();
        _step = new GanTrainingStep(_libGenerator, _libCritic, options);
        _trainer = Trainer.For(_step).WithData(_data).WithBatchSize(Fixtures.BatchSize).WithSteps(long.MaxValue).WithSeed(0)
            .WithCallback(new StopEvery(StepsPerCall)).Build();

        _generator = Fixtures.Generator2D();
        _critic = Fixtures.Critic2D();
        _emaGenerator = Fixtures.Generator2D();
        _generator.train();
        _critic.train();
        _criticParameters = [.. _critic.parameters()];
        _criticAdam = optim.Adam(_criticParameters, 1e-4, 0.5, 0.9);
        _generatorAdam = optim.Adam(_generator.parameters(), 1e-4, 0.5, 0.9);
        _emaPairs = [.. _emaGenerator.parameters().Zip(_generator.parameters(), (a, s) => ((Tensor)a, (Tensor)s))];
        foreach (var (a, _) in _emaPairs)
        {
            a.requires_grad_(false);
        }

        _rng = new Generator(0);
        _batches = new HandBatches(_samples, null, Fixtures.BatchSize, _rng);
        _one = 1.0.ToScalar();
        _lambda = 10.0.ToScalar();
        _decay = 0.999.ToScalar();
        _weight = (1 - 0.999).ToScalar();

        // One call each first: the optimisers' state and the data order are created lazily.
        RunLibrary();
        RunHandWritten();
        MarkBaseline();
    }

    protected double RunLibrary()
    {
        using var scope = NewDisposeScope();
        var summary = _trainer.Run();
        return summary.LossHistory[GanTrainingStep.CriticName][^1].Value;
    }

    protected double RunHandWritten()
    {
        using var scope = NewDisposeScope();
        double sum = 0;
        for (int k = 0; k < StepsPerCall; k++)
        {
            using var stepScope = NewDisposeScope();
            var (real, _) = _batches.Next();
            sum += CriticStep(real);
            if (WithGeneratorStep)
            {
                sum += GeneratorStep(real.shape[0]);
            }
        }

        return sum;
    }

    private double CriticStep(Tensor real)
    {
        using var scope = NewDisposeScope();
        long n = real.shape[0];
        Tensor fake;
        using (no_grad())
        {
            fake = _generator.Generate(randn([n, 64], generator: _rng)).detach();
        }

        var adversarial = _critic.Score(fake).mean() - _critic.Score(real).mean();
        var epsilon = rand([n, 1], generator: _rng);
        var interpolates = fake.lerp(real, epsilon).requires_grad_(true); // ε·real + (1 − ε)·fake
        var scores = _critic.Score(interpolates);
        var gradients = autograd.grad([scores], [interpolates], [ones_like(scores)], retain_graph: true, create_graph: true)[0];
        var penalty = gradients.norm(1).sub(_one).square().mean().mul(_lambda);
        var loss = adversarial + penalty;
        _criticAdam.zero_grad();
        loss.backward();
        _criticAdam.step();
        return loss.item<float>();
    }

    private double GeneratorStep(long n)
    {
        using var scope = NewDisposeScope();
        foreach (var p in _criticParameters)
        {
            p.requires_grad_(false);
        }

        var loss = _critic.Score(_generator.Generate(randn([n, 64], generator: _rng))).mean().neg();
        _generatorAdam.zero_grad();
        loss.backward();
        _generatorAdam.step();
        foreach (var p in _criticParameters)
        {
            p.requires_grad_(true);
        }

        using (no_grad())
        {
            foreach (var (a, s) in _emaPairs)
            {
                a.mul_(_decay).add_(s, _weight);
            }
        }

        return loss.item<float>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        CheckNoLeak();
        _trainer.Dispose();
        _step.Dispose();
        _data.Dispose();
        _libGenerator.Dispose();
        _libCritic.Dispose();
        _criticAdam.Dispose();
        _generatorAdam.Dispose();
        _batches.Dispose();
        _rng.Dispose();
        _generator.Dispose();
        _emaGenerator.Dispose();
        _critic.Dispose();
        _samples.Dispose();
        _one.Dispose();
        _lambda.Dispose();
        _decay.Dispose();
        _weight.Dispose();
    }
}

/// <summary>A WGAN-GP critic step (with the gradient penalty).</summary>
[BenchmarkCategory("Train", "WganGpCritic")]
public class WganGpCriticStep : GanStepBenchmarks
{
    private const int Steps = 8;

    protected override int StepsPerCall => Steps;

    protected override bool WithGeneratorStep => false;

    [Benchmark(Baseline = true, OperationsPerInvoke = Steps, Description = "hand-written loop")]
    public double HandWritten() => RunHandWritten();

    [Benchmark(OperationsPerInvoke = Steps, Description = "library (Trainer + GanTrainingStep)")]
    public double Library() => RunLibrary();
}

/// <summary>A WGAN-GP critic step followed by a generator step (with the generator EMA update).</summary>
[BenchmarkCategory("Train", "WganGpCriticAndGenerator")]
public class WganGpCriticAndGeneratorStep : GanStepBenchmarks
{
    private const int Steps = 8;

    protected override int StepsPerCall => Steps;

    protected override bool WithGeneratorStep => true;

    [Benchmark(Baseline = true, OperationsPerInvoke = Steps, Description = "hand-written loop")]
    public double HandWritten() => RunHandWritten();

    [Benchmark(OperationsPerInvoke = Steps, Description = "library (Trainer + GanTrainingStep)")]
    public double Library() => RunLibrary();
}
