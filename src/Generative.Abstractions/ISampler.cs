using static TorchSharp.torch;

namespace Generative;

/// <summary>
/// The reverse (denoising) process of a diffusion model, one step at a time, with the protocol diffusers' schedulers
/// use, so that a diffusers sampling loop ports line by line:
/// <code>
/// sampler.SetTimesteps(50);
/// var x = randn(shape, generator: g) * sampler.InitNoiseSigma;
/// foreach (long t in sampler.Timesteps)
/// {
///     using var scope = NewDisposeScope();
///     var output = denoiser.Predict(sampler.ScaleModelInput(x, t), tensor(t));
///     x = sampler.Step(output, t, x, g).PrevSample.MoveToOuterDisposeScope();
/// }
/// </code>
/// </summary>
/// <remarks>
/// <para>State: <see cref="SetTimesteps"/> fixes the inference timesteps; <see cref="Step"/> may keep per-run state
/// (multistep solvers do). An instance therefore serves one sampling run at a time and is not thread-safe;
/// high-level sampling APIs create a sampler per call, so concurrent callers never share one.</para>
/// <para>Ownership: tensors in the returned <see cref="SamplerStepOutput"/> belong to the caller; the sampler never
/// disposes its inputs.</para>
/// <para>Device: results are made on the sample's device and dtype.</para>
/// </remarks>
public interface ISampler
{
    /// <summary>The forward process this sampler reverses.</summary>
    INoiseSchedule Schedule { get; }

    /// <summary>The inference timesteps, in descending order; empty until <see cref="SetTimesteps"/> is called.</summary>
    IReadOnlyList<long> Timesteps { get; }

    /// <summary>The standard deviation of the initial noise (diffusers' <c>init_noise_sigma</c>; 1 for DDPM and DDIM).</summary>
    double InitNoiseSigma { get; }

    /// <summary>Chooses the inference timesteps (diffusers' <c>set_timesteps</c>).</summary>
    /// <param name="inferenceSteps">The number of denoising steps, from 1 to <see cref="INoiseSchedule.TrainTimesteps"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The number is out of range.</exception>
    void SetTimesteps(int inferenceSteps);

    /// <summary>Scales the sample before it enters the network (diffusers' <c>scale_model_input</c>; identity for DDPM and DDIM).</summary>
    /// <param name="sample">x_t.</param>
    /// <param name="timestep">The current timestep.</param>
    /// <returns>The network's input; may be <paramref name="sample"/> itself (an alias the caller must not dispose twice).</returns>
    Tensor ScaleModelInput(Tensor sample, long timestep);

    /// <summary>One denoising step from <paramref name="timestep"/> to the next timestep of the schedule (diffusers' <c>step</c>).</summary>
    /// <param name="modelOutput">The network's output for <paramref name="sample"/> at <paramref name="timestep"/>.</param>
    /// <param name="timestep">The current timestep, one of <see cref="Timesteps"/>.</param>
    /// <param name="sample">x_t.</param>
    /// <param name="generator">The source of the step's noise, for stochastic samplers; <see langword="null"/> uses a fresh, randomly seeded one.</param>
    /// <returns>x_{t−1} and the predicted x₀.</returns>
    /// <exception cref="InvalidOperationException"><see cref="SetTimesteps"/> has not been called.</exception>
    /// <exception cref="ArgumentException">A shape does not match.</exception>
    SamplerStepOutput Step(Tensor modelOutput, long timestep, Tensor sample, Generator? generator = null);
}

/// <summary>The result of one <see cref="ISampler.Step"/>.</summary>
/// <param name="PrevSample">x_{t−1}, the sample for the next step (the final sample after the last step).</param>
/// <param name="PredictedOriginalSample">The step's estimate of the clean sample x₀, if the sampler computes one.</param>
public sealed record SamplerStepOutput(Tensor PrevSample, Tensor? PredictedOriginalSample);
