using TorchSharp;
using Generative.Data;
using static TorchSharp.torch;

namespace Generative.Training;

/// <summary>
/// One optimisation step of a model family (diffusion, GAN, or one a library author adds): the piece a trainer runs
/// once per batch. The trainer owns the loop, the data, the dispose scopes, callbacks and checkpoints; the step owns
/// the family's networks, optimisers and losses.
/// </summary>
/// <remarks>
/// <para>The trainer calls <see cref="Step"/> inside a dispose scope, with every module in training mode; tensors the
/// step makes are disposed when the call returns. Updates must go through
/// <see cref="TrainingStepContext.Optimize(string, Tensor)"/>, which applies the run's gradient clipping and its
/// non-finite policy, so that weights never receive NaN or infinity.</para>
/// <para>Every random draw in a step must come from <see cref="TrainingStepContext.Generator"/>, so that the same seed
/// gives the same run and a resumed run continues bit for bit.</para>
/// <para>Not thread-safe: one trainer drives one step object from one thread.</para>
/// </remarks>
public interface ITrainingStep : IDisposable
{
    /// <summary>The family's name, as written in checkpoints and reports: <c>"diffusion"</c>, <c>"gan"</c>, ….</summary>
    string Family { get; }

    /// <summary>
    /// The modules this step trains or keeps (an EMA copy, say), by a stable name (<c>"denoiser"</c>, <c>"generator"</c>,
    /// <c>"critic"</c>). Checkpoints save and restore their parameters and buffers under these names.
    /// </summary>
    IReadOnlyDictionary<string, nn.Module> Modules { get; }

    /// <summary>The optimisers, by a stable name; learning-rate schedules apply to each, and checkpoints keep their state.</summary>
    IReadOnlyDictionary<string, optim.Optimizer> Optimizers { get; }

    /// <summary>Runs one optimisation step on a batch.</summary>
    /// <param name="batch">The batch, on the modules' device.</param>
    /// <param name="context">The step number, the run's generator and the update path.</param>
    /// <returns>The losses of this step by name (<c>"loss"</c>; for a GAN <c>"critic"</c>, <c>"generator"</c>, …), as numbers.</returns>
    IReadOnlyDictionary<string, double> Step(TrainingBatch batch, TrainingStepContext context);
}
