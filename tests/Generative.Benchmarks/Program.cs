using System.Globalization;
using BenchmarkDotNet.Running;
using Generative.Benchmarks;
using TorchSharp;

// Usage (README.md here):
//   dotnet run -c Release --project tests/Generative.Benchmarks -- [--threads N] [BenchmarkDotNet arguments, e.g. --filter '*DiffusionMlpStep*']
//   dotnet run -c Release --project tests/Generative.Benchmarks -- [--threads N] sampling-memory [both|diffusion|gan] [batch] [counts...] [--trim off|batch|S] [--idle S]
//   dotnet run -c Release --project tests/Generative.Benchmarks -- [--threads N] interleaved [rounds] [name filter]
//   dotnet run -c Release --project tests/Generative.Benchmarks -- [--threads N] trim-cost [batch] [rounds]
//   dotnet run -c Release --project tests/Generative.Benchmarks -- [--threads N] raw [rounds] [name filter]
//   dotnet run -c Release --project tests/Generative.Benchmarks -- [--threads N] comparison-order [steps] [pairs]
//   dotnet run -c Release --project tests/Generative.Benchmarks -- [--threads N] ctgan-adult [epochs] [seed]
//   dotnet run -c Release --project tests/Generative.Benchmarks -- [--threads N] spells [seconds] [window seconds]
//   dotnet run -c Release --project tests/Generative.Benchmarks -- [--threads N] table-report [seeds...] [--out folder]
//   dotnet run -c Release --project tests/Generative.Benchmarks -- [--threads N] tabddpm adult|penguins [steps] [batch] [width] [depth] [seed]
// libtorch runs on one thread unless --threads N or GENERATIVE_BENCH_THREADS=N says otherwise.
var rest = new List<string>(args);
int threads = int.TryParse(Environment.GetEnvironmentVariable("GENERATIVE_BENCH_THREADS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int fromEnv) ? fromEnv : 1;
int at = rest.IndexOf("--threads");
if (at >= 0)
{
    if (at + 1 >= rest.Count || !int.TryParse(rest[at + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out threads) || threads < 1)
    {
        Console.Error.WriteLine("--threads needs a positive number.");
        return 2;
    }

    rest.RemoveRange(at, 2);
}

torch.set_num_threads(threads);
Console.WriteLine($"libtorch threads: {torch.get_num_threads()} (OMP_NUM_THREADS={Environment.GetEnvironmentVariable("OMP_NUM_THREADS") ?? "unset"}); load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
if (rest.Count > 0 && rest[0] == "sampling-memory")
{
    return SamplingMemory.Run([.. rest.Skip(1)]);
}

if (rest.Count > 0 && rest[0] == "trim-cost")
{
    return TrimCost.Run([.. rest.Skip(1)]);
}

if (rest.Count > 0 && rest[0] == "ctgan-adult")
{
    return CtganAdult.Run([.. rest.Skip(1)]);
}

if (rest.Count > 0 && rest[0] == "tabddpm")
{
    return TabularDiffusionBench.Run([.. rest.Skip(1)]);
}

if (rest.Count > 0 && rest[0] == "spells")
{
    return SlowSpells.Run([.. rest.Skip(1)]);
}

if (rest.Count > 0 && rest[0] == "comparison-order")
{
    return ComparisonOrder.Run([.. rest.Skip(1)]);
}

if (rest.Count > 0 && rest[0] == "raw")
{
    return LibraryVsRaw.Run([.. rest.Skip(1)]);
}

if (rest.Count > 0 && rest[0] == "table-report")
{
    return TableReportRun.Run([.. rest.Skip(1)]);
}

if (rest.Count > 0 && rest[0] == "interleaved")
{
    return Interleaved.Run([.. rest.Skip(1)]);
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(LeakGuard).Assembly).Run([.. rest], BenchmarkConfig.Create());
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
