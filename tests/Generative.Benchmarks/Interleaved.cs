using System.Diagnostics;
using System.Globalization;

namespace Generative.Benchmarks;

/// <summary>
/// Not BenchmarkDotNet: runs each library training benchmark and its hand-written baseline alternately, call after
/// call, and prints the medians of wall time and of process CPU time per step and their ratio. Alternating cancels
/// slow drifts in the machine's load, so the ratio stays readable on a shared machine where absolute times are not.
/// </summary>
internal static class Interleaved
{
    public static int Run(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30;
        string filter = args.Length > 1 ? args[1] : string.Empty;
        var pairs = new (string Name, int Steps, Func<LeakGuard> Create, Func<LeakGuard, double> Hand, Func<LeakGuard, double> Library)[]
        {
            ("DiffusionMlpStep", 16, () => new DiffusionMlpStep(), b => ((DiffusionMlpStep)b).HandWritten(), b => ((DiffusionMlpStep)b).Library()),
            ("DiffusionUNetStep", 2, () => new DiffusionUNetStep(), b => ((DiffusionUNetStep)b).HandWritten(), b => ((DiffusionUNetStep)b).Library()),
            ("WganGpCriticStep", 8, () => new WganGpCriticStep(), b => ((WganGpCriticStep)b).HandWritten(), b => ((WganGpCriticStep)b).Library()),
            ("WganGpCriticAndGeneratorStep", 8, () => new WganGpCriticAndGeneratorStep(), b => ((WganGpCriticAndGeneratorStep)b).HandWritten(), b => ((WganGpCriticAndGeneratorStep)b).Library()),
        };
        if ("DiffusionMlpStepOnly".Contains(filter, StringComparison.OrdinalIgnoreCase))
        {
            pairs = [.. pairs, ("DiffusionMlpStep (step only)", 16, () => new DiffusionMlpStep(), b => ((DiffusionMlpStep)b).HandWritten(), b => ((DiffusionMlpStep)b).StepOnly())];
        }

        foreach (var (name, steps, create, hand, library) in pairs)
        {
            if (!name.Contains(filter, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var bench = create();
            Setup(bench);
            var handWall = new List<double>();
            var libWall = new List<double>();
            var handCpu = new List<double>();
            var libCpu = new List<double>();
            for (int r = -2; r < rounds; r++)
            {
                // Alternate which goes first so neither always follows the other.
                if (r % 2 == 0)
                {
                    Time(() => hand(bench), handWall, handCpu, r >= 0, steps);
                    Time(() => library(bench), libWall, libCpu, r >= 0, steps);
                }
                else
                {
                    Time(() => library(bench), libWall, libCpu, r >= 0, steps);
                    Time(() => hand(bench), handWall, handCpu, r >= 0, steps);
                }
            }

            Cleanup(bench);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{name,-30} per step, median of {rounds}: hand-written {Median(handWall),7:F2} ms wall {Median(handCpu),7:F2} ms CPU | library {Median(libWall),7:F2} ms wall {Median(libCpu),7:F2} ms CPU | library/hand {Median(libWall) / Median(handWall):F3} wall, {Median(libCpu) / Median(handCpu):F3} CPU"));
        }

        return 0;
    }

    private static void Time(Func<double> call, List<double> wall, List<double> cpu, bool keep, int steps)
    {
        using var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        call();
        double w = clock.Elapsed.TotalMilliseconds / steps;
        process.Refresh();
        double c = (process.TotalProcessorTime - cpu0).TotalMilliseconds / steps;
        if (keep)
        {
            wall.Add(w);
            cpu.Add(c);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static void Setup(LeakGuard bench)
    {
        switch (bench)
        {
            case DiffusionStepBenchmarks d: d.Setup(); break;
            case GanStepBenchmarks g: g.Setup(); break;
        }
    }

    private static void Cleanup(LeakGuard bench)
    {
        switch (bench)
        {
            case DiffusionStepBenchmarks d: d.Cleanup(); break;
            case GanStepBenchmarks g: g.Cleanup(); break;
        }
    }
}
