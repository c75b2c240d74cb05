using System.Diagnostics;
using Generative.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Checkpoints;

public sealed class KilledWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gen-kill-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_process_killed_while_writing_leaves_the_previous_checkpoint_loadable()
    {
        string helper = Path.Combine(AppContext.BaseDirectory, "Generative.CheckpointKillHelper.dll");
        File.Exists(helper).Should().BeTrue("the helper project is referenced by the tests and copied to their output");
        string checkpoint = Path.Combine(_dir, "model");
        int killedMidWrite = 0;
        long lastStep = 0;
        for (int round = 0; round < 3; round++)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(helper);
            info.ArgumentList.Add(checkpoint);
            info.Environment["OMP_NUM_THREADS"] = "1";
            using var process = Process.Start(info)!;
            process.ErrorDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            var saved = new SemaphoreSlim(0);
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data?.StartsWith("saved", StringComparison.Ordinal) == true)
                {
                    saved.Release();
                }
            };
            process.BeginOutputReadLine();
            try
            {
                // Let it finish one more write of its own, then catch it in the middle of the next one.
                saved.Wait(TimeSpan.FromSeconds(60)).Should().BeTrue("the helper writes a checkpoint within a minute");
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed < TimeSpan.FromSeconds(20))
                {
                    if (Directory.EnumerateDirectories(_dir, ".model.tmp-*").Any(d => Directory.EnumerateFiles(d).Any()))
                    {
                        // Round 0 kills as soon as a partial file exists; later rounds a few milliseconds later, nearer the renames.
                        Thread.Sleep(round * 15);
                        break;
                    }

                    Thread.Sleep(1);
                }

                bool midWrite = Directory.EnumerateDirectories(_dir, ".model.*").Any();
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                killedMidWrite += midWrite ? 1 : 0;
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }

            // Whatever the moment of the kill, a complete checkpoint is there, and all of its weights come from one write.
            using var scope = NewDisposeScope();
            var net = nn.Sequential(nn.Linear(1024, 1024), nn.Linear(1024, 1024), nn.Linear(1024, 1024));
            var config = ModelCheckpoint.LoadModules(checkpoint, new Dictionary<string, nn.Module> { ["net"] = net });
            config.Step.Should().BeGreaterThanOrEqualTo(Math.Max(1, lastStep));
            foreach (var p in net.parameters())
            {
                p.eq(config.Step).all().item<bool>().Should().BeTrue("every tensor holds the value of the write the config describes");
            }

            lastStep = config.Step;
        }

        killedMidWrite.Should().BeGreaterThan(0, "at least one kill must land while a write was in progress");
    }
}
