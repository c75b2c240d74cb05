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
/// faulted in again by the next batch; that is why it is off by default and runs at a time cadence, not per batch.
/// With <see cref="SamplingTrimInterval"/> set, at most one thread trims per interval, whichever sampling thread finishes
/// a batch first after the interval has passed (a compare-and-swap decides); concurrent requests never trim together.</para>
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
///     SamplingTrimInterval = TimeSpan.FromSeconds(10),
///     CollectEveryTrainingSteps = 1000,
/// };
/// </code>
/// </example>
public sealed class NativeMemoryPolicy
{
    private static NativeMemoryPolicy? _current;
    private readonly TimeSpan? _samplingTrimInterval;
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
    /// <see langword="null"/> (the default): never. <see cref="TimeSpan.Zero"/>: after every batch. An interval costs about
    /// one trim per interval, and a trim costs a quarter to a third of the batch after it (the call plus re-faulting the
    /// pages it released; measured 30–45 ms against a 90–111 ms 512-sample DDIM-50 batch of a 2-D model, 64 ms against
    /// 253 ms at 1,000). So 1 s costs 3–11 % of sampling time (and lowers that model's peak resident memory from
    /// 330–380 MB to 280–300 MB), 10 s about 1 % or less (the peak stays at the untrimmed plateau; the pages go back
    /// between bursts); after every batch, 25–29 % for 205–260 MB. docs/performance.md ("Memory").
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
        $"SamplingTrimInterval = {(_samplingTrimInterval is { } t ? t.ToString() : "never")}, CollectEveryTrainingSteps = {(_collectEveryTrainingSteps == 0 ? "never" : _collectEveryTrainingSteps)}";
}
