using BenchmarkDotNet.Attributes;
using Generative.Diffusion;
using Generative.Gan;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Benchmarks;

/// <summary>Saving and loading a model checkpoint directory: the 2-D diffusion model (with its EMA network) and a 2-D GAN.</summary>
[BenchmarkCategory("Checkpoint")]
public class Checkpoints : LeakGuard
{
    private string _root = null!;
    private DiffusionModel _diffusion = null!;
    private GanModel _gan = null!;
    private string _diffusionSaved = null!;
    private string _ganSaved = null!;

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "generative-benchmarks-" + Environment.ProcessId);
        Directory.CreateDirectory(_root);
        _diffusion = new DiffusionModel(Fixtures.Mlp2D(1), new NoiseSchedule(), emaDenoiser: Fixtures.Mlp2D(2));
        _gan = new GanModel(Fixtures.Generator2D());
        _diffusionSaved = Path.Combine(_root, "diffusion-saved");
        _ganSaved = Path.Combine(_root, "gan-saved");
        _diffusion.Save(_diffusionSaved);
        _gan.Save(_ganSaved);
        MarkBaseline();
    }

    [Benchmark(Description = "diffusion 2-D: save")]
    public void SaveDiffusion()
    {
        using var scope = NewDisposeScope();
        _diffusion.Save(Path.Combine(_root, "diffusion"));
    }

    [Benchmark(Description = "diffusion 2-D: load")]
    public long LoadDiffusion()
    {
        using var scope = NewDisposeScope();
        using var model = DiffusionModel.Load(_diffusionSaved);
        return model.SampleShape.ElementCount;
    }

    [Benchmark(Description = "GAN 2-D: save")]
    public void SaveGan()
    {
        using var scope = NewDisposeScope();
        _gan.Save(Path.Combine(_root, "gan"));
    }

    [Benchmark(Description = "GAN 2-D: load")]
    public long LoadGan()
    {
        using var scope = NewDisposeScope();
        using var model = GanModel.Load(_ganSaved);
        return model.SampleShape.ElementCount;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        CheckNoLeak();
        _diffusion.Dispose();
        _gan.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
