using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Generative.Training;

/// <summary>One evaluation's metrics.</summary>
/// <param name="Step">Steps completed when it ran.</param>
/// <param name="Metrics">The metrics by name.</param>
public sealed record EvaluationResult(long Step, IReadOnlyDictionary<string, double> Metrics);

/// <summary>
/// Every N steps (and optionally at the end), computes metrics through a delegate (e.g. the comparison metrics), logs
/// them and keeps their history. Combine with <see cref="EarlyStopping.OnMetric"/> by reading <see cref="Latest"/>.
/// </summary>
/// <remarks>The delegate runs on the training thread between steps; it should use its own generator. Not thread-safe.</remarks>
public sealed class PeriodicEvaluationCallback : TrainingCallback
{
    private static readonly Action<ILogger, long, string, Exception?> LogMetrics =
        LoggerMessage.Define<long, string>(LogLevel.Information, new EventId(20, "Evaluation"), "Evaluation at step {Step}: {Metrics}");

    private readonly Func<TrainingCallbackContext, IReadOnlyDictionary<string, double>> _evaluate;
    private readonly bool _atEnd;
    private readonly List<EvaluationResult> _history = [];

    /// <summary>Creates the callback.</summary>
    /// <param name="evaluate">Computes the metrics.</param>
    /// <param name="everySteps">Steps between evaluations, ≥ 1.</param>
    /// <param name="atEnd">Whether to evaluate once more when the run stops (if the last step was not evaluated).</param>
    public PeriodicEvaluationCallback(Func<TrainingCallbackContext, IReadOnlyDictionary<string, double>> evaluate, int everySteps, bool atEnd = true)
    {
        ArgumentNullException.ThrowIfNull(evaluate);
        ArgumentOutOfRangeException.ThrowIfLessThan(everySteps, 1);
        _evaluate = evaluate;
        EverySteps = everySteps;
        _atEnd = atEnd;
    }

    /// <summary>Steps between evaluations.</summary>
    public int EverySteps { get; }

    /// <summary>Every evaluation so far, in order.</summary>
    public IReadOnlyList<EvaluationResult> History => _history;

    /// <summary>The latest evaluation, or <see langword="null"/>.</summary>
    public EvaluationResult? Latest => _history.Count == 0 ? null : _history[^1];

    /// <inheritdoc/>
    public override void OnStepEnd(TrainingCallbackContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.CompletedSteps % EverySteps == 0)
        {
            Evaluate(context, context.CompletedSteps);
        }
    }

    /// <inheritdoc/>
    public override void OnTrainingEnd(TrainingCallbackContext context, TrainingSummary summary)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(summary);
        if (_atEnd && summary.StepsRun > 0 && Latest?.Step != summary.CompletedSteps)
        {
            Evaluate(context, summary.CompletedSteps);
        }
    }

    private void Evaluate(TrainingCallbackContext context, long step)
    {
        var metrics = new Dictionary<string, double>(_evaluate(context), StringComparer.Ordinal);
        _history.Add(new EvaluationResult(step, metrics));
        if (context.Logger.IsEnabled(LogLevel.Information))
        {
            LogMetrics(context.Logger, step, string.Join(", ", metrics.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:G5}"))), null);
        }
    }
}
