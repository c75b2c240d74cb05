using Generative.DenoisingGan;
using Generative.Evaluation;
using Generative.Training;

namespace Generative.Comparison;

/// <summary>
/// A denoising diffusion GAN (Xiao, Kreis and Vahdat 2022) as a contender: T steps of the discretised VP-SDE
/// (β 0.1 to 20), each a conditional GAN; one row <c>ddgan-{T}</c> with T generator evaluations per sample. The
/// networks are MLPs for points, vectors and tables: the generator G(x_t, z, t) (<see cref="MlpDenoisingGenerator"/>) and a
/// time-conditioned critic D(x_{t−1}, x_t, t) (<see cref="MlpPairCritic"/>: a step embedding added in every layer). Training is
/// the step's: one discriminator and one generator update per step, non-saturating loss with R1 on real pairs, Adam
/// β = (0.5, 0.9), EMA of the generator, constant learning rates (<see cref="LearningRateSchedule"/>). Unconditional data only (class-labelled data is refused), and no images.
/// </summary>
public sealed class DenoisingGanContender : IComparisonContender
{
    /// <summary>A contender with <paramref name="steps"/> denoising steps; its settings are the init properties.</summary>
    /// <param name="steps">T, 1 to 1000 (the paper uses 2, 4 and 8). Default 4.</param>
    /// <param name="name">The contender's name; default <c>ddgan-{T}</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="steps"/> is out of range.</exception>
    public DenoisingGanContender(int steps = 4, string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(steps, 1000);
        Name = name ?? $"ddgan-{steps}";
        Steps = steps;
        Samplers = [new ContenderSampler($"ddgan-{steps}", DenoisingGanModel.SamplerName, new SamplingOptions(), steps)];
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public ModelFamily Family { get; } = new(DenoisingGanModel.FamilyKey);

    /// <inheritdoc />
    public IReadOnlyList<ContenderSampler> Samplers { get; }

    /// <summary>T, the number of denoising steps (and network evaluations per sample).</summary>
    public int Steps { get; }

    /// <summary>Samples per training step (at most the training set's size). Default 256.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Hidden units per layer of the generator and the critic. Default 128.</summary>
    public int HiddenWidth { get; init; } = 128;

    /// <summary>Hidden layers of the generator and the critic. Default 3.</summary>
    public int HiddenLayers { get; init; } = 3;

    /// <summary>The latent dimension of the generator. Default 4.</summary>
    public int LatentDimension { get; init; } = 4;

    /// <summary>Decay of the generator's EMA, per step. Default 0.999, the other contenders'.</summary>
    public double EmaDecay { get; init; } = 0.999;

    /// <summary>The forward process's β range (its <see cref="DenoisingGanProcessOptions.Steps"/> is always
    /// <see cref="Steps"/>); the paper's VP-SDE values by default.</summary>
    public DenoisingGanProcessOptions Process { get; init; } = new();

    /// <summary>
    /// The learning-rate schedule of both optimisers under a step budget, as a factor of the base rates per step;
    /// <see langword="null"/> (the default) or <see cref="Training.LearningRateSchedule.Constant"/> for constant rates,
    /// as the GAN contenders (on the grid at 10,000 steps the diffusion contender's warm-up cosine decay to 0 gave
    /// ddgan-2 a lower high-quality fraction: docs/ddgan.md). Constant under a time-only budget (a decay needs the run's
    /// length).
    /// </summary>
    public LearningRateSchedule? LearningRateSchedule { get; init; }

    /// <summary>
    /// The cost of <paramref name="steps"/> steps, counted from <see cref="DenoisingGanTrainingStep"/> as
    /// <see cref="GanContender.CostOfSteps"/> counts a GAN's. Every step updates the discriminator: the generator predicts
    /// x₀ for the fake pairs without gradients (generator: 1 forward), the discriminator scores the real and the fake pairs
    /// and the loss is backpropagated through both (2 forward, 2 backward), and R1 (when γ &gt; 0) scores the real pairs once
    /// more, differentiates the scores for x_{t−1} and backpropagates through that gradient (1 forward, 2 backward, the
    /// double backward counted as one). Then the generator is updated: it predicts x₀ and the discriminator scores the fake
    /// pair (1 forward each), and the loss is backpropagated through both (1 backward each). So a step is 12 network
    /// evaluations with R1 and 9 without; the forward process's draws, the EMA update and sampling are not counted.
    /// </summary>
    /// <param name="data">The data (the count does not depend on it).</param>
    /// <param name="steps">Training steps, at least 0.</param>
    /// <returns>The cost, with the discriminator's and the generator's work.</returns>
    public TrainingCost CostOfSteps(ComparisonData data, long steps)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        long penalty = Training.R1Gamma > 0 ? steps : 0;
        return new TrainingCost(
        [
            new NetworkWork(DenoisingGanTrainingStep.CriticName, steps, (3 * steps) + penalty, (3 * steps) + (2 * penalty)),
            new NetworkWork(DenoisingGanTrainingStep.GeneratorName, steps, 2 * steps, steps),
        ]);
    }

    /// <summary>Learning rates, betas and R1's γ. Default: Adam 1e-3 for both networks, β = (0.5, 0.9), γ = 0.1.</summary>
    public DenoisingGanTrainingOptions Training { get; init; } = new()
    {
        GeneratorLearningRate = 1e-3,
        CriticLearningRate = 1e-3,
        R1Gamma = 0.1,
    };

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">The data are images or class-labelled.</exception>
    public TrainedContender Train(ContenderTrainingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var data = request.Data;
        var shape = data.SampleShape;
        if (shape.Rank != 1)
        {
            throw new NotSupportedException($"The {Name} contender trains MLPs on vectors; samples shaped {shape} are not supported.");
        }

        if (data.ClassCount > 0)
        {
            throw new NotSupportedException($"The {Name} contender is unconditional, but the data have {data.ClassCount} classes.");
        }

        using var init = new TorchSharp.torch.Generator((ulong)request.Seed);
        var generator = new MlpDenoisingGenerator(
            new MlpDenoisingGeneratorOptions { SampleShape = shape, LatentDimension = LatentDimension, HiddenWidth = HiddenWidth, HiddenLayers = HiddenLayers, Steps = Steps },
            init);
        var critic = new MlpPairCritic(
            new MlpPairCriticOptions { SampleShape = shape, Steps = Steps, HiddenWidth = HiddenWidth, HiddenLayers = HiddenLayers },
            init);
        try
        {
            long parameters = ModelCost.ParameterCount(generator.Module, trainableOnly: true) + ModelCost.ParameterCount(critic.Module, trainableOnly: true);
            using var source = ComparisonSources.Create(data);
            var (model, summary) = DenoisingGanTrainer.Train(
                generator,
                critic,
                source,
                new DenoisingGanTrainerOptions
                {
                    Training = Training,
                    Process = Process with { Steps = Steps },
                    Steps = request.Budget.Steps ?? long.MaxValue,
                    BatchSize = (int)Math.Min(BatchSize, data.Count),
                    Seed = request.Seed,
                    EmaDecay = EmaDecay,
                },
                builder =>
                {
                    if (request.Budget.Duration is { } duration)
                    {
                        builder.WithDuration(duration);
                    }

                    if (LearningRateSchedule is { } schedule && request.Budget.Steps is not null)
                    {
                        builder.WithLearningRateSchedule(schedule);
                    }

                    if (request.Progress is not null)
                    {
                        builder.WithProgress(request.Progress, everySteps: 100);
                    }
                },
                cancellationToken: request.CancellationToken);
            if (request.CancellationToken.IsCancellationRequested)
            {
                model.Dispose();
                request.CancellationToken.ThrowIfCancellationRequested();
            }

            return new TrainedContender(model, summary, parameters, DenoisingGanTrainingStep.CriticName);
        }
        catch
        {
            generator.Module.Dispose();
            throw;
        }
        finally
        {
            critic.Module.Dispose();
        }
    }
}
