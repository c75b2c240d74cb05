// Samples/second of one trained 2-D diffusion model (MlpDenoiser defaults: 3 blocks × 256, 128-d time embedding) with
// DDPM-1000, DDIM-50 and DDIM-10. Trains on a 4-mode Gaussian mixture first (seeded), then times Sample() (one warm-up
// call, then the median of the timed calls; args: samples, training steps, timed calls, model cache directory). Single-threaded libtorch: run with OMP_NUM_THREADS=1.
using System.Diagnostics;
using Generative;
using Generative.Diffusion;
using Generative.Training;
using TorchSharp;
using static TorchSharp.torch;

int count = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1000;
int trainSteps = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1500;
int reps = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3;
string cache = args.Length > 3 ? args[3] : Path.Combine(Path.GetTempPath(), "generative-diffusion-benchmark-model");
torch.set_num_threads(1);
random.manual_seed(0);
var modes = tensor(new float[,] { { 2, 2 }, { -2, 2 }, { -2, -2 }, { 2, -2 } });
DiffusionModel model;
if (Directory.Exists(cache))
{
    model = DiffusionModel.Load(cache);
    model = new DiffusionModel(model.Denoiser, model.Schedule, model.Options with { BatchSize = count });
    Console.WriteLine($"loaded the trained model from {cache}");
}
else
{
var schedule = new NoiseSchedule();
var net = new MlpDenoiser(2);
using (var step = new DiffusionTrainingStep(net, schedule, new DiffusionTrainingOptions { LearningRate = 1e-3 }))
using (var g = new Generator(1))
{
    var clock = Stopwatch.StartNew();
    for (int i = 0; i < trainSteps; i++)
    {
        using var scope = NewDisposeScope();
        var x = modes.index_select(0, randint(0, 4, [256], generator: g)) + (randn([256, 2], generator: g) * 0.1f);
        step.Step(new TrainingBatch(x), new TrainingStepContext(i, 0, g, step.Optimizers));
    }

    Console.WriteLine($"trained {trainSteps} steps (batch 256) in {clock.Elapsed.TotalSeconds:F1} s");
}

model = new DiffusionModel(net, schedule, new DiffusionModelOptions { BatchSize = count });
model.Save(cache);
}

Console.WriteLine($"count={count}, batch={count}, threads={torch.get_num_threads()}, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
foreach (var (sampler, steps) in new[] { ("ddpm", 1000), ("ddim", 50), ("ddim", 10) })
{
    var options = new SamplingOptions { Sampler = sampler, Steps = steps };
    using (var warm = model.Sample(count, new Generator(0), options))
    {
    }

    var times = new List<double>();
    double near = 0;
    for (int rep = 0; rep < reps; rep++)
    {
        var clock = Stopwatch.StartNew();
        using var samples = model.Sample(count, new Generator((ulong)rep + 1), options);
        times.Add(clock.Elapsed.TotalSeconds);
        using var d = cdist(samples, modes).min(1).values;
        near = (d < 0.5f).to_type(ScalarType.Float64).mean().item<double>();
    }

    times.Sort();
    double median = times[times.Count / 2];
    Console.WriteLine($"{sampler.ToUpperInvariant()}-{steps}: {count / median,10:F1} samples/s  (median {median:F3} s per {count} over {reps}; min {times[0]:F3} s; {near:P1} within 0.5 of a mode)");
}
model.Dispose();
