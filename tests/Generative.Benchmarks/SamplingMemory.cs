using System.Diagnostics;
using System.Globalization;
using Generative.Diffusion;
using Generative.Gan;
using static TorchSharp.torch;

namespace Generative.Benchmarks;

/// <summary>
/// Not a BenchmarkDotNet benchmark: resident memory while sampling many 2-D vectors in batches
/// (<see cref="IGenerativeModel.SampleBatches"/> with <see cref="SamplingOptions.BatchSize"/>) from the 2-D diffusion
/// model (DDIM-50) and a 2-D GAN, each batch consumed and disposed at once. Prints the process's RSS before, the peak
/// during, and after, for each count; bounded memory shows as the same peak for 10× the count.
/// </summary>
internal static class SamplingMemory
{
    private static TimeSpan? _idle;

    public static int Run(string[] args)
    {
        // --trim off|batch|<seconds>: the NativeMemoryPolicy.SamplingTrimInterval to sample with (default off, the library's);
        // --idle <seconds>: its IdleTrimDelay (then each count is followed by a pause one second longer, and the RSS after it).
        TimeSpan? interval = null;
        int at = Array.IndexOf(args, "--trim");
        if (at >= 0)
        {
            string trim = at + 1 < args.Length ? args[at + 1] : throw new ArgumentException("--trim needs off, batch or a number of seconds.");
            interval = trim switch
            {
                "off" => null,
                "batch" => TimeSpan.Zero,
                _ => TimeSpan.FromSeconds(double.Parse(trim, CultureInfo.InvariantCulture)),
            };
            args = [.. args.Take(at), .. args.Skip(at + 2)];
        }

        at = Array.IndexOf(args, "--idle");
        if (at >= 0)
        {
            _idle = TimeSpan.FromSeconds(double.Parse(at + 1 < args.Length ? args[at + 1] : throw new ArgumentException("--idle needs a number of seconds."), CultureInfo.InvariantCulture));
            args = [.. args.Take(at), .. args.Skip(at + 2)];
        }

        NativeMemoryPolicy.Current = new NativeMemoryPolicy { SamplingTrimInterval = interval, IdleTrimDelay = _idle };

        string which = args.Length > 0 ? args[0] : "both";
        int batch = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
        int[] counts = args.Length > 2 ? [.. args.Skip(2).Select(a => int.Parse(a, CultureInfo.InvariantCulture))] : [10_000, 100_000];
        Console.WriteLine($"sampling memory: batch {batch}, counts {string.Join(", ", counts)}, torch threads {get_num_threads()}; policy: {NativeMemoryPolicy.Current}");
        if (which is "both" or "diffusion")
        {
            using var net = Fixtures.Mlp2D();
            using var model = new DiffusionModel(net, new NoiseSchedule(), ownsNetworks: false);
            Measure("diffusion DDIM-50", model, new SamplingOptions { Sampler = "ddim", Steps = 50, BatchSize = batch }, counts);
        }

        if (which is "both" or "gan")
        {
            using var generator = Fixtures.Generator2D();
            using var model = new GanModel(generator, ownsGenerator: false);
            Measure("GAN", model, new SamplingOptions { BatchSize = batch }, counts);
        }

        return 0;
    }

    private static void Measure(string name, IGenerativeModel model, SamplingOptions options, int[] counts)
    {
        // One warm-up batch so libtorch's allocations and JIT are not counted as growth.
        using (var warm = model.Sample(options.BatchSize ?? 512, new Generator(99), options))
        {
        }

        foreach (int count in counts)
        {
            double before = RssMb();
            double peak = before;
            ResetHighWaterMark();
            var batchMs = new List<double>();
            long last = Stopwatch.GetTimestamp();
            long live = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            var clock = Stopwatch.StartNew();
            double sum = 0;
            int batches = 0;
            using var g = new Generator(1);
            foreach (var batch in model.SampleBatches(count, g, options))
            {
                using (batch)
                using (var mean = batch.mean())
                {
                    sum += mean.item<float>();
                }

                peak = Math.Max(peak, RssMb());
                batches++;
                long now = Stopwatch.GetTimestamp();
                batchMs.Add(Stopwatch.GetElapsedTime(last, now).TotalMilliseconds);
                last = now;
            }

            double after = RssMb();
            double highWater = HighWaterMarkMb();
            batchMs.Sort();
            long leaked = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount - live;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{name,-18} {count,8:N0} samples in {batches,4} batches of {options.BatchSize}: RSS before {before,6:F0} MB, peak between batches {peak,6:F0} MB, after {after,6:F0} MB, high-water mark {highWater,6:F0} MB; {count / clock.Elapsed.TotalSeconds,9:F0} samples/s, median batch {batchMs[batchMs.Count / 2],7:F1} ms; live tensors +{leaked} (mean {sum / batches:F3})"));
            if (_idle is { } idle)
            {
                Thread.Sleep(idle + TimeSpan.FromSeconds(1));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"",-18} after a pause of {(idle + TimeSpan.FromSeconds(1)).TotalSeconds:F1} s: RSS {RssMb(),6:F0} MB"));
            }
        }
    }

    // The kernel's peak resident set (VmHWM) catches the peaks inside a batch, which the samples between batches miss
    // (a trim after each batch lowers the latter, not the former). Writing 5 to clear_refs resets it (Linux).
    private static void ResetHighWaterMark()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static double HighWaterMarkMb()
    {
        try
        {
            string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? double.NaN : double.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    private static double RssMb()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64 / 1048576.0;
    }
}
