using BenchmarkDotNet.Attributes;
using Generative.Data;
using Generative.Diffusion;
using Generative.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Benchmarks;

/// <summary>
/// One diffusion training step (batch 256, ε-objective, Adam 1e-3, EMA 0.999 with warm-up) through the library
/// (<see cref="DiffusionTrainingStep"/> run by <see cref="Trainer"/> with an <see cref="ExponentialMovingAverage"/>
/// callback, exactly as <see cref="DiffusionTrainer"/> wires them), against a hand-written TorchSharp loop doing the
/// same work with the same network type: batch, t, ε, q(x_t | x₀), forward, MSE, zero_grad, backward, Adam, EMA, loss
/// to a double. Each call runs <see cref="StepsPerCall"/> steps of one long run.
/// </summary>
public abstract class DiffusionStepBenchmarks : LeakGuard
{
    private IDenoiser _libraryNet = null!;
    private IDenoiser _handNet = null!;
    private TensorDataSource _data = null!;
    private DiffusionTrainingStep _step = null!;
    private ExponentialMovingAverage _ema = null!;
    private Trainer _trainer = null!;
    private Tensor _samples = null!;
    private Tensor? _labels;
    private Tensor _sqrtAlphaBar = null!;
    private Tensor _sqrtOneMinusAlphaBar = null!;
    private optim.Optimizer _adam = null!;
    private HandEma _handEma = null!;
    private Generator _generator = null!;
    private HandBatches _batches = null!;
    private Scalar _dropProbability = null!;
    private Scalar _nullClass = null!;
    private IDenoiser _stepNet = null!;
    private DiffusionTrainingStep _bareStep = null!;
    private ExponentialMovingAverage _bareEma = null!;
    private Generator _bareGenerator = null!;
    private HandBatches _bareBatches = null!;
    private long _bareSteps;

    protected abstract int StepsPerCall { get; }

    protected abstract IDenoiser CreateNetwork();

    protected abstract (Tensor Samples, Tensor? Labels) CreateData();

    [GlobalSetup]
    public void Setup()
    {
        (_samples, _labels) = CreateData();
        _data = new TensorDataSource(_samples, _labels);
        _libraryNet = CreateNetwork();
        _step = new DiffusionTrainingStep(_libraryNet, new NoiseSchedule(), new DiffusionTrainingOptions { LearningRate = 1e-3 });
        _ema = new ExponentialMovingAverage(_libraryNet.Module, 0.999, useWarmup: true);
        _trainer = Trainer.For(_step).WithData(_data).WithBatchSize(Fixtures.BatchSize).WithSteps(long.MaxValue).WithSeed(0)
            .WithCallback(_ema).WithCallback(new StopEvery(StepsPerCall)).Build();

        _handNet = CreateNetwork();
        _handNet.Module.train();
        _adam = optim.Adam(_handNet.Module.parameters(), 1e-3);
        _handEma = new HandEma(_handNet.Module, 0.999);
        _generator = new Generator(0);
        _batches = new HandBatches(_samples, _labels, Fixtures.BatchSize, _generator);
        (_sqrtAlphaBar, _sqrtOneMinusAlphaBar) = Fixtures.LinearSchedule();
        _dropProbability = 0.1.ToScalar();
        _nullClass = ((long)_handNet.ClassCount).ToScalar();

        _stepNet = CreateNetwork();
        _bareStep = new DiffusionTrainingStep(_stepNet, new NoiseSchedule(), new DiffusionTrainingOptions { LearningRate = 1e-3 });
        _bareEma = new ExponentialMovingAverage(_stepNet.Module, 0.999, useWarmup: true);
        _bareGenerator = new Generator(0);
        _bareBatches = new HandBatches(_samples, _labels, Fixtures.BatchSize, _bareGenerator);
        _stepNet.Module.train();
        RunStepOnly();

        // One call each first: the optimisers' state, the schedule's coefficients and the data order are created lazily.
        RunLibrary();
        RunHandWritten();
        MarkBaseline();
    }

    protected double RunLibrary()
    {
        using var scope = NewDisposeScope();
        var summary = _trainer.Run();
        return summary.LossHistory["loss"][^1].Value;
    }

    protected double RunHandWritten()
    {
        using var scope = NewDisposeScope();
        double sum = 0;
        for (int k = 0; k < StepsPerCall; k++)
        {
            using var stepScope = NewDisposeScope();
            var (x0, y) = _batches.Next();
            long n = x0.shape[0];
            var t = randint(0, 1000, [n], ScalarType.Int64, generator: _generator);
            var noise = randn(x0.shape, generator: _generator);
            var shape = new long[x0.dim()];
            Array.Fill(shape, 1L);
            shape[0] = n;
            var xt = (_sqrtAlphaBar.index_select(0, t).view(shape) * x0) + (_sqrtOneMinusAlphaBar.index_select(0, t).view(shape) * noise);
            Tensor? conditioning = null;
            if (y is not null)
            {
                var drop = rand([n], generator: _generator).lt(_dropProbability);
                conditioning = where(drop, full_like(y, _nullClass), y);
            }

            var prediction = _handNet.Predict(xt, t, conditioning);
            var loss = nn.functional.mse_loss(prediction, noise);
            _adam.zero_grad();
            loss.backward();
            _adam.step();
            _handEma.Update();
            sum += loss.item<float>();
        }

        return sum;
    }

    /// <summary>The library's step and EMA driven by the hand-written loop's batches and a plain <see cref="TrainingStepContext"/>
    /// (no trainer): separates the step's cost from the trainer's.</summary>
    protected double RunStepOnly()
    {
        using var scope = NewDisposeScope();
        double sum = 0;
        for (int k = 0; k < StepsPerCall; k++)
        {
            using var stepScope = NewDisposeScope();
            var (x0, y) = _bareBatches.Next();
            var losses = _bareStep.Step(new TrainingBatch(x0, y), new TrainingStepContext(_bareSteps++, 0, _bareGenerator, _bareStep.Optimizers));
            _bareEma.Update();
            sum += losses["loss"];
        }

        return sum;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        CheckNoLeak();
        _bareEma.Dispose();
        _bareStep.Dispose();
        _bareBatches.Dispose();
        _bareGenerator.Dispose();
        _stepNet.Module.Dispose();
        _trainer.Dispose();
        _ema.Dispose();
        _step.Dispose();
        _data.Dispose();
        _libraryNet.Module.Dispose();
        _adam.Dispose();
        _handEma.Dispose();
        _batches.Dispose();
        _generator.Dispose();
        _handNet.Module.Dispose();
        _samples.Dispose();
        _labels?.Dispose();
        _sqrtAlphaBar.Dispose();
        _sqrtOneMinusAlphaBar.Dispose();
        _dropProbability.Dispose();
        _nullClass.Dispose();
    }
}

/// <summary>The 2-D diffusion MLP (width 96, depth 3): one training step.</summary>
[BenchmarkCategory("Train", "DiffusionMlp2D")]
public class DiffusionMlpStep : DiffusionStepBenchmarks
{
    private const int Steps = 16;

    protected override int StepsPerCall => Steps;

    [Benchmark(Baseline = true, OperationsPerInvoke = Steps, Description = "hand-written loop")]
    public double HandWritten() => RunHandWritten();

    [Benchmark(OperationsPerInvoke = Steps, Description = "library (Trainer + DiffusionTrainingStep + EMA)")]
    public double Library() => RunLibrary();

    [Benchmark(OperationsPerInvoke = Steps, Description = "library step + EMA, no Trainer")]
    public double StepOnly() => RunStepOnly();

    protected override IDenoiser CreateNetwork() => Fixtures.Mlp2D();

    protected override (Tensor Samples, Tensor? Labels) CreateData() => (Fixtures.Points2D(), null);
}

/// <summary>The comparison's 8×8 class-conditional UNet (digits defaults, class dropout 0.1): one training step.</summary>
[BenchmarkCategory("Train", "DiffusionUNet8")]
public class DiffusionUNetStep : DiffusionStepBenchmarks
{
    private const int Steps = 2;

    protected override int StepsPerCall => Steps;

    [Benchmark(Baseline = true, OperationsPerInvoke = Steps, Description = "hand-written loop")]
    public double HandWritten() => RunHandWritten();

    [Benchmark(OperationsPerInvoke = Steps, Description = "library (Trainer + DiffusionTrainingStep + EMA)")]
    public double Library() => RunLibrary();

    [Benchmark(OperationsPerInvoke = Steps, Description = "library step + EMA, no Trainer")]
    public double StepOnly() => RunStepOnly();

    protected override IDenoiser CreateNetwork() => Fixtures.UNet8();

    protected override (Tensor Samples, Tensor? Labels) CreateData() => Fixtures.Images8();
}
