using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Generative;

/// <summary>
/// Gives the C heap's free pages back to the operating system (glibc's <c>malloc_trim(0)</c>), as the application's
/// <see cref="NativeMemoryPolicy"/> asks: after sampled batches at its interval, and after the trainer's forced
/// collections. The nearest-neighbour metrics also trim after their large one-off passes (docs/performance.md).
/// </summary>
/// <remarks>
/// Linux only; a no-op elsewhere and where the C library has no <c>malloc_trim</c> (musl), which is detected once.
/// Thread-safe: glibc locks each arena while trimming it; the sampling cadence lets one thread trim per interval.
/// </remarks>
internal static class NativeHeap
{
    private static int _unavailable;
    private static long _requested;
    private static long _lastSamplingTrim = Stopwatch.GetTimestamp();
    private static long _lastSampledBatch;
    private static int _idleTrimPending;
    private static int _idleCheckArmed;
    private static readonly Timer IdleTimer = new(_ => OnIdleCheck(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    /// <summary>Schedules the next idle check after the given delay (the real timer; tests replace it).</summary>
    internal static Action<TimeSpan> ScheduleIdleCheck { get; set; } = delay => IdleTimer.Change(delay, Timeout.InfiniteTimeSpan);

    /// <summary>The clock of the sampling cadence, in <see cref="Stopwatch"/> ticks; tests replace it.</summary>
    internal static Func<long> Clock { get; set; } = Stopwatch.GetTimestamp;

    /// <summary>Trims requested since the process started (on every platform, including where a trim is a no-op).</summary>
    internal static long TrimCount => Interlocked.Read(ref _requested);

    /// <summary>Returns free heap pages to the operating system, when the platform can.</summary>
    internal static void Trim()
    {
        Interlocked.Increment(ref _requested);
        if (!OperatingSystem.IsLinux() || Volatile.Read(ref _unavailable) != 0)
        {
            return;
        }

        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception exception) when (exception is EntryPointNotFoundException or DllNotFoundException)
        {
            Volatile.Write(ref _unavailable, 1);
        }
    }

    /// <summary>
    /// Called by the models after each sampled batch, on the sampling thread: trims when the policy's
    /// <see cref="NativeMemoryPolicy.SamplingTrimInterval"/> has passed since the last sampling trim. Of the threads that
    /// find it due at once, only the one whose compare-and-swap of the last trim's time succeeds trims.
    /// </summary>
    internal static void AfterSampledBatch()
    {
        var policy = NativeMemoryPolicy.Current;
        if (policy.IdleTrimDelay is { } idle)
        {
            NoteSampledBatch(idle);
        }

        if (policy.SamplingTrimInterval is not { } interval)
        {
            return;
        }

        if (interval == TimeSpan.Zero)
        {
            Trim();
            return;
        }

        long now = Clock();
        long last = Interlocked.Read(ref _lastSamplingTrim);
        long due = (long)(interval.TotalSeconds * Stopwatch.Frequency);
        if (now - last < due || Interlocked.CompareExchange(ref _lastSamplingTrim, now, last) != last)
        {
            return;
        }

        Trim();
    }

    // Idle trimming: a batch only stamps the time and, if no check is armed, arms one; the check trims once the stamp is
    // at least the delay old, or looks again when it could be.
    private static void NoteSampledBatch(TimeSpan idle)
    {
        Interlocked.Exchange(ref _lastSampledBatch, Clock());
        Volatile.Write(ref _idleTrimPending, 1);
        if (Interlocked.CompareExchange(ref _idleCheckArmed, 1, 0) == 0)
        {
            ScheduleIdleCheck(idle);
        }
    }

    /// <summary>
    /// The idle check (run by the timer; tests call it with their clock): trims if sampling has paused for the policy's
    /// <see cref="NativeMemoryPolicy.IdleTrimDelay"/> and a batch was sampled since the last idle trim; otherwise looks
    /// again when the pause could be long enough.
    /// </summary>
    internal static void OnIdleCheck()
    {
        if (NativeMemoryPolicy.Current.IdleTrimDelay is not { } idle)
        {
            Volatile.Write(ref _idleCheckArmed, 0);
            return;
        }

        long due = (long)(idle.TotalSeconds * Stopwatch.Frequency);
        long quiet = Clock() - Interlocked.Read(ref _lastSampledBatch);
        if (quiet < due)
        {
            ScheduleIdleCheck(TimeSpan.FromSeconds((double)(due - quiet) / Stopwatch.Frequency));
            return;
        }

        Volatile.Write(ref _idleCheckArmed, 0);
        if (Interlocked.Exchange(ref _idleTrimPending, 0) == 1)
        {
            Trim();
        }

        // A batch that ended while this check ran may have found it still armed: arm it for that batch.
        if (Volatile.Read(ref _idleTrimPending) == 1 && Interlocked.CompareExchange(ref _idleCheckArmed, 1, 0) == 0)
        {
            ScheduleIdleCheck(idle);
        }
    }

    /// <summary>Starts the sampling interval afresh (when the policy changes).</summary>
    internal static void RestartCadence() => Interlocked.Exchange(ref _lastSamplingTrim, Clock());

    [DllImport("libc", EntryPoint = "malloc_trim")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallocTrim(nuint pad);
}
