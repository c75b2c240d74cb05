using Generative.Data;
using static TorchSharp.torch;

namespace Generative.Sampling;

/// <summary>
/// The base of a trained model of any family: everything <see cref="IGenerativeModel"/> asks for that is not the family's
/// own. A family implements <see cref="DrawBatch"/> — draw one batch of samples in the units the networks work in — and
/// passes its metadata to the constructor; the base does the rest, the same way for every family: argument checks and
/// <see cref="SamplingOptions.Validate"/>, class labels, batching, cancellation between batches, a fresh generator when
/// none is given, <c>torch.inference_mode()</c>, undoing the data's standardisation, float32 CPU results the caller owns,
/// progress, and disposal.
/// </summary>
/// <remarks>
/// <para>A third family (a flow-matching model in another assembly, say) derives from it and implements
/// <see cref="DrawBatch"/> (and <see cref="Dispose(bool)"/> for its networks); diffusion-like families
/// that check or resolve per-call settings once per call override <see cref="PrepareSampling"/>.</para>
/// <para>Thread-safety: <see cref="Sample"/> and <see cref="SampleBatches"/> may be called from many threads at once as
/// long as <see cref="DrawBatch"/> keeps its state on its own stack and never changes the networks.</para>
/// </remarks>
public abstract class GenerativeModel : IGenerativeModel
{
    private int _disposed;

    /// <summary>Sets the model's metadata, checked against each other.</summary>
    /// <param name="family">The family, under the key its loader is registered with (<c>ModelFamilyRegistry</c>).</param>
    /// <param name="sampleShape">The shape of one sample.</param>
    /// <param name="classCount">The number of classes the model can be conditioned on; 0 for an unconditional model.</param>
    /// <param name="standardization">The standardisation of the training data, undone on every sample so that samples
    /// come back in data units; <see langword="null"/> when the data were used as they are.</param>
    /// <param name="featureNames">Names of the features (table columns), one per value of a sample; <see langword="null"/>
    /// takes the standardisation's names, if any.</param>
    /// <param name="defaultBatchSize">Samples per <see cref="DrawBatch"/> call when <see cref="SamplingOptions.BatchSize"/> is not set, at least 1.</param>
    /// <exception cref="ArgumentException">The family has no key, or the feature names or the standardisation do not match the sample shape.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The class count is negative or the batch size below 1.</exception>
    protected GenerativeModel(
        ModelFamily family,
        TensorShape sampleShape,
        int classCount,
        DataStandardization? standardization,
        IReadOnlyList<string>? featureNames,
        int defaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        ArgumentOutOfRangeException.ThrowIfNegative(classCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(defaultBatchSize, 1);
        if (family.Key.Length == 0)
        {
            throw new ArgumentException("The model's family must have a key, such as \"diffusion\" or the name its loader is registered under.", nameof(family));
        }

        featureNames ??= standardization?.FeatureNames;
        if (featureNames is not null && featureNames.Count != sampleShape.ElementCount)
        {
            throw new ArgumentException(
                $"Expected {sampleShape.ElementCount} feature names for samples shaped {sampleShape}, but got {featureNames.Count}.",
                nameof(featureNames));
        }

        if (standardization is not null && standardization.FeatureCount != sampleShape[0])
        {
            throw new ArgumentException(
                $"The standardisation has {standardization.FeatureCount} features, but samples shaped {sampleShape} have {sampleShape[0]} along their feature (first) dimension.",
                nameof(standardization));
        }

        Family = family;
        SampleShape = sampleShape;
        ClassCount = classCount;
        Standardization = standardization;
        FeatureNames = featureNames?.ToArray();
        DefaultSamplingBatchSize = defaultBatchSize;
    }

    /// <inheritdoc />
    public ModelFamily Family { get; }

    /// <summary>The names <see cref="SamplingOptions.Sampler"/> may take that the family itself resolves (a flow model's
    /// solvers), as registered now; <see langword="null"/> when the names are resolved elsewhere — a diffusion model's
    /// from a sampler registry (the process-wide one, or a host's) — or the family has no sampler (a GAN). Hosts check a
    /// request's sampler against it before sampling.</summary>
    public virtual IReadOnlyCollection<string>? SamplerNames => null;

    /// <inheritdoc />
    public TensorShape SampleShape { get; }

    /// <inheritdoc />
    public int ClassCount { get; }

    /// <inheritdoc />
    public IReadOnlyList<string>? FeatureNames { get; }

    /// <summary>The standardisation undone on every sample, or <see langword="null"/>.</summary>
    public DataStandardization? Standardization { get; }

    /// <summary>Samples per <see cref="DrawBatch"/> call when <see cref="SamplingOptions.BatchSize"/> is not set.</summary>
    protected int DefaultSamplingBatchSize { get; }

    /// <summary>Whether the model has been disposed.</summary>
    protected bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <inheritdoc />
    public Tensor Sample(int count, Generator? generator = null, SamplingOptions? options = null, CancellationToken cancellationToken = default)
        => BatchConcatenation.Concatenate(SampleBatches(count, generator, options, cancellationToken));

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The class labels do not fit the model (an unconditional model, a shape other than
    /// <c>[count]</c>, not int64), or the family refuses an option (<see cref="PrepareSampling"/>).</exception>
    public IEnumerable<Tensor> SampleBatches(int count, Generator? generator = null, SamplingOptions? options = null, CancellationToken cancellationToken = default)
    {
        ValidateSampling(count, options);
        var plan = PrepareSampling(count, options);
        return SampleBatchesCore(count, generator, options, plan, cancellationToken);
    }

    /// <summary>Disposes the model (its networks, as <see cref="Dispose(bool)"/> decides); later sampling calls throw
    /// <see cref="ObjectDisposedException"/>. Safe to call more than once.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Draws one batch of samples in the networks' units (the base undoes the standardisation, moves the result to
    /// the CPU as float32 and hands the caller a copy). Called inside <c>torch.inference_mode()</c> and a dispose scope:
    /// temporaries need no disposal, and the returned tensor may be any of them.</summary>
    /// <param name="batch">Which samples to draw, the generator every draw must take, the caller's labels for this batch,
    /// the options and the plan <see cref="PrepareSampling"/> made for the call.</param>
    /// <returns><c>[batch.Size, ..SampleShape]</c> on any device, in any floating-point type.</returns>
    protected abstract Tensor DrawBatch(SampleBatch batch);

    /// <summary>Checks and resolves what a family needs once per call (a sampler, a network to use, …), after the base's
    /// checks and before any batch; errors are thrown here, not while enumerating. The default makes no plan.</summary>
    /// <param name="count">How many samples the call draws.</param>
    /// <param name="options">The call's options, already checked by <see cref="SamplingOptions.Validate"/>.</param>
    /// <returns>The plan, passed to every <see cref="DrawBatch"/> call as <see cref="SampleBatch.Plan"/>.</returns>
    protected virtual object? PrepareSampling(int count, SamplingOptions? options) => null;

    /// <summary>The base's checks of a sampling call: not disposed, <paramref name="count"/> at least 1, the options valid
    /// (<see cref="SamplingOptions.Validate"/>) and the class labels fitting the model. For a family's own entry points
    /// that then call <see cref="SampleBatchesCore"/> with a plan of their own.</summary>
    /// <param name="count">How many samples.</param>
    /// <param name="options">The call's options.</param>
    /// <exception cref="ObjectDisposedException">The model has been disposed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1, an option is out of range, or a
    /// label lies outside [0, <see cref="ClassCount"/>).</exception>
    /// <exception cref="ArgumentException">The class labels do not fit the model.</exception>
    protected void ValidateSampling(int count, SamplingOptions? options)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var problems = options?.Validate();
        if (problems is { Count: > 0 })
        {
            throw new ArgumentOutOfRangeException(nameof(options), string.Join(" ", problems));
        }

        if (options?.ClassLabels is not { } labels)
        {
            return;
        }

        if (ClassCount == 0)
        {
            throw new ArgumentException("Class labels were given, but the model is unconditional; SamplingOptions.ClassLabels must be null.", nameof(options));
        }

        if (labels.Dimensions != 1 || labels.shape[0] != count)
        {
            throw new ArgumentException($"Expected class labels of shape [{count}], but got {TensorShape.Format(labels.shape)}.", nameof(options));
        }

        if (labels.dtype != ScalarType.Int64)
        {
            throw new ArgumentException($"Class labels must be int64, but are {labels.dtype}.", nameof(options));
        }

        using var min = labels.min();
        using var max = labels.max();
        long low = min.item<long>();
        long high = max.item<long>();
        if (low < 0 || high >= ClassCount)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Class labels must lie in [0, {ClassCount}); got values from {low} to {high}.");
        }
    }

    /// <summary>The sampling loop, for a call already checked by <see cref="ValidateSampling"/>: batches of
    /// <see cref="SamplingOptions.BatchSize"/> (or <see cref="DefaultSamplingBatchSize"/>), each drawn by
    /// <see cref="DrawBatch"/> under inference mode and returned in data units, float32, on the CPU.</summary>
    /// <param name="count">How many samples in all.</param>
    /// <param name="generator">The source of every random draw; <see langword="null"/> for a randomly seeded one.</param>
    /// <param name="options">The call's options.</param>
    /// <param name="plan">Passed to every batch as <see cref="SampleBatch.Plan"/>.</param>
    /// <param name="cancellationToken">Checked between batches (and by <see cref="DrawBatch"/> as it likes).</param>
    /// <returns>The batches, each owned by the caller; enumerated lazily.</returns>
    protected IEnumerable<Tensor> SampleBatchesCore(int count, Generator? generator, SamplingOptions? options, object? plan, CancellationToken cancellationToken)
    {
        int batchSize = options?.BatchSize ?? DefaultSamplingBatchSize;
        var owned = generator is null ? new Generator((ulong)Random.Shared.NextInt64(long.MaxValue)) : null;
        var g = generator ?? owned!;
        try
        {
            for (int done = 0; done < count;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int size = Math.Min(batchSize, count - done);
                var batch = new SampleBatch(done, size, count, g, options, plan, cancellationToken);
                var result = Draw(batch);
                done += size;
                NativeHeap.AfterSampledBatch(); // trims only if the application's NativeMemoryPolicy asks, at its interval
                if (!batch.ReportedSteps)
                {
                    options?.Progress?.Report(new SamplingProgress(done, count, 0, 0));
                }

                yield return result;
            }
        }
        finally
        {
            owned?.Dispose();
        }
    }

    /// <summary>Releases what the model owns.</summary>
    /// <param name="disposing"><see langword="true"/> from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }

    private Tensor Draw(SampleBatch batch)
    {
        Tensor result;
        using (inference_mode())
        using (var scope = NewDisposeScope())
        {
            var x = DrawBatch(batch);
            if (x is null || !SampleShape.MatchesBatch(x) || x.shape[0] != batch.Size)
            {
                throw new InvalidOperationException(
                    $"{GetType().Name}.DrawBatch must return [{batch.Size}, ..{SampleShape}], but returned {(x is null ? "null" : TensorShape.Format(x.shape))}.");
            }

            var inDataUnits = Standardization is null ? x : Standardization.Unstandardize(x);
            result = inDataUnits.to(CPU).to_type(ScalarType.Float32).MoveToOuterDisposeScope();
        }

        // Outside inference mode, so the caller gets an ordinary tensor.
        using (result)
        {
            return result.clone();
        }
    }
}
