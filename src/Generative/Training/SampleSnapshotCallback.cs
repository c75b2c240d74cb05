using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Training;

/// <summary>
/// Every N steps (and at the end), draws samples through a delegate and saves them as a PNG: a grid for images
/// <c>[N, C, H, W]</c>, a scatter plot for 2-D points <c>[N, 2]</c> (over the real data when given).
/// </summary>
/// <remarks>
/// <para>The sampler gets a fresh generator seeded with the same seed at every snapshot, so snapshots show the same noise
/// evolving; it never touches the run's generator, so adding this callback does not change training. Modules are put
/// in evaluation mode during sampling and back in training mode after, under <c>no_grad</c> and a dispose scope.</para>
/// <para>Files are <c>directory/step-NNNNNNNN.png</c>. Dispose the callback to release its copy of the reference points. Not thread-safe.</para>
/// </remarks>
public sealed class SampleSnapshotCallback : TrainingCallback, IDisposable
{
    private readonly Func<TrainingCallbackContext, Generator, Tensor> _sampler;
    private readonly string _directory;
    private readonly Tensor? _reference;
    private long _lastSnapshot = -1;

    /// <summary>Creates the callback.</summary>
    /// <param name="sampler">Draws samples: images <c>[N, C, H, W]</c> in [-1, 1] or points <c>[N, 2]</c>, using only the generator given.</param>
    /// <param name="directory">Where the PNG files go (created if needed).</param>
    /// <param name="everySteps">Steps between snapshots, ≥ 1.</param>
    /// <param name="seed">The seed of the snapshot generator.</param>
    /// <param name="reference">For 2-D data: reference points <c>[M, 2]</c> drawn in grey under the samples (copied).</param>
    public SampleSnapshotCallback(Func<TrainingCallbackContext, Generator, Tensor> sampler, string directory, int everySteps, long seed = 0, Tensor? reference = null)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(everySteps, 1);
        _sampler = sampler;
        _directory = directory;
        EverySteps = everySteps;
        Seed = seed;
        _reference = reference?.detach().cpu().clone().DetachFromDisposeScope();
    }

    /// <summary>Steps between snapshots.</summary>
    public int EverySteps { get; }

    /// <summary>The seed of the snapshot generator.</summary>
    public long Seed { get; }

    /// <summary>The files written so far, in order.</summary>
    public IList<string> Files { get; } = [];

    /// <inheritdoc/>
    public override void OnStepEnd(TrainingCallbackContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.CompletedSteps % EverySteps == 0)
        {
            Snapshot(context);
        }
    }

    /// <inheritdoc/>
    public override void OnTrainingEnd(TrainingCallbackContext context, TrainingSummary summary)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(summary);
        if (summary.StepsRun > 0 && _lastSnapshot != summary.CompletedSteps)
        {
            Snapshot(context);
        }
    }

    /// <summary>Releases the copy of the reference points.</summary>
    public void Dispose() => _reference?.Dispose();

    private void Snapshot(TrainingCallbackContext context)
    {
        var modules = context.TrainingStep.Modules.Values.ToList();
        var wasTraining = modules.Select(m => m.training).ToList();
        using var scope = NewDisposeScope();
        using var generator = new Generator(unchecked((ulong)Seed), context.Device);
        Tensor samples;
        try
        {
            foreach (var m in modules)
            {
                m.eval();
            }

            using (no_grad())
            {
                samples = _sampler(context, generator);
            }
        }
        finally
        {
            for (int i = 0; i < modules.Count; i++)
            {
                modules[i].train(wasTraining[i]);
            }
        }

        string path = Path.Combine(_directory, $"step-{context.CompletedSteps:D8}.png");
        if (samples.dim() == 2 && samples.shape[1] == 2)
        {
            SampleImages.SaveScatter(samples, path, _reference);
        }
        else
        {
            SampleImages.SaveGrid(samples, path);
        }

        _lastSnapshot = context.CompletedSteps;
        Files.Add(path);
    }
}
