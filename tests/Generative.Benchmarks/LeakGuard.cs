using TorchSharp;

namespace Generative.Benchmarks;

/// <summary>
/// Base of every benchmark class: counts the thread's live tensors after the global setup and checks, before the
/// cleanup disposes the fixtures, that the measured iterations left none behind (each runs in a dispose scope).
/// </summary>
public abstract class LeakGuard
{
    private long _baseline;

    /// <summary>Call last in the global setup, after one call of each benchmark (state created lazily on first use is not a leak).</summary>
    protected void MarkBaseline()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        _baseline = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
    }

    /// <summary>Why this class's calls are known to leave tensors to the garbage collector, or <see langword="null"/> when
    /// they must leave none (then a leak fails the benchmark; otherwise it is only reported).</summary>
    protected virtual string? KnownLeak => null;

    /// <summary>Call first in the global cleanup.</summary>
    protected void CheckNoLeak()
    {
        long now = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        if (now != _baseline)
        {
            // BenchmarkDotNet's in-process toolchain runs an emitted subclass: name the benchmark class.
            var type = GetType();
            while (type.BaseType is { } parent && parent != typeof(LeakGuard) && type.Name.StartsWith("Runnable", StringComparison.Ordinal))
            {
                type = parent;
            }

            string message = $"{type.Name}: {now - _baseline} tensors leaked by the measured iterations (live {now}, baseline {_baseline}).";
            if (KnownLeak is { } known)
            {
                Console.WriteLine($"// NOTE: {message} Known: {known}");
                return;
            }

            throw new InvalidOperationException(message);
        }
    }
}
