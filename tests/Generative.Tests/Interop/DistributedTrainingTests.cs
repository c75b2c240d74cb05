using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Generative.Checkpoints;
using Generative.Data;
using Generative.Data.BuiltIn;
using Generative.Diffusion;
using Generative.Evaluation;
using Generative.Gan;
using Generative.TestSupport;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Generative.Tests.Interop;

/// <summary>
/// Past one machine (docs/scaling.md §3): a model trained briefly here continues on PyTorch's distributed engine —
/// <c>torchrun --nproc_per_node=2 python/train_ddp.py</c>, DistributedDataParallel over gloo on the CPU — and comes back:
/// the library loads the result and its samples are better by the library's own metrics (mode coverage of the 8-Gaussian
/// ring and Fréchet distance to the data). Skipped where /usr/bin/python3 has no torch.
/// </summary>
public sealed class DistributedTrainingTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gen-ddp-").FullName;

    [SkippableFact]
    public void A_diffusion_model_trains_on_two_gloo_processes_and_comes_back_better()
    {
        Skip.IfNot(PyTorchPackage.HasTorchrun, PyTorchPackage.SkipReason);
        using var ring = Mixtures.Ring(4096, new Generator(0));
        string data = Path.Combine(_dir, "ring.safetensors");
        SafeTensors.Save(data, new Dictionary<string, Tensor> { ["samples"] = ring.Samples });   // original units

        // (a) A short start here: 80 steps leave the ring blurred.
        var standardization = DataStandardization.Fit(ring.Samples);
        using var standardized = standardization.Standardize(ring.Samples);
        using var source = new TensorDataSource(standardized, standardization: standardization);
        var (start, _) = DiffusionTrainer.Train(
            new MlpDenoiser(2, new MlpDenoiserOptions { Width = 64, Depth = 2 }, new Generator(1)), source,
            new DiffusionTrainerOptions { Steps = 80, BatchSize = 128, EmaDecay = 0.99 });
        string before = Path.Combine(_dir, "before"), after = Path.Combine(_dir, "after");
        double[] metricBefore;
        using (start)
        {
            start.Save(before);
            metricBefore = Metrics(start, ring);
        }

        // (b) 300 steps per process, two processes, gloo; the script standardises the data with the checkpoint's statistics.
        var (figures, log) = Torchrun(2, "--from", before, "--to", after, "--data", data, "--steps", "300", "--batch-size", "128", "--seed", "3");

        // (c) Back here: an ordinary model directory.
        var clock = Stopwatch.StartNew();
        using var back = DiffusionModel.Load(after);
        double loadSeconds = clock.Elapsed.TotalSeconds;
        back.EmaDenoiser.Should().NotBeNull("the script writes the EMA network, which sampling uses");
        back.Standardization!.Mean.Should().Equal(standardization.Mean);
        double[] metricAfter = Metrics(back, ring);

        output.WriteLine(log);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gloo x2: {figures.GetProperty("steps_per_second_per_process").GetDouble():F1} steps/s per process, loss {figures.GetProperty("loss_first").GetDouble():F4} -> {figures.GetProperty("loss_last").GetDouble():F4}, {figures.GetProperty("seconds").GetDouble():F1} s"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ring high-quality fraction {metricBefore[0]:F3} -> {metricAfter[0]:F3}, modes {metricBefore[1]} -> {metricAfter[1]}, FD {metricBefore[2]:F4} -> {metricAfter[2]:F4}; load {loadSeconds * 1000:F0} ms"));

        figures.GetProperty("replicas_identical").GetBoolean().Should().BeTrue("DDP keeps the two replicas' weights equal");
        figures.GetProperty("loss_last").GetDouble().Should().BeLessThan(figures.GetProperty("loss_first").GetDouble());
        metricAfter[0].Should().BeGreaterThan(metricBefore[0] + 0.1, "more samples land within 10σ of a ring mode");
        metricAfter[1].Should().Be(8, "every mode is covered");
        metricAfter[2].Should().BeLessThan(metricBefore[2] * 0.8, "the samples are closer to the data");
    }

    [SkippableFact]
    public void A_gan_trains_on_two_gloo_processes_and_loads_here()
    {
        Skip.IfNot(PyTorchPackage.HasTorchrun, PyTorchPackage.SkipReason);
        using var ring = Mixtures.Ring(2048, new Generator(0));
        string data = Path.Combine(_dir, "ring.safetensors");
        SafeTensors.Save(data, new Dictionary<string, Tensor> { ["samples"] = ring.Samples });
        double fdBefore;
        using (var start = new GanModel(new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 8, HiddenWidth = 64, HiddenLayers = 2 }, new Generator(1))))
        {
            fdBefore = GanFrechetDistance(start, ring);
            start.Save(Path.Combine(_dir, "gan"));
        }

        // A GanModel directory holds no critic: the script builds one (options.critic) and writes it with the generators.
        // 2,000 critic steps = 400 generator updates (WGAN-GP, 5 critic steps each), at 1e-3 so that a short run shows progress.
        var (figures, _) = Torchrun(2, "--from", Path.Combine(_dir, "gan"), "--to", Path.Combine(_dir, "gan-after"), "--data", data,
            "--steps", "2000", "--batch-size", "64", "--lr", "1e-3", "--width", "32", "--depth", "2");
        figures.GetProperty("replicas_identical").GetBoolean().Should().BeTrue();
        var config = ModelCheckpoint.ReadConfig(Path.Combine(_dir, "gan-after"));
        config.Modules.Should().Equal("generator", "generator_ema", "critic");
        using var back = GanModel.Load(Path.Combine(_dir, "gan-after"));
        using var samples = back.Sample(256, new Generator(2));
        samples.shape.Should().Equal(256, 2);
        samples.isfinite().all().item<bool>().Should().BeTrue();
        double fdAfter = GanFrechetDistance(back, ring);
        output.WriteLine(figures.ToString());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"GAN: FD to the ring {fdBefore:F4} -> {fdAfter:F4}"));
        fdAfter.Should().BeLessThan(fdBefore * 0.5, "200 DDP steps bring the generator's samples closer to the data");
    }

    /// <summary>The Fréchet distance between 1,000 of a GAN's samples and the ring.</summary>
    private static double GanFrechetDistance(GanModel model, BuiltInDataset ring)
    {
        using var samples = model.Sample(1000, new Generator(12));
        return FrechetDistance.Compute(ring.Samples, samples);
    }

    /// <summary>High-quality fraction (within 10σ) and modes captured on the ring, and the Fréchet distance to it (1,000 DDIM samples, 50 steps).</summary>
    private static double[] Metrics(DiffusionModel model, BuiltInDataset ring)
    {
        using var samples = model.Sample(1000, new Generator(11), new SamplingOptions { Steps = 50 });
        var coverage = ModeCoverage.ComputeForMixture(samples, ring, threshold: 10);   // within 0.1 of a mode (σ = 0.01)
        return [coverage.HighQualityFraction ?? 0, coverage.ModesCaptured, FrechetDistance.Compute(ring.Samples, samples)];
    }

    private static (JsonElement Figures, string Log) Torchrun(int processes, params string[] arguments)
    {
        // --standalone: a private rendezvous on a free port. --redirects 2 --tee 2 work around Debian's torch 1.13 on
        // Python 3.11, whose torchrun cannot parse its own default "--redirects 0" (Std.from_str returns None).
        string[] args = ["--standalone", "--redirects", "2", "--tee", "2", $"--nproc_per_node={processes}",
            Path.Combine(PyTorchPackage.Folder, "train_ddp.py"), .. arguments];
        var (code, stdout, stderr) = PyTorchPackage.Run(PyTorchPackage.Torchrun, args);
        code.Should().Be(0, $"torchrun failed:\n{stdout}\n{stderr}");
        string line = stdout.Split('\n').Last(l => l.TrimStart().StartsWith('{'));
        return (JsonDocument.Parse(line.Trim()).RootElement.Clone(), line.Trim());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
