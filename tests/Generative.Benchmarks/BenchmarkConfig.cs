using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Generative.Benchmarks;

/// <summary>
/// The suite's configuration: in-process (so the libstdc++ patch of the build output applies and libtorch is loaded
/// once), one launch, few iterations, benchmarks grouped by category so each library benchmark gets a ratio against
/// its hand-written baseline.
/// </summary>
internal static class BenchmarkConfig
{
    public static IConfig Create() => DefaultConfig.Instance
        .AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(7)
            .WithIterationTime(TimeInterval.FromMilliseconds(400))
            .WithId("Quick")
            .AsDefault())
        .AddColumn(CategoriesColumn.Default)
        .AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory)
        .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared))
        .WithOptions(ConfigOptions.JoinSummary);
}

/// <summary>For slow benchmarks (seconds per call): one warm-up, three measured calls.</summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class SlowJobAttribute : Attribute, IConfigSource
{
    public SlowJobAttribute()
    {
        Config = ManualConfig.CreateEmpty().AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(3)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("Slow"));
    }

    public IConfig Config { get; }
}
