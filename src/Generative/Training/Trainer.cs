using System.Diagnostics;
using System.Globalization;
using Generative.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.Training;

/// <summary>
/// Runs a <see cref="ITrainingStep"/> over batches of an <see cref="IDataSource"/>: one loop for every model family,
/// with learning-rate schedules, gradient clipping, a non-finite policy, callbacks, checkpoints that resume bit for bit,
/// progress, logging and cancellation. Create one with <see cref="For"/>.
/// </summary>
/// <remarks>
/// <para>Each step runs inside its own dispose scope, with every module in training mode. One <see cref="torch.Generator"/>
/// seeded from the run's seed drives the data order and every draw of the step, so the same seed gives the same run,
/// and a run resumed from a checkpoint continues exactly as the uninterrupted run would have.</para>
/// <para>The trainer owns its generator; it does not own the step, the data source or the callbacks. Not thread-safe:
/// run it from one thread (DisposeScopes are thread-local; do not <c>await</c> inside <see cref="Run"/>).</para>
/// </remarks>
public sealed partial class Trainer : IDisposable
{
    private readonly IDataSource _data;
    private readonly List<ITrainingCallback> _callbacks;
    private readonly IProgress<TrainingProgress>? _progress;
    private readonly Dictionary<string, List<Parameter>> _parameters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double[]> _baseLearningRates = new(StringComparer.Ordinal);
    private readonly HashSet<string> _fusableGradientChecks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FlatGradients?> _flatGradients = new(StringComparer.Ordinal);
    private readonly DataOrder _order;
    private readonly Generator _generator;
    private readonly List<DivergenceEvent> _divergences = [];
    private string? _stopRequest;
    private bool _disposed;

    internal Trainer(ITrainingStep step, IDataSource data, TrainerOptions options, List<ITrainingCallback> callbacks, ILogger? logger, IProgress<TrainingProgress>? progress)
    {
        TrainingStep = step;
        _data = data;
        Options = options;
        _callbacks = callbacks;
        Logger = logger ?? NullLogger.Instance;
        _progress = progress;
        Device = step.Modules.Values.SelectMany(m => m.parameters()).Select(p => p.device).FirstOrDefault() ?? CPU;
        foreach (var (name, optimizer) in step.Optimizers)
        {
            var groups = optimizer.ParamGroups.Cast<ParamGroup>().ToList();
            _parameters[name] = [.. groups.SelectMany(g => g.Parameters)];
            _baseLearningRates[name] = [.. groups.Select(g => g.InitialLearningRate > 0 ? g.InitialLearningRate : g.LearningRate)];
            var first = _parameters[name].FirstOrDefault();
            if (first is not null && _parameters[name].All(p => p.device_type == first.device_type && p.device_index == first.device_index && p.is_contiguous()))
            {
                _fusableGradientChecks.Add(name);
            }
        }

        _order = new DataOrder(data.Count, options.BatchSize, options.LastBatch);
        _generator = new Generator(unchecked((ulong)options.Seed), Device);
    }

    /// <summary>Starts building a trainer for <paramref name="step"/>.</summary>
    /// <param name="step">The training step (diffusion, GAN, or your own); not owned by the trainer.</param>
    public static TrainerBuilder For(ITrainingStep step) => new(step);

    /// <summary>The training step.</summary>
    public ITrainingStep TrainingStep { get; }

    /// <summary>The validated options.</summary>
    public TrainerOptions Options { get; }

    /// <summary>The device of the modules (where batches are sent).</summary>
    public Device Device { get; }

    /// <summary>The logger (a null logger when none was given).</summary>
    public ILogger Logger { get; }

    /// <summary>Global steps completed (0, or the resumed checkpoint's count, plus the steps run since).</summary>
    public long CompletedSteps { get; private set; }

    /// <summary>The epoch of the next batch, from 0.</summary>
    public int Epoch => _order.Epoch;

    /// <summary>The multiplier applied to the learning rate by roll-backs (1 until a roll-back happens).</summary>
    public double RollBackLearningRateMultiplier { get; private set; } = 1.0;

    /// <summary>The directory of the last checkpoint written or resumed from, or <see langword="null"/>.</summary>
    public string? LastCheckpoint { get; private set; }

    internal int RollBackCount { get; private set; }

    /// <summary>
    /// Trains until the step count or the duration is reached, a callback asks to stop, or
    /// <paramref name="cancellationToken"/> is cancelled (checked between steps; the run then writes a checkpoint when
    /// checkpointing is on and returns with <see cref="TrainingStopReason.Cancelled"/>, it does not throw).
    /// </summary>
    /// <param name="cancellationToken">Stops the run between steps.</param>
    /// <returns>What the run did.</returns>
    /// <exception cref="NonFiniteLossException">A loss or gradient was not finite and the policy is to throw (or roll-backs are exhausted).</exception>
    public TrainingSummary Run(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var clock = Stopwatch.StartNew();
        long firstStep = CompletedSteps;
        long stepsRun = 0;
        var history = new Dictionary<string, List<LossPoint>>(StringComparer.Ordinal);
        IReadOnlyDictionary<string, double> lastLosses = new Dictionary<string, double>();
        _divergences.Clear();
        _stopRequest = null;
        TrainingStopReason reason;
        foreach (var module in TrainingStep.Modules.Values)
        {
            module.train();
        }

        if (Logger.IsEnabled(LogLevel.Information))
        {
            TrainerLog.Started(Logger, TrainingStep.Family, CompletedSteps, DescribeOptions()); // the description is built only when logged
        }
        if (Options.NonFinitePolicy == NonFinitePolicy.RollBack && LastCheckpoint is null && Options.CheckpointDirectory is not null)
        {
            // Something to roll back to before the first periodic checkpoint.
            WritePeriodicCheckpoint();
        }

        while (true)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                reason = TrainingStopReason.Cancelled;
                break;
            }

            if (Options.TotalSteps is long total && CompletedSteps >= total)
            {
                reason = TrainingStopReason.StepsCompleted;
                break;
            }

            if (Options.Duration is TimeSpan limit && clock.Elapsed >= limit)
            {
                reason = TrainingStopReason.DurationElapsed;
                break;
            }

            long step = CompletedSteps;
            ApplyLearningRate(step);
            DivergenceEvent? divergence;
            IReadOnlyDictionary<string, double> losses;
            int epoch;
            using (var scope = NewDisposeScope())
            {
                epoch = _order.Epoch;
                long[] indices = _order.NextBatch(_generator);
                using var indexTensor = tensor(indices, ScalarType.Int64);
                var batch = _data.ReadBatch(indexTensor, Device);
                var context = new TrainerStepContext(this, step, epoch, _generator, cancellationToken);
                losses = TrainingStep.Step(batch, context);
                divergence = context.Divergence;
            }

            stepsRun++;
            bool epochEnded = _order.EpochJustEnded;
            if (divergence is not null && Options.NonFinitePolicy == NonFinitePolicy.RollBack)
            {
                RollBack(divergence);
                continue;
            }

            CompletedSteps = step + 1;
            lastLosses = losses;
            foreach (var (name, value) in losses)
            {
                if (!history.TryGetValue(name, out var list))
                {
                    history[name] = list = [];
                }

                list.Add(new LossPoint(step, value));
            }

            var callbackContext = new TrainingCallbackContext(this, step, epoch, losses);
            foreach (var callback in _callbacks)
            {
                callback.OnStepEnd(callbackContext);
            }

            if (epochEnded)
            {
                foreach (var callback in _callbacks)
                {
                    callback.OnEpochEnd(callbackContext);
                }
            }

            if (Options.CheckpointDirectory is not null && CompletedSteps % Options.CheckpointEverySteps == 0)
            {
                WritePeriodicCheckpoint();
            }

            if (CompletedSteps % Options.LogEverySteps == 0 && Logger.IsEnabled(LogLevel.Information))
            {
                TrainerLog.StepReport(Logger, CompletedSteps, epoch, FormatLosses(losses), stepsRun / Math.Max(clock.Elapsed.TotalSeconds, 1e-9));
            }

            if (_progress is not null && CompletedSteps % Options.ProgressEverySteps == 0)
            {
                _progress.Report(MakeProgress(clock.Elapsed, stepsRun, losses));
            }

            int collectEvery = NativeMemoryPolicy.Current.CollectEveryTrainingSteps; // the application's; 0 by default
            if (collectEvery > 0 && CompletedSteps % collectEvery == 0)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                NativeHeap.Trim(); // the finalised Scalars' and freed activations' pages go back to the system
            }

            if (_stopRequest is not null)
            {
                reason = TrainingStopReason.StoppedByCallback;
                break;
            }
        }

        if (Options.CheckpointDirectory is not null && stepsRun > 0 && _lastCheckpointStep != CompletedSteps)
        {
            WritePeriodicCheckpoint();
        }

        clock.Stop();
        var summary = new TrainingSummary(
            firstStep,
            CompletedSteps,
            stepsRun,
            _order.Epoch,
            clock.Elapsed,
            history.ToDictionary(p => p.Key, p => (IReadOnlyList<LossPoint>)p.Value.AsReadOnly(), StringComparer.Ordinal),
            [.. _divergences],
            reason,
            _stopRequest,
            LastCheckpoint);
        _progress?.Report(MakeProgress(clock.Elapsed, stepsRun, lastLosses));
        var endContext = new TrainingCallbackContext(this, Math.Max(0, CompletedSteps - 1), _order.EpochOfLastBatch, lastLosses);
        foreach (var callback in _callbacks)
        {
            callback.OnTrainingEnd(endContext, summary);
        }

        TrainerLog.Stopped(Logger, CompletedSteps, clock.Elapsed, reason, _stopRequest ?? string.Empty);
        return summary;
    }

    /// <summary>Disposes the run's generator (not the step, the data or the callbacks).</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _generator.Dispose();
            foreach (var flat in _flatGradients.Values)
            {
                flat?.Dispose();
            }
        }
    }

    internal IReadOnlyList<Parameter> ParametersOf(string optimizerName) => _parameters[optimizerName];

    /// <summary>Whether the parameters of optimiser <paramref name="optimizerName"/> are contiguous and share one device, so that the step
    /// context can check the loss and all their gradients with one concatenation (decided once, when the trainer is built).</summary>
    internal bool CanFuseGradientCheck(string optimizerName) => _fusableGradientChecks.Contains(optimizerName);

    /// <summary>The flat gradients of optimiser <paramref name="optimizerName"/>, once made (after its first update), or
    /// <see langword="null"/>.</summary>
    internal FlatGradients? FlatGradientsOf(string optimizerName) => _flatGradients.GetValueOrDefault(optimizerName);

    /// <summary>After the first update of optimiser <paramref name="optimizerName"/> (its gradients now exist): makes its
    /// flat gradients when they can be made; tried once.</summary>
    internal void AfterFirstUpdate(string optimizerName, optim.Optimizer optimizer)
    {
        if (!_flatGradients.ContainsKey(optimizerName))
        {
            _flatGradients[optimizerName] = FlatGradients.Supports(optimizer) && !SharesParameters(optimizerName)
                ? FlatGradients.TryCreate(_parameters[optimizerName])
                : null;
        }
    }

    // A parameter in two optimisers cannot have its gradient in two buffers.
    private bool SharesParameters(string optimizerName)
    {
        var mine = _parameters[optimizerName].Select(p => p.Handle).ToHashSet();
        return _parameters.Any(other => other.Key != optimizerName && other.Value.Any(p => mine.Contains(p.Handle)));
    }

    internal void RequestStop(string reason) => _stopRequest ??= reason;

    internal void OnDivergence(DivergenceEvent e)
    {
        _divergences.Add(e);
        TrainerLog.NonFinite(Logger, e.InGradient ? "gradient" : "loss", e.LossName, e.Step, e.Value, e.Action);
    }

    private void ApplyLearningRate(long step)
    {
        double factor = Options.LearningRateSchedule.Factor(step, Options.TotalSteps) * RollBackLearningRateMultiplier;
        foreach (var (name, optimizer) in TrainingStep.Optimizers)
        {
            double[] bases = _baseLearningRates[name];
            int i = 0;
            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate = bases[i++] * factor;
            }
        }
    }

    private TrainingProgress MakeProgress(TimeSpan elapsed, long stepsRun, IReadOnlyDictionary<string, double> losses)
    {
        double rate = stepsRun / Math.Max(elapsed.TotalSeconds, 1e-9);
        TimeSpan? eta = null;
        if (Options.TotalSteps is long total && rate > 0)
        {
            eta = TimeSpan.FromSeconds(Math.Max(0, total - CompletedSteps) / rate);
        }

        if (Options.Duration is TimeSpan limit)
        {
            var left = limit - elapsed;
            left = left < TimeSpan.Zero ? TimeSpan.Zero : left;
            eta = eta is null || left < eta ? left : eta;
        }

        return new TrainingProgress(CompletedSteps, Options.TotalSteps, _order.Epoch, losses, rate, elapsed, eta);
    }

    private static string FormatLosses(IReadOnlyDictionary<string, double> losses) =>
        string.Join(", ", losses.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:G5}")));

    private string DescribeOptions() => string.Create(
        CultureInfo.InvariantCulture,
        $"steps {Options.TotalSteps?.ToString(CultureInfo.InvariantCulture) ?? "-"}, duration {Options.Duration?.ToString() ?? "-"}, batch {Options.BatchSize} ({Options.LastBatch}), seed {Options.Seed}, lr schedule {Options.LearningRateSchedule}, clip {Options.GradientClipNorm?.ToString(CultureInfo.InvariantCulture) ?? "off"}, non-finite {Options.NonFinitePolicy}, checkpoints {Options.CheckpointDirectory ?? "off"}, {_data.Count} samples of {_data.SampleShape}");
}
