using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>
/// A penalty added to the critic's loss that constrains its gradients (the WGAN-GP gradient penalty, the R1 penalty).
/// </summary>
/// <remarks>Implementations are immutable and thread-safe; each call runs its own critic forward passes and keeps the
/// graph (<c>create_graph</c>) so that the penalty's gradient reaches the critic's parameters. With packing
/// (<see cref="GanTrainingOptions.PackSize"/> &gt; 1) the critic passed in is a <see cref="PackedCritic"/>: it takes the
/// unpacked samples <c>[N, ..SampleShape]</c> and returns one score per pack of m consecutive samples, <c>[N / m]</c>, so a
/// gradient penalty groups its input gradients by score (<c>[scores, −1]</c>) to penalise one norm per pack.</remarks>
public interface ICriticRegularizer
{
    /// <summary>A short name for logs (<c>"gradient_penalty"</c>, <c>"r1_penalty"</c>).</summary>
    string Name { get; }

    /// <summary>Computes the penalty for one critic step.</summary>
    /// <param name="critic">The critic.</param>
    /// <param name="real">Real samples <c>[N, ..SampleShape]</c>.</param>
    /// <param name="fake">Generated samples <c>[N, ..SampleShape]</c>, detached from the generator.</param>
    /// <param name="classLabels">Labels <c>[N]</c> for a conditional critic; otherwise <see langword="null"/>.</param>
    /// <param name="generator">The source of any random draw (interpolation weights).</param>
    /// <returns>A scalar, owned by the caller, in the graph of the critic's parameters.</returns>
    Tensor Compute(IDiscriminator critic, Tensor real, Tensor fake, Tensor? classLabels, Generator generator);
}
