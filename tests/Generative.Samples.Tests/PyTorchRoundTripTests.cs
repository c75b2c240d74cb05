using System.Diagnostics;
using Generative.Data;
using Generative.Diffusion;
using Generative.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Samples.Tests;

/// <summary>
/// docs/scripts/roundtrip.py (docs/scaling.md): a checkpoint saved here is read in PyTorch, changed there, written back,
/// and loaded here. Runs when /usr/bin/python3 has torch (Debian's python3-torch), as the checkpoint interop tests do.
/// </summary>
public sealed class PyTorchRoundTripTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "gen-roundtrip-" + Guid.NewGuid().ToString("N"));

    [SkippableFact]
    public void Checkpoint_goes_to_pytorch_and_back()
    {
        string script = Path.Combine(RepoRoot(), "docs", "scripts", "roundtrip.py");
        File.Exists(script).Should().BeTrue();
        Skip.IfNot(PythonHasTorch(), "Debian's python3-torch (/usr/bin/python3 with torch) is not installed: nothing runs the round-trip script.");

        using var g = new Generator(0);
        using var points = torch.randn([256, 2], generator: g);
        using var data = new TensorDataSource(points);
        var (model, _) = DiffusionTrainer.Train(new MlpDenoiser(2, new MlpDenoiserOptions { Width = 32, Depth = 1 }, new Generator(1)), data,
            new DiffusionTrainerOptions { Steps = 30, BatchSize = 64, EmaDecay = 0.9 });
        string src = Path.Combine(_dir, "here"), dst = Path.Combine(_dir, "from-pytorch");
        using (model)
        {
            model.Save(src);
            var (code, output) = Run("/usr/bin/python3", $"\"{script}\" \"{src}\" \"{dst}\"");
            code.Should().Be(0, output);
            output.Should().Contain("SHA-256 verified").And.Contain("replaced by the average");

            using var back = DiffusionModel.Load(dst);
            var raw = model.Denoiser.Module.state_dict();
            var ema = model.EmaDenoiser!.Module.state_dict();
            var loaded = back.Denoiser.Module.state_dict();
            var loadedEma = back.EmaDenoiser!.Module.state_dict();
            raw.Keys.Should().BeEquivalentTo(loaded.Keys);
            foreach (var (name, tensor) in raw)
            {
                using var expected = (tensor + ema[name]) * 0.5;
                Tolerance.AssertClose(loaded[name], expected, atol: 1e-6, what: name);   // float32 average, computed in PyTorch
                Tolerance.AssertClose(loadedEma[name], ema[name], atol: 0, what: "ema." + name);
            }

            // The diffusers scheduler config the script wrote describes the same schedule.
            var sampler = DiffusersScheduler.FromConfig(File.ReadAllText(Path.Combine(dst, "scheduler_config.json")));
            sampler.Schedule.AlphaCumprodAt(499).Should().Be(model.Schedule.AlphaCumprodAt(499));
            using var samples = back.Sample(64, new Generator(2), new SamplingOptions { Steps = 5 });
            samples.isfinite().all().item<bool>().Should().BeTrue();
        }
    }

    private static bool PythonHasTorch()
    {
        if (!File.Exists("/usr/bin/python3"))
        {
            return false;
        }

        var (code, _) = Run("/usr/bin/python3", "-c \"import torch\"");
        return code == 0;
    }

    private static (int Code, string Output) Run(string file, string arguments)
    {
        var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Generative.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Generative.sln not found above the test's directory.");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
