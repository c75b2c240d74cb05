using Generative.Data;
using Generative.Diffusion;
using Generative.Evaluation;
using Generative.Training;

namespace Generative.Comparison;

/// <summary>
/// A diffusion model (Ho et al. 2020) as a contender: trained once, then sampled with several samplers. The defaults
/// are: a residual SiLU MLP denoiser (<see cref="Depth"/> = 3 blocks of <see cref="Width"/> = 96 units, a 128-d sinusoidal time
/// embedding; a small UNet for images), 1000 linear-β steps, ε-prediction, Adam 1e-3 with cosine decay (under a step
/// budget), batch 256, EMA 0.999.
/// </summary>
public sealed record DiffusionContender : IComparisonContender
{
    private DiffusionContender(string name, IReadOnlyList<ContenderSampler> samplers)
    {
        Name = name;
        Samplers = samplers;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public ModelFamily Family => ModelFamily.Diffusion;

    /// <inheritdoc />
    public IReadOnlyList<ContenderSampler> Samplers { get; }

    /// <summary>
    /// Units per residual block of the MLP denoiser. Default 96: on the 25-Gaussian grid at 20,000 steps, 3 blocks of 96
    /// reached 99.1 % high-quality DDPM samples and 94.3 % with DDIM-50, against 98.7 % and 93.8 % for 2 blocks of 128,
    /// at fewer multiply-adds (docs/comparison.md).
    /// </summary>
    public int Width { get; init; } = 96;

    /// <summary>Residual blocks of the MLP denoiser. Default 3.</summary>
    public int Depth { get; init; } = 3;

    /// <summary>Samples per training step (at most the training set's size). Default 256.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>
    /// The training step's options (learning rate, prediction target, loss weighting). Default: Adam 1e-3, ε-prediction.
    /// Change it with <c>with</c>, e.g. <c>DiffusionContender.Ddpm() with { Training = new() { LearningRate = 3e-3 } }</c>; a
    /// step budget decays the rate to 0 with a warm-up cosine whatever its value.
    /// </summary>
    public DiffusionTrainingOptions Training { get; init; } = new() { LearningRate = 1e-3 };

    /// <summary>
    /// The default diffusion contender, sampled with DDPM-1000 (ancestral, Ho et al. 2020), DDIM-50, DDIM-10 and DDIM-4
    /// (deterministic, η = 0, Song et al. 2021; trailing timestep spacing, which keeps the last step at t = T − 1). DDIM-4
    /// is the naive few-step baseline: the same model in 4 network evaluations, beside the few-step families.
    /// </summary>
    /// <param name="name">The contender's name.</param>
    public static DiffusionContender Ddpm(string name = "diffusion") => new(
        name,
        [
            new ContenderSampler("ddpm-1000", "ddpm", new SamplingOptions { Sampler = "ddpm", Steps = 1000 }, 1000),
            new ContenderSampler("ddim-50", "ddim", new SamplingOptions { Sampler = "ddim", Steps = 50, Eta = 0 }, 50),
            new ContenderSampler("ddim-10", "ddim", new SamplingOptions { Sampler = "ddim", Steps = 10, Eta = 0 }, 10),
            new ContenderSampler("ddim-4", "ddim", new SamplingOptions { Sampler = "ddim", Steps = 4, Eta = 0 }, 4),
        ]);

    /// <summary>
    /// The default diffusion contender's model and training, sampled with DDIM-<paramref name="steps"/> alone
    /// (deterministic, η = 0, trailing spacing): for protocols that draw many samples, such as the 26,000 of stacked
    /// digits (docs/stacked-digits.md), where DDPM-1000 would cost 1000 network evaluations per sample.
    /// </summary>
    /// <param name="steps">DDIM steps, 1 to 1000.</param>
    /// <param name="name">The contender's name; default <c>diffusion-ddim{steps}</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="steps"/> is out of range.</exception>
    public static DiffusionContender Ddim(int steps, string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(steps, 1000);
        return new(
            name ?? $"diffusion-ddim{steps}",
            [new ContenderSampler($"ddim-{steps}", "ddim", new SamplingOptions { Sampler = "ddim", Steps = steps, Eta = 0 }, steps)]);
    }

    /// <summary>The cost of <paramref name="steps"/> steps: each is one forward and one backward pass of the denoiser on a
    /// batch of noised samples, and one update (the EMA update is not counted).</summary>
    /// <param name="data">The data.</param>
    /// <param name="steps">Training steps, at least 0.</param>
    /// <returns>The cost.</returns>
    public TrainingCost CostOfSteps(ComparisonData data, long steps)
    {
        ArgumentNullException.ThrowIfNull(data);
        return TrainingCost.SingleNetwork("denoiser", steps);
    }

    /// <inheritdoc />
    public TrainedContender Train(ContenderTrainingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return DenoiserContenderTraining.Train(request, Width, Depth, (network, source, budget) => DiffusionTrainer.Train(
            network,
            source,
            new DiffusionTrainerOptions
            {
                Training = Training,
                Steps = request.Budget.Steps ?? long.MaxValue,
                BatchSize = (int)Math.Min(BatchSize, request.Data.Count),
                Seed = request.Seed,
                EmaDecay = 0.999,
            },
            budget,
            cancellationToken: request.CancellationToken));
    }
}
