using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Generative.Diffusion;
using static TorchSharp.torch;

namespace Generative.Benchmarks;

/// <summary>
/// Not a BenchmarkDotNet benchmark: what a heap trim after a sampled batch costs, measured so that a loaded machine
/// affects both sides alike. One process alternates blocks of DDIM-50 batches of the 2-D model without trimming and with
/// a trim after every batch (<see cref="NativeMemoryPolicy.SamplingTrimInterval"/> zero), round after round, and prints
/// each side's median and mean batch time; the difference is the trim's cost (the call itself plus re-faulting the pages
/// it released). It also times the bare <c>malloc_trim(0)</c> call after a block without trims.
/// </summary>
internal static class TrimCost
{
    private const int BlockBatches = 6;

    public static int Run(string[] args)
    {
        int batch = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        using var net = Fixtures.Mlp2D();
        using var model = new DiffusionModel(net, new NoiseSchedule(), ownsNetworks: false);
        var options = new SamplingOptions { Sampler = "ddim", Steps = 50, BatchSize = batch };
        var off = new List<double>();
        var trimmed = new List<double>();
        var calls = new List<double>();
        using var g = new Generator(1);
        Block(model, options, g, BlockBatches, NativeMemoryPolicy.Off, null); // warm-up, and the heap grows to its working size
        if (args.Length > 2)
        {
            return Interval(model, options, g, rounds, TimeSpan.FromSeconds(double.Parse(args[2], CultureInfo.InvariantCulture)));
        }

        for (int r = 0; r < rounds; r++)
        {
            Block(model, options, g, BlockBatches, NativeMemoryPolicy.Off, off);
            long start = Stopwatch.GetTimestamp();
            _ = MallocTrim(0);
            calls.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            Block(model, options, g, BlockBatches, NativeMemoryPolicy.Off, null); // regrow the heap after that trim
            Block(model, options, g, BlockBatches, new NativeMemoryPolicy { SamplingTrimInterval = TimeSpan.Zero }, trimmed);
        }

        NativeMemoryPolicy.Current = NativeMemoryPolicy.Off;
        double offMedian = Median(off), trimMedian = Median(trimmed);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"DDIM-50, batches of {batch}, {rounds} rounds of {BlockBatches} batches per side: no trim median {offMedian:F1} ms (mean {off.Average():F1}); trim after every batch median {trimMedian:F1} ms (mean {trimmed.Average():F1}); difference {trimMedian - offMedian:F1} ms per batch ({(trimMedian - offMedian) / offMedian:P1}); bare malloc_trim(0) after a block without trims: median {Median(calls):F2} ms"));
        return 0;
    }

    // Blocks of about two intervals each, without and with the interval, alternating (ABBA); the cost is the median of
    // each round's paired ratio (with-interval block / the adjacent block without), which cancels the machine's slow
    // drift that separate medians of the two sides would keep.
    private static int Interval(DiffusionModel model, SamplingOptions options, Generator g, int rounds, TimeSpan interval)
    {
        var blockLength = 2 * interval;
        var policy = new NativeMemoryPolicy { SamplingTrimInterval = interval };
        var off = new List<double>();
        var trimmed = new List<double>();
        var ratios = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            double offAverage = 0, trimAverage = 0;
            foreach (bool trim in r % 2 == 0 ? new[] { false, true } : [true, false])
            {
                var times = new List<double>();
                TimedBlock(model, options, g, blockLength, trim ? policy : NativeMemoryPolicy.Off, times);
                (trim ? ref trimAverage : ref offAverage) = times.Average();
                (trim ? trimmed : off).Add(times.Average());
            }

            ratios.Add(trimAverage / offAverage);
        }

        NativeMemoryPolicy.Current = NativeMemoryPolicy.Off;
        double offMedian = Median(off), trimMedian = Median(trimmed);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"DDIM-50, batches of {options.BatchSize}, interval {interval.TotalSeconds} s, {rounds} rounds of two blocks of {blockLength.TotalSeconds} s: no trim {offMedian:F2} ms per batch [{off.Min():F2}–{off.Max():F2}]; with the interval {trimMedian:F2} ms [{trimmed.Min():F2}–{trimmed.Max():F2}]; cost, median of the rounds' paired ratios {Median(ratios) - 1:P2} [{ratios.Min() - 1:P2} to {ratios.Max() - 1:P2}]; peak RSS {PeakRss()} MB"));
        return 0;
    }

    private static long PeakRss() =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;

    // Batches until the block has lasted its length (a slow spell makes fewer batches, not a longer block).
    private static void TimedBlock(DiffusionModel model, SamplingOptions options, Generator g, TimeSpan length, NativeMemoryPolicy policy, List<double> times)
    {
        NativeMemoryPolicy.Current = policy;
        long begin = Stopwatch.GetTimestamp();
        long last = begin;
        foreach (var batch in model.SampleBatches(1_000_000 * options.BatchSize!.Value, g, options))
        {
            batch.Dispose();
            long now = Stopwatch.GetTimestamp();
            times.Add(Stopwatch.GetElapsedTime(last, now).TotalMilliseconds);
            last = now;
            if (Stopwatch.GetElapsedTime(begin, now) >= length)
            {
                break;
            }
        }
    }

    private static void Block(DiffusionModel model, SamplingOptions options, Generator g, int batches, NativeMemoryPolicy policy, List<double>? times)
    {
        NativeMemoryPolicy.Current = policy;
        long last = Stopwatch.GetTimestamp();
        foreach (var batch in model.SampleBatches(batches * options.BatchSize!.Value, g, options))
        {
            batch.Dispose();
            long now = Stopwatch.GetTimestamp();
            times?.Add(Stopwatch.GetElapsedTime(last, now).TotalMilliseconds);
            last = now;
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallocTrim(nuint pad);
}
