using static TorchSharp.torch;

namespace Generative.Training;

/// <summary>
/// Stops the run when a monitored value (a loss averaged over a window of steps, or a metric of your own) has not
/// improved by at least <see cref="MinDelta"/> for <see cref="Patience"/> checks in a row. Lower is better.
/// </summary>
/// <remarks>Its state (best value, checks without improvement, the window being averaged) goes into checkpoints. Not thread-safe.</remarks>
public sealed class EarlyStopping : TrainingCallback, ICheckpointedState
{
    private readonly string? _lossName;
    private readonly Func<TrainingCallbackContext, double?>? _metric;
    private double _windowSum;
    private long _windowCount;

    /// <summary>Monitors the mean of loss <paramref name="lossName"/> over windows of <paramref name="windowSteps"/> steps.</summary>
    /// <param name="lossName">The loss to monitor (a key of the step's losses).</param>
    /// <param name="patience">Checks without improvement before stopping, ≥ 1.</param>
    /// <param name="windowSteps">Steps per window (one check per window), ≥ 1.</param>
    /// <param name="minDelta">The improvement that counts, ≥ 0.</param>
    public static EarlyStopping OnLoss(string lossName, int patience, int windowSteps = 100, double minDelta = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(lossName);
        return new EarlyStopping(lossName, null, patience, windowSteps, minDelta);
    }

    /// <summary>Monitors a value computed every <paramref name="everySteps"/> steps (an evaluation metric, say).</summary>
    /// <param name="metric">Computes the value; returning <see langword="null"/> skips the check.</param>
    /// <param name="patience">Checks without improvement before stopping, ≥ 1.</param>
    /// <param name="everySteps">Steps between checks, ≥ 1.</param>
    /// <param name="minDelta">The improvement that counts, ≥ 0.</param>
    public static EarlyStopping OnMetric(Func<TrainingCallbackContext, double?> metric, int patience, int everySteps, double minDelta = 0)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return new EarlyStopping(null, metric, patience, everySteps, minDelta);
    }

    private EarlyStopping(string? lossName, Func<TrainingCallbackContext, double?>? metric, int patience, int everySteps, double minDelta)
    {
        _lossName = lossName;
        _metric = metric;
        ArgumentOutOfRangeException.ThrowIfLessThan(patience, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(everySteps, 1);
        if (!(minDelta >= 0) || !double.IsFinite(minDelta))
        {
            throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "The minimum improvement must be finite and at least 0.");
        }

        Patience = patience;
        EverySteps = everySteps;
        MinDelta = minDelta;
    }

    /// <summary>Checks without improvement before stopping.</summary>
    public int Patience { get; }

    /// <summary>Steps between checks.</summary>
    public int EverySteps { get; }

    /// <summary>The improvement that counts.</summary>
    public double MinDelta { get; }

    /// <summary>The best value seen (+∞ before the first check).</summary>
    public double Best { get; private set; } = double.PositiveInfinity;

    /// <summary>Consecutive checks without improvement.</summary>
    public int ChecksWithoutImprovement { get; private set; }

    /// <inheritdoc/>
    public string StateKey => "early-stopping";

    /// <inheritdoc/>
    public override void OnStepEnd(TrainingCallbackContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_lossName is not null && context.Losses.TryGetValue(_lossName, out double loss) && double.IsFinite(loss))
        {
            _windowSum += loss;
            _windowCount++;
        }

        if (context.CompletedSteps % EverySteps != 0)
        {
            return;
        }

        double? value;
        if (_metric is not null)
        {
            value = _metric(context);
        }
        else
        {
            value = _windowCount == 0 ? null : _windowSum / _windowCount;
            _windowSum = 0;
            _windowCount = 0;
        }

        if (value is not double v || double.IsNaN(v))
        {
            return;
        }

        if (v < Best - MinDelta)
        {
            Best = v;
            ChecksWithoutImprovement = 0;
        }
        else if (++ChecksWithoutImprovement >= Patience)
        {
            context.RequestStop($"early stopping: {_lossName ?? "the metric"} has not improved on {Best:G6} by {MinDelta} for {Patience} checks");
        }
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, Tensor> GetState() => new Dictionary<string, Tensor>
    {
        ["values"] = tensor(new[] { Best, _windowSum, _windowCount, ChecksWithoutImprovement }, ScalarType.Float64).DetachFromDisposeScope(),
    };

    /// <inheritdoc/>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.TryGetValue("values", out var t) || t.dtype != ScalarType.Float64 || t.numel() != 4)
        {
            throw new InvalidDataException("The early-stopping state needs a float64 'values' tensor of 4 elements.");
        }

        double[] v = t.data<double>().ToArray();
        Best = v[0];
        _windowSum = v[1];
        _windowCount = (long)v[2];
        ChecksWithoutImprovement = (int)v[3];
    }
}
