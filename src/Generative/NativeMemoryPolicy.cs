namespace Generative;

/// <summary>
/// When the library gives native memory back to the operating system: glibc's <c>malloc_trim(0)</c> after sampled
/// batches, and a forced garbage collection (followed by a trim) during training. Memory policy belongs to the
/// application, so it is one process-wide setting, <see cref="Current"/>, which is <see cref="Off"/> unless the
/// application sets it. See docs/performance.md ("Memory") for what each setting costs and saves.
/// </summary>
/// <remarks>
/// <para>Why it exists: the C heap (glibc's) keeps the pages that freed activation buffers occupied, so a process that
/// samples in batches of a few hundred kilobytes per activation settles well above what it uses (measured on a 2-D
/// DDIM-50 model in batches of 1,000: a peak of about 370 MB untrimmed, 250 MB trimmed after every batch); TorchSharp's optimisers make
/// <c>Scalar</c>s that hold native memory until the garbage collector finalises them. Neither is a leak; both only
/// matter where resident memory is budgeted.</para>
/// <para>The trim is process-wide and takes each heap arena's lock for a few milliseconds, and the pages it releases are
/// faulted in again by the next batch; that is why it is off by default. <see cref="IdleTrimDelay"/> trims once sampling
/// has paused (nothing on the sampling path but a time stamp; the choice for a service with bursts of requests).
/// <see cref="SamplingTrimInterval"/> trims while sampling, at most once per interval, on whichever sampling thread
/// finishes a batch first after the interval has passed (a compare-and-swap decides); concurrent requests never trim
/// together.</para>
/// <para>Linux with glibc only: elsewhere (and on musl) trimming is a no-op; the forced collections happen everywhere.</para>
/// <para>One exception, independent of this policy: the nearest-neighbour metrics (precision/recall, density/coverage)
/// trim after each of their passes and every 128 MB of recount tiles, because their heap growth happens inside one call
/// (600 MB → 1.07 GB measured), where no application cadence can reach it, and a trim costs little against such a pass.</para>
/// <para>Immutable and thread-safe; <see cref="Current"/> may be replaced at any time and is read once per batch or step.</para>
/// </remarks>
/// <example>
/// <code>
/// // At start-up of a service or a command whose resident memory is budgeted:
/// NativeMemoryPolicy.Current = new NativeMemoryPolicy
/// {
///     IdleTrimDelay = TimeSpan.FromSeconds(2),
///     CollectEveryTrainingSteps = 1000,
/// };
/// </code>
/// </example>
public sealed class NativeMemoryPolicy
{
    private static NativeMemoryPolicy? _current;
    private readonly TimeSpan? _samplingTrimInterval;
    private readonly TimeSpan? _idleTrimDelay;
    private readonly int _collectEveryTrainingSteps;

    /// <summary>The library's default: never trims, never forces a collection.</summary>
    public static NativeMemoryPolicy Off { get; } = new();

    /// <summary>
    /// The process's policy, read by every sampling call and every trainer; <see cref="Off"/> until the application sets
    /// it. Setting it restarts the sampling trim interval's clock.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/> (use <see cref="Off"/>).</exception>
    public static NativeMemoryPolicy Current
    {
        get => Volatile.Read(ref _current) ?? Off;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            NativeHeap.RestartCadence();
            Volatile.Write(ref _current, value);
        }
    }

    /// <summary>
    /// The least time between two heap trims while sampling: after a batch of any model's <c>Sample</c> or
    /// <c>SampleBatches</c>, the heap is trimmed if this long has passed since the last such trim (process-wide).
    /// <see langword="null"/> (the default): never. <see cref="TimeSpan.Zero"/>: after every batch. Each trim costs the call
    /// and re-faulting the pages it released, a sizeable part of the batch that follows, so short intervals lower the peak
    /// resident memory at a real cost in speed, and long ones give pages back at a small one; where sampling comes in
    /// bursts, <see cref="IdleTrimDelay"/> gives them back at none. docs/performance.md ("Memory") has the measured
    /// figures.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative interval, or to one longer than a day.</exception>
    public TimeSpan? SamplingTrimInterval
    {
        get => _samplingTrimInterval;
        init
        {
            if (value is { } interval && (interval < TimeSpan.Zero || interval > TimeSpan.FromDays(1)))
            {
                throw new ArgumentOutOfRangeException(nameof(SamplingTrimInterval), interval,
                    "SamplingTrimInterval must be between zero (trim after every batch) and one day, or null (never trim).");
            }

            _samplingTrimInterval = value;
        }
    }

    /// <summary>
    /// Trim the heap once sampling has paused this long: after a sampled batch of any model, a timer looks again when
    /// this much time could have passed, and trims (once) only if no batch has been sampled since. Nothing runs on the
    /// sampling path but a time stamp, so a burst of requests pays nothing; the first batch after the pause re-faults the
    /// released pages once. <see langword="null"/> (the default): never. Gives the pages back between bursts like
    /// <see cref="SamplingTrimInterval"/> at 10 s, without its cost inside a burst (docs/performance.md, "Memory").
    /// Both may be set.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to zero or less, or to more than a day.</exception>
    public TimeSpan? IdleTrimDelay
    {
        get => _idleTrimDelay;
        init
        {
            if (value is { } delay && (delay <= TimeSpan.Zero || delay > TimeSpan.FromDays(1)))
            {
                throw new ArgumentOutOfRangeException(nameof(IdleTrimDelay), delay,
                    "IdleTrimDelay must be more than zero and at most one day, or null (never trim when idle).");
            }

            _idleTrimDelay = value;
        }
    }

    /// <summary>
    /// Steps between the trainer's forced garbage collections, each followed by a heap trim; 0 (the default): never.
    /// Frees the native memory of finalisable TorchSharp objects (the optimisers' <c>Scalar</c>s) that .NET's own
    /// collections have not reached yet; costs a few milliseconds per collection (1,000 steps is a common choice).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative number.</exception>
    public int CollectEveryTrainingSteps
    {
        get => _collectEveryTrainingSteps;
        init
        {
            if (value < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(CollectEveryTrainingSteps), value,
                    "CollectEveryTrainingSteps must be 0 (never) or a positive number of steps.");
            }

            _collectEveryTrainingSteps = value;
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"SamplingTrimInterval = {(_samplingTrimInterval is { } t ? t.ToString() : "never")}, IdleTrimDelay = {(_idleTrimDelay is { } d ? d.ToString() : "never")}, CollectEveryTrainingSteps = {(_collectEveryTrainingSteps == 0 ? "never" : _collectEveryTrainingSteps)}";
}
