using System.Diagnostics;
using System.Globalization;
using Generative.Data;
using Generative.Diffusion;
using Generative.Gan;
using Generative.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.Benchmarks;

/// <summary>
/// The library against a raw TorchSharp loop that drives the same module classes built from the same seed (identical
/// initial weights) — or, for sampling, the very same module objects — alternating one library call with one raw call in
/// one process, and printing the medians of each and the ratio raw/library of their throughputs (≥ 0.97 is the goal).
/// Before timing, each pair is checked to be the same computation: the first training losses of both loops must be
/// bit-identical, and so must the sampled outputs; a mismatch stops the benchmark.
/// </summary>
/// <remarks>
/// Rows: the comparison's diffusion training (MLP 3 × 96, batch 256, Adam 1e-3, EMA 0.999 with warm-up; the library
/// is <see cref="Trainer"/> + <see cref="DiffusionTrainingStep"/> + <see cref="ExponentialMovingAverage"/>, as
/// <see cref="DiffusionTrainer"/> wires them), WGAN-GP training (MLPs 3 × 128, n_critic 5, gradient penalty, generator
/// EMA), DDIM-50 and DDPM-1000 sampling of 512 per call, and GAN sampling of 10,000 in batches of 512.
/// Usage: <c>raw [rounds] [name filter]</c>.
/// </remarks>
internal static class LibraryVsRaw
{
    private const int Batch = 256;

    public static int Run(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 15;
        string filter = args.Length > 1 ? args[1] : string.Empty;
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "unknown CPU";
        Console.WriteLine($"library vs raw TorchSharp, {rounds} interleaved rounds, {cpu}, torch threads {get_num_threads()}, policy {NativeMemoryPolicy.Current}");
        var medians = new Dictionary<string, (double Raw, double Library)>(StringComparer.Ordinal);
        var rows = new (string Name, int Calls, Func<IPair> Create)[]
        {
            ("diffusion training", 16, () => new DiffusionTraining()),
            ("wgan-gp training", 10, () => new WganGpTraining()),
            ("ddim-50 sampling", 1, () => new DiffusionSampling("ddim", 50)),
            ("ddpm-1000 sampling", 1, () => new DiffusionSampling("ddpm", 1000)),
            ("gan sampling", 1, () => new GanSampling()),
        };
        foreach (var (name, calls, create) in rows)
        {
            if (!name.Contains(filter, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            using var pair = create();
            using (var scope = NewDisposeScope())
            {
                pair.Verify();
            }

            var raw = new List<double>();
            var library = new List<double>();
            if (pair is ITrainingPair training)
            {
                training.Interleave(rounds + 2, calls, library, raw);
                library.RemoveRange(0, 2);
                raw.RemoveRange(0, 2);
            }

            for (int r = pair is ITrainingPair ? rounds : -2; r < rounds; r++)
            {
                // Alternate which goes first; the first two rounds warm up and are not kept.
                if (r % 2 == 0)
                {
                    Time(pair.Raw, raw, r >= 0, calls);
                    Time(pair.Library, library, r >= 0, calls);
                }
                else
                {
                    Time(pair.Library, library, r >= 0, calls);
                    Time(pair.Raw, raw, r >= 0, calls);
                }
            }

            double rawMedian = Median(raw);
            double libraryMedian = Median(library);

            // Each round's raw and library blocks ran back to back, so their ratio cancels the machine's slow drift (a
            // spell starting or ending) that the two separate medians keep.
            double paired = Median([.. raw.Zip(library, (r, l) => r / l)]);
            medians[name] = (rawMedian, libraryMedian);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{name,-20} {pair.Unit}: raw {rawMedian,9:F3} ms [{raw.Min(),9:F3}–{raw.Max(),9:F3}] | library {libraryMedian,9:F3} ms [{library.Min(),9:F3}–{library.Max(),9:F3}] | raw/library throughput {rawMedian / libraryMedian:F3} (median of the rounds' paired ratios {paired:F3})"));
        }

        if (medians.TryGetValue("ddim-50 sampling", out var ddim) && medians.TryGetValue("ddpm-1000 sampling", out var ddpm))
        {
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"ddim-50 / ddpm-1000 per sample: library {ddpm.Library / ddim.Library:F2}×, raw {ddpm.Raw / ddim.Raw:F2}× (ideal 20×)"));
        }

        Console.WriteLine($"load average after: {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        return 0;
    }

    private static void Time(Action call, List<double> times, bool keep, int calls)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < calls; i++)
        {
            using var scope = NewDisposeScope();
            call();
        }

        if (keep)
        {
            times.Add(clock.Elapsed.TotalMilliseconds / calls);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static void Same(string what, double library, double raw)
    {
        if (BitConverter.DoubleToInt64Bits(library) != BitConverter.DoubleToInt64Bits(raw))
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{what}: library {library:R} but raw {raw:R}; the raw loop is not the same computation."));
        }
    }

    private static void SameTensor(string what, Tensor library, Tensor raw)
    {
        if (!library.shape.SequenceEqual(raw.shape) || !library.eq(raw).all().item<bool>())
        {
            using var diff = (library - raw).abs().max();
            throw new InvalidOperationException($"{what}: outputs differ (largest difference {diff.item<float>()}); the raw loop is not the same computation.");
        }
    }

    /// <summary>A training pair: the raw step runs inside the library's one long run, right after each library step
    /// (a callback), so library and raw steps alternate one by one and the library's per-run costs are not counted.</summary>
    private interface ITrainingPair : IPair
    {
        void Interleave(int blocks, int stepsPerBlock, List<double> library, List<double> raw);
    }

    /// <summary>Runs the raw step after every library step and times both: a library step is the time from the end of
    /// the previous raw step to this callback (its trainer bookkeeping and earlier callbacks included).</summary>
    private sealed class AlternateWithRaw(Action raw, int blocks, int stepsPerBlock, List<double> library, List<double> rawTimes) : TrainingCallback
    {
        private long _mark = Stopwatch.GetTimestamp();
        private double _library;
        private double _raw;
        private int _steps;

        public void Restart() => _mark = Stopwatch.GetTimestamp();

        public override void OnStepEnd(TrainingCallbackContext context)
        {
            long end = Stopwatch.GetTimestamp();
            _library += Stopwatch.GetElapsedTime(_mark, end).TotalMilliseconds;
            using (var scope = NewDisposeScope())
            {
                raw();
            }

            _mark = Stopwatch.GetTimestamp();
            _raw += Stopwatch.GetElapsedTime(end, _mark).TotalMilliseconds;
            if (++_steps % stepsPerBlock == 0)
            {
                library.Add(_library / stepsPerBlock);
                rawTimes.Add(_raw / stepsPerBlock);
                _library = 0;
                _raw = 0;
                if (library.Count == blocks)
                {
                    context.RequestStop("benchmark done");
                }
            }

            _mark = Stopwatch.GetTimestamp();
        }
    }

    private interface IPair : IDisposable
    {
        string Unit { get; }

        void Verify();

        void Library();

        void Raw();
    }

    /// <summary>Diffusion training: the library's trainer, step and EMA against the same loop written with TorchSharp calls.</summary>
    private sealed class DiffusionTraining : ITrainingPair
    {
        private readonly Tensor _data = Fixtures.Points2D();
        private readonly MlpDenoiser _libraryNet = Fixtures.Mlp2D();
        private readonly MlpDenoiser _rawNet = Fixtures.Mlp2D();
        private readonly TensorDataSource _source;
        private readonly NoiseSchedule _schedule = new();
        private readonly DiffusionTrainingStep _step;
        private readonly ExponentialMovingAverage _ema;
        private readonly Trainer _trainer;
        private readonly optim.Optimizer _adam;
        private readonly Generator _generator = new(0);
        private readonly Tensor _sqrtAlphaBar;
        private readonly Tensor _sqrtOneMinusAlphaBar;
        private readonly List<(Tensor Shadow, Tensor Source)> _shadows = [];
        private readonly Tensor[] _weights = new Tensor[2];
        private Tensor? _permutation;
        private long _position;
        private long _updates;
        private double _lastLoss;

        public DiffusionTraining()
        {
            _source = new TensorDataSource(_data);
            _step = new DiffusionTrainingStep(_libraryNet, _schedule, new DiffusionTrainingOptions { LearningRate = 1e-3 });
            _ema = new ExponentialMovingAverage(_libraryNet, 0.999, useWarmup: true);
            _trainer = Trainer.For(_step).WithData(_source).WithBatchSize(Batch).WithSteps(long.MaxValue).WithSeed(0)
                .WithCallback(_ema).WithCallback(new StopEvery(1)).Build();
            _rawNet.train();
            _adam = optim.Adam(_rawNet.parameters(), 1e-3);
            using (var scope = NewDisposeScope())
            {
                var ac = _schedule.AlphasCumprod.to_type(ScalarType.Float32);
                _sqrtAlphaBar = ac.sqrt().DetachFromDisposeScope();
                _sqrtOneMinusAlphaBar = (1.0f - ac).sqrt().DetachFromDisposeScope();
            }

            using (no_grad())
            {
                foreach (var p in _rawNet.parameters())
                {
                    _shadows.Add((p.detach().clone().DetachFromDisposeScope(), p));
                }
            }
        }

        public string Unit => "ms/step";

        public void Verify()
        {
            for (int i = 0; i < 3; i++)
            {
                double library = _trainer.Run().LossHistory["loss"][^1].Value;
                Raw();
                Same($"diffusion training loss {i}", library, _lastLoss);
            }

            foreach (var (name, shadow) in _ema.ShadowParameters)
            {
                var raw = _shadows[_rawNet.named_parameters().Select(p => p.name).ToList().IndexOf(name)].Shadow;
                SameTensor($"EMA weight {name}", shadow, raw);
            }
        }

        public void Library() => _trainer.Run();

        public void Interleave(int blocks, int stepsPerBlock, List<double> library, List<double> raw)
        {
            var alternate = new AlternateWithRaw(Raw, blocks, stepsPerBlock, library, raw);
            using var trainer = Trainer.For(_step).WithData(_source).WithBatchSize(Batch).WithSteps(long.MaxValue).WithSeed(1)
                .WithCallback(_ema).WithCallback(alternate).Build();
            alternate.Restart();
            trainer.Run();
        }

        public void Raw()
        {
            if (_permutation is null || _position + Batch > _data.shape[0])
            {
                _permutation?.Dispose();
                _permutation = randperm(_data.shape[0], dtype: ScalarType.Int64, generator: _generator).DetachFromDisposeScope();
                _position = 0;
            }

            var x0 = _data.index_select(0, _permutation.narrow(0, _position, Batch));
            _position += Batch;
            var t = randint(0, 1000, [Batch], ScalarType.Int64, generator: _generator);
            var noise = randn([Batch, 2], ScalarType.Float32, generator: _generator);
            var xt = (_sqrtAlphaBar.index_select(0, t).view(Batch, 1) * x0) + (_sqrtOneMinusAlphaBar.index_select(0, t).view(Batch, 1) * noise);
            var loss = (_rawNet.Predict(xt, t, null) - noise).square().mean();
            _adam.zero_grad();
            loss.backward();
            _adam.step();
            double decay = Math.Min(0.999, (1.0 + _updates) / (10.0 + _updates));
            using (no_grad())
            {
                // The weight tensor is made again only while the warm-up changes it.
                if (_weights[0] is null || decay < 0.999)
                {
                    _weights[0]?.Dispose();
                    _weights[0] = tensor(1.0 - decay, ScalarType.Float32).DetachFromDisposeScope();
                }

                foreach (var (shadow, source) in _shadows)
                {
                    shadow.lerp_(source, _weights[0]);
                }
            }

            _updates++;
            _lastLoss = loss.item<float>();
        }

        public void Dispose()
        {
            _trainer.Dispose();
            _ema.Dispose();
            _step.Dispose();
            _source.Dispose();
            _adam.Dispose();
            _generator.Dispose();
            _permutation?.Dispose();
            _weights[0]?.Dispose();
            foreach (var (shadow, _) in _shadows)
            {
                shadow.Dispose();
            }

            _sqrtAlphaBar.Dispose();
            _sqrtOneMinusAlphaBar.Dispose();
            _schedule.Dispose();
            _libraryNet.Dispose();
            _rawNet.Dispose();
            _data.Dispose();
        }
    }

    /// <summary>WGAN-GP training as the comparison's wgan-gp contender: the library's trainer and GAN step against raw calls.</summary>
    private sealed class WganGpTraining : ITrainingPair
    {
        private const int CriticSteps = 5;
        private readonly Tensor _data = Fixtures.Points2D();
        private readonly TensorDataSource _source;
        private readonly MlpGenerator _libraryGenerator = Generator128(1);
        private readonly MlpCritic _libraryCritic = Critic128(2);
        private readonly MlpGenerator _rawGenerator = Generator128(1);
        private readonly MlpCritic _rawCritic = Critic128(2);
        private readonly MlpGenerator _rawAverage = Generator128(1);
        private readonly GanTrainingStep _step;
        private readonly Trainer _trainer;
        private readonly Parameter[] _criticParameters;
        private readonly optim.Optimizer _criticAdam;
        private readonly optim.Optimizer _generatorAdam;
        private readonly List<(Tensor Average, Tensor Source)> _averagePairs;
        private readonly Generator _generator = new(0);
        private readonly Scalar _one = 1.ToScalar();
        private readonly Scalar _penaltyWeight = 0.1.ToScalar();
        private Tensor? _averageWeight;
        private double _averageWeightValue = double.NaN;
        private Tensor? _permutation;
        private long _position;
        private long _steps;
        private double _lastCriticLoss;

        public WganGpTraining()
        {
            _source = new TensorDataSource(_data);
            var options = GanTrainingOptions.WganGp() with
            {
                Regularizer = new GradientPenalty(0.1),
                CriticLearningRate = 1e-3,
                GeneratorLearningRate = 1e-3,
                EmaDecay = 0.999,
            };
            _step = new GanTrainingStep(_libraryGenerator, _libraryCritic, options);
            _trainer = Trainer.For(_step).WithData(_source).WithBatchSize(Batch).WithSteps(long.MaxValue).WithSeed(0)
                .WithCallback(new StopEvery(1)).Build();
            _rawGenerator.train();
            _rawCritic.train();
            _criticParameters = [.. _rawCritic.parameters()];
            _criticAdam = optim.Adam(_criticParameters, 1e-3, 0.5, 0.9);
            _generatorAdam = optim.Adam(_rawGenerator.parameters(), 1e-3, 0.5, 0.9);
            _averagePairs = [.. _rawAverage.parameters().Zip(_rawGenerator.parameters(), (a, s) => ((Tensor)a, (Tensor)s))];
            foreach (var (a, _) in _averagePairs)
            {
                a.requires_grad_(false);
            }
        }

        public string Unit => "ms/step";

        public void Verify()
        {
            for (int i = 0; i < 2 * CriticSteps; i++)
            {
                double library = _trainer.Run().LossHistory[GanTrainingStep.CriticName][^1].Value;
                Raw();
                Same($"critic loss {i}", library, _lastCriticLoss);
            }

            var average = _step.EmaGenerator!.Module.parameters().ToList();
            var raw = _rawAverage.parameters().ToList();
            for (int i = 0; i < average.Count; i++)
            {
                SameTensor($"generator average {i}", average[i], raw[i]);
            }
        }

        public void Library() => _trainer.Run();

        public void Interleave(int blocks, int stepsPerBlock, List<double> library, List<double> raw)
        {
            // A fresh trainer resumes nothing, so its step count starts at 0 as the raw loop's does after Verify's 10 steps
            // (both then have the generator step on every fifth step).
            var alternate = new AlternateWithRaw(Raw, blocks, stepsPerBlock, library, raw);
            using var trainer = Trainer.For(_step).WithData(_source).WithBatchSize(Batch).WithSteps(long.MaxValue).WithSeed(1)
                .WithCallback(alternate).Build();
            alternate.Restart();
            trainer.Run();
        }

        public void Raw()
        {
            if (_permutation is null || _position + Batch > _data.shape[0])
            {
                _permutation?.Dispose();
                _permutation = randperm(_data.shape[0], dtype: ScalarType.Int64, generator: _generator).DetachFromDisposeScope();
                _position = 0;
            }

            var real = _data.index_select(0, _permutation.narrow(0, _position, Batch));
            _position += Batch;
            Tensor fake;
            using (no_grad())
            {
                fake = _rawGenerator.Generate(randn([Batch, 2], ScalarType.Float32, generator: _generator), null).detach();
            }

            var realScores = _rawCritic.Score(real, null);
            var fakeScores = _rawCritic.Score(fake, null);
            var adversarial = fakeScores.mean() - realScores.mean();
            var epsilon = rand([Batch, 1], ScalarType.Float32, generator: _generator);
            var interpolates = ((epsilon * real.detach()) + (epsilon.negative().add(_one) * fake.detach())).requires_grad_(true);
            var scores = _rawCritic.Score(interpolates, null);
            var gradients = autograd.grad([scores], [interpolates], [ones_like(scores)], retain_graph: true, create_graph: true)[0];
            var penalty = gradients.flatten(1).norm(1, false, 2f).sub(_one).square().mean().mul(_penaltyWeight);
            var loss = adversarial + penalty;
            _criticAdam.zero_grad();
            loss.backward();
            _criticAdam.step();
            _lastCriticLoss = loss.item<float>();
            if ((_steps + 1) % CriticSteps == 0)
            {
                foreach (var p in _criticParameters)
                {
                    p.requires_grad_(false);
                }

                var generatorLoss = _rawCritic.Score(_rawGenerator.Generate(randn([Batch, 2], ScalarType.Float32, generator: _generator), null), null).mean().neg();
                _generatorAdam.zero_grad();
                generatorLoss.backward();
                _generatorAdam.step();
                foreach (var p in _criticParameters)
                {
                    p.requires_grad_(true);
                }

                long update = ((_steps + 1) / CriticSteps) - 1;
                double decay = Math.Min(0.999, (1.0 + update) / (10.0 + update));
                using (no_grad())
                {
                    // The same fused update as the diffusion loop: one lerp_ per parameter, the weight tensor made
                    // again only while the warm-up changes it.
                    if (1 - decay != _averageWeightValue)
                    {
                        _averageWeight?.Dispose();
                        _averageWeight = tensor(1 - decay, ScalarType.Float32).DetachFromDisposeScope();
                        _averageWeightValue = 1 - decay;
                    }

                    foreach (var (a, s) in _averagePairs)
                    {
                        a.lerp_(s, _averageWeight!);
                    }
                }

                _ = generatorLoss.item<float>();
            }

            _steps++;
        }

        public void Dispose()
        {
            _trainer.Dispose();
            _step.Dispose();
            _source.Dispose();
            _criticAdam.Dispose();
            _generatorAdam.Dispose();
            _generator.Dispose();
            _permutation?.Dispose();
            _one.Dispose();
            _penaltyWeight.Dispose();
            _averageWeight?.Dispose();
            _libraryGenerator.Dispose();
            _libraryCritic.Dispose();
            _rawGenerator.Dispose();
            _rawCritic.Dispose();
            _rawAverage.Dispose();
            _data.Dispose();
        }

        private static MlpGenerator Generator128(ulong seed)
        {
            using var init = new Generator(seed);
            return new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), HiddenWidth = 128, LatentDimension = 2 }, init);
        }

        private static MlpCritic Critic128(ulong seed)
        {
            using var init = new Generator(seed);
            return new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2), HiddenWidth = 128 }, init);
        }
    }

    /// <summary>DDIM (η = 0) or DDPM sampling of 512 samples per call, by the model and by a raw loop over the same network object.</summary>
    private sealed class DiffusionSampling : IPair
    {
        private const int Count = 512;
        private readonly MlpDenoiser _network = Fixtures.Mlp2D();
        private readonly NoiseSchedule _schedule = new();
        private readonly DiffusionModel _model;
        private readonly SamplingOptions _options;
        private readonly long[] _timesteps;
        private readonly float[] _alphaBar;
        private readonly bool _ddpm;
        private readonly Generator _libraryGenerator = new(5);
        private readonly Generator _rawGenerator = new(5);

        public DiffusionSampling(string sampler, int steps)
        {
            _model = new DiffusionModel(_network, _schedule, new DiffusionModelOptions { UseEma = false });
            _options = new SamplingOptions { Sampler = sampler, Steps = steps, Eta = 0, BatchSize = Count };
            _timesteps = [.. _model.CreateSampler(_options).Timesteps];
            _alphaBar = [.. Enumerable.Range(0, _schedule.TrainTimesteps).Select(t => (float)_schedule.AlphaCumprodAt(t))];
            _ddpm = sampler == "ddpm";
        }

        public string Unit => "ms/call";

        public void Verify()
        {
            using var library = _model.Sample(Count, _libraryGenerator, _options);
            using var raw = RawSample();
            SameTensor($"{(_ddpm ? "ddpm" : "ddim")} samples", library, raw);
        }

        public void Library() => _model.Sample(Count, _libraryGenerator, _options).Dispose();

        public void Raw() => RawSample().Dispose();

        public void Dispose()
        {
            _model.Dispose();
            _libraryGenerator.Dispose();
            _rawGenerator.Dispose();
        }

        // diffusers' step arithmetic in float32, written out (ε-prediction, no clipping, DDIM with ᾱ_final = 1).
        private Tensor RawSample()
        {
            Tensor result;
            using (inference_mode())
            using (var scope = NewDisposeScope())
            {
                var x = randn([Count, 2], ScalarType.Float32, generator: _rawGenerator);
                for (int i = 0; i < _timesteps.Length; i++)
                {
                    using var stepScope = NewDisposeScope();
                    long t = _timesteps[i];
                    long prev = i + 1 < _timesteps.Length ? _timesteps[i + 1] : -1;
                    float alphaProd = _alphaBar[t];
                    float alphaProdPrev = prev >= 0 ? _alphaBar[prev] : 1f;
                    float betaProd = 1 - alphaProd;
                    using var tValue = t.ToScalar();
                    var eps = _network.Predict(x, full([Count], tValue, ScalarType.Int64), null);
                    using var sb = MathF.Sqrt(betaProd).ToScalar();
                    using var sa = MathF.Sqrt(alphaProd).ToScalar();
                    var x0 = x.sub(eps.mul(sb)).div(sa);
                    Tensor next;
                    if (_ddpm)
                    {
                        float currentAlpha = alphaProd / alphaProdPrev;
                        float currentBeta = 1 - currentAlpha;
                        using var originalCoeff = (MathF.Sqrt(alphaProdPrev) * currentBeta / betaProd).ToScalar();
                        using var sampleCoeff = (MathF.Sqrt(currentAlpha) * (1 - alphaProdPrev) / betaProd).ToScalar();
                        next = x0.mul(originalCoeff).add(x.mul(sampleCoeff));
                        if (t > 0)
                        {
                            var noise = randn([Count, 2], ScalarType.Float32, generator: _rawGenerator);
                            using var std = MathF.Sqrt(MathF.Max((1 - alphaProdPrev) / (1 - alphaProd) * currentBeta, 1e-20f)).ToScalar();
                            next = next.add(noise.mul(std));
                        }
                    }
                    else
                    {
                        using var directionCoeff = MathF.Sqrt(1 - alphaProdPrev).ToScalar();
                        using var originalCoeff = MathF.Sqrt(alphaProdPrev).ToScalar();
                        next = x0.mul(originalCoeff).add(eps.mul(directionCoeff));
                    }

                    x.Dispose();
                    x = next.MoveToOuterDisposeScope();
                }

                result = x.clone().MoveToOuterDisposeScope();
            }

            var copy = result.clone();
            result.Dispose();
            return copy;
        }
    }

    /// <summary>GAN sampling of 10,000 in batches of 512: the model against raw generator calls on the same generator object.</summary>
    private sealed class GanSampling : IPair
    {
        private const int Count = 10_000;
        private const int BatchSize = 512;
        private readonly MlpGenerator _network = Fixtures.Generator2D();
        private readonly GanModel _model;
        private readonly Generator _libraryGenerator = new(5);
        private readonly Generator _rawGenerator = new(5);
        private readonly SamplingOptions _options = new() { BatchSize = BatchSize };

        public GanSampling() => _model = new GanModel(_network, ownsGenerator: false);

        public string Unit => "ms/call";

        public void Verify()
        {
            using var library = _model.Sample(Count, _libraryGenerator, _options);
            using var raw = RawSample();
            SameTensor("gan samples", library, raw);
        }

        public void Library() => _model.Sample(Count, _libraryGenerator, _options).Dispose();

        public void Raw() => RawSample().Dispose();

        public void Dispose()
        {
            _model.Dispose();
            _network.Dispose();
            _libraryGenerator.Dispose();
            _rawGenerator.Dispose();
        }

        private Tensor RawSample()
        {
            using var scope = NewDisposeScope();
            var batches = new List<Tensor>();
            for (int done = 0; done < Count; done += BatchSize)
            {
                int b = Math.Min(BatchSize, Count - done);
                using (inference_mode())
                {
                    var z = randn([b, _network.LatentShape[0]], ScalarType.Float32, generator: _rawGenerator);
                    var x = _network.Generate(z, null);
                    batches.Add(x.clone());
                }
            }

            return cat(batches, 0).MoveToOuterDisposeScope();
        }
    }
}
