using Generative.Data;
using Generative.Evaluation;
using Generative.Gan;
using Generative.Training;

namespace Generative.Comparison;

/// <summary>
/// A GAN as a contender. Networks are sized for the data: MLPs with three hidden layers of 128 units for points,
/// vectors and tables (<see cref="HiddenWidth"/>) with a 2-d latent for 2-D points and a 64-d latent otherwise
/// (<see cref="LatentDimension"/>); DCGAN-style convolutional networks for images.
/// </summary>
public sealed class GanContender : IComparisonContender
{
    private readonly GanTrainingOptions _imageTraining;
    private readonly GanTrainingOptions _vectorTraining;
    private readonly bool _spectralNormalization;
    private readonly bool _pacGanNetworks;

    private GanContender(string name, GanTrainingOptions imageTraining, GanTrainingOptions vectorTraining, bool spectralNormalization, bool pacGanNetworks = false)
    {
        Name = name;
        _imageTraining = imageTraining;
        _vectorTraining = vectorTraining;
        _spectralNormalization = spectralNormalization;
        _pacGanNetworks = pacGanNetworks;
        Samplers = [new ContenderSampler(name, "generator", new SamplingOptions(), 1)];
    }

    /// <summary>Further callbacks of the training run (e.g. a learning curve that samples
    /// <see cref="GanTrainingStep.SamplingGenerator"/> every n steps), added after the contender's own settings. Empty by
    /// default; see <see cref="WithCallbacks"/>. A callback must leave the networks as it found them (training mode,
    /// weights untouched).</summary>
    public IReadOnlyList<ITrainingCallback> Callbacks { get; private init; } = [];

    /// <summary>Where <see cref="Train"/> writes checkpoints (and resumes from the latest one there, if any), or
    /// <see langword="null"/> (default) for none; see <see cref="WithCallbacks"/>.</summary>
    public string? CheckpointDirectory { get; private init; }

    /// <summary>Steps between checkpoints when <see cref="CheckpointDirectory"/> is set. Default 10,000.</summary>
    public int CheckpointEverySteps { get; private init; } = 10_000;

    /// <summary>The same contender (name, networks, training and settings) with these training callbacks and, optionally,
    /// checkpoints: a long run (PacGAN's 400,000 steps) can then stop and continue where it stopped, to the same figures
    /// as one uninterrupted run (the trainer's resume).</summary>
    /// <param name="callbacks">The callbacks; each run of <see cref="Train"/> uses them, so make them for one run.</param>
    /// <param name="checkpointDirectory">A folder for one run's checkpoints (resumed from when it holds one), or <see langword="null"/>.</param>
    /// <param name="checkpointEverySteps">Steps between checkpoints, at least 1.</param>
    /// <returns>A new contender.</returns>
    public GanContender WithCallbacks(IReadOnlyList<ITrainingCallback> callbacks, string? checkpointDirectory = null, int checkpointEverySteps = 10_000)
    {
        ArgumentNullException.ThrowIfNull(callbacks);
        ArgumentOutOfRangeException.ThrowIfLessThan(checkpointEverySteps, 1);
        return Copy(Name, LearningRateSchedule, [.. callbacks], checkpointDirectory, checkpointEverySteps);
    }

    /// <summary>The same contender (networks, training, settings, callbacks) under another name and learning-rate
    /// schedule (<see cref="LearningRateSchedule"/>).</summary>
    /// <param name="schedule">The schedule, or <see langword="null"/> for constant rates.</param>
    /// <param name="name">The new contender's name; <see langword="null"/> keeps this one's.</param>
    /// <returns>A new contender.</returns>
    public GanContender WithLearningRateSchedule(LearningRateSchedule? schedule, string? name = null) =>
        Copy(name ?? Name, schedule, Callbacks, CheckpointDirectory, CheckpointEverySteps);

    /// <summary>This contender's networks, training and settings with the given name, schedule, callbacks and checkpoints:
    /// the one place that lists the settings a copy carries over.</summary>
    private GanContender Copy(string name, LearningRateSchedule? schedule, IReadOnlyList<ITrainingCallback> callbacks, string? checkpointDirectory, int checkpointEverySteps) =>
        new(name, _imageTraining, _vectorTraining, _spectralNormalization, _pacGanNetworks)
        {
            BatchSize = BatchSize, HiddenWidth = HiddenWidth, LatentDimension = LatentDimension, EmaDecay = EmaDecay, LearningRateSchedule = schedule, Callbacks = callbacks,
            CheckpointDirectory = checkpointDirectory, CheckpointEverySteps = checkpointEverySteps, BatchNormRecomputeBatches = BatchNormRecomputeBatches,
        };

    /// <summary>m, the samples the critic judges together (1: no packing).</summary>
    public int PackSize => _vectorTraining.PackSize;

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public ModelFamily Family => ModelFamily.Gan;

    /// <inheritdoc />
    public IReadOnlyList<ContenderSampler> Samplers { get; }

    /// <summary>Samples per training step (at most the training set's size, rounded down to a multiple of
    /// <see cref="PackSize"/>). Default 256; PacGAN's contenders 100 packs, 100·m samples.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>
    /// Hidden units per layer of the MLP generator and critic, positive. Default 128. With the 2-d
    /// latent on the 25-Gaussian grid, 128 units gave WGAN-GP 24–25 modes and 38–71 % high-quality samples at 20,000
    /// steps where 64 units gave 23–25 modes and 11–19 % (docs/comparison.md), at about twice the training time.
    /// </summary>
    public int HiddenWidth { get; init; } = 128;

    /// <summary>
    /// The latent dimension of the MLP generator, or <see langword="null"/> (default) for 2 on 2-D points (the noise
    /// of the WGAN-GP authors' toy-data script, <c>gan_toy.py</c>) and 64 on other vectors and tables. On the
    /// 25-Gaussian grid a 64-d latent left WGAN-GP's samples spread over the square between the modes (3–14 %
    /// high-quality at 10,000–20,000 steps); a 2-d one concentrates them (docs/comparison.md).
    /// </summary>
    public int? LatentDimension { get; init; }

    /// <summary>
    /// Decay of the exponential moving average of the generator's weights that the model samples from (Yazıcı et al.
    /// 2019), per <em>training step</em>, in (0, 1). Default 0.999, the diffusion contender's, so both families get the
    /// same help: the same averaging window of about 1 / (1 − d) = 1,000 steps. The generator is updated once every
    /// n_critic steps, so its average uses d^n_critic per generator update (0.995 for WGAN-GP's n_critic = 5), with the
    /// usual warm-up (<see cref="GanTrainerOptions.EmaDecay"/>). 0 samples from the trained generator's last weights (a
    /// copy; PacGAN's contenders, as the paper).
    /// </summary>
    public double EmaDecay { get; init; } = 0.999;

    /// <summary>
    /// The learning-rate schedule of both networks' optimisers under a step budget (or a budget in network evaluations,
    /// which the runner turns into steps), as a factor of the base rates per training step; <see langword="null"/> or
    /// <see cref="Training.LearningRateSchedule.Constant"/> for constant rates, and constant under a time-only budget (a
    /// decay needs the run's length). The generator is updated every n_critic steps at the factor of its step.
    /// </summary>
    public LearningRateSchedule? LearningRateSchedule { get; init; }

    /// <summary>
    /// Batches over which the sampling generator's batch-norm population statistics are recomputed at its final weights
    /// (<see cref="BatchNormStatistics"/>), each of the size the generator normalised over in training, on points,
    /// vectors and tables (the image networks keep their running averages); 0 (default) keeps the running averages
    /// training left. PacGAN's contenders: 50, as the monitoring pass (50 batches at fixed weights) that precedes each
    /// scoring in the authors' 2-D code. Not negative.
    /// </summary>
    public int BatchNormRecomputeBatches
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    }

    /// <summary>Recomputes a generator's batch-norm population statistics as this contender does after training
    /// (<see cref="BatchNormRecomputeBatches"/> batches of the size its generator normalised over on these data, latents
    /// drawn from the run's seed), e.g. to score a run part-way; nothing when <see cref="BatchNormRecomputeBatches"/> is 0
    /// or the data are images.</summary>
    /// <param name="generator">The generator to update (the run's sampling generator or a copy of it).</param>
    /// <param name="data">The data the run trains on (the batch size depends on their count).</param>
    /// <param name="seed">The run's seed.</param>
    /// <returns>The number of batch-norm layers recomputed.</returns>
    public int RecomputeBatchNormStatistics(IGenerator generator, ComparisonData data, long seed)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(data);
        if (BatchNormRecomputeBatches == 0 || data.SampleShape.Rank != 1)
        {
            return 0;
        }

        var training = _vectorTraining;
        int batch = TrainingBatchSize(data, training);
        int perCall = training.GeneratePackSlotsSeparately ? batch / training.PackSize : batch;
        using var random = new TorchSharp.torch.Generator(unchecked((ulong)seed + BatchNormRecomputeSeedOffset));
        return BatchNormStatistics.Recompute(generator, BatchNormRecomputeBatches, Math.Max(perCall, 2), random);
    }

    // Keeps the recompute's latents apart from the training's (seeded with the run's seed itself).
    private const ulong BatchNormRecomputeSeedOffset = 0x5EED_B47C;

    private int TrainingBatchSize(ComparisonData data, GanTrainingOptions training) =>
        (int)(Math.Min(BatchSize, data.Count) / training.PackSize * training.PackSize);

    /// <summary>
    /// The original GAN with the non-saturating generator loss (Goodfellow et al. 2014), one critic step per generator
    /// step, Adam 2e-4, β = (0.5, 0.999) (DCGAN's setting, Radford et al. 2016), no regulariser.
    /// </summary>
    /// <param name="name">The contender's name.</param>
    public static GanContender Vanilla(string name = "gan") =>
        new(name, VanillaTraining, VanillaTraining, spectralNormalization: false);

    /// <summary>
    /// <see cref="Vanilla"/>'s GAN — the same networks, losses, optimiser and batch of samples — with a packed critic
    /// (PacGAN's packing, Lin et al. 2018): it judges <paramref name="packSize"/> samples concatenated as one input, so
    /// a batch of 256 samples gives it 256 / m packs. Unlike <see cref="PacGan"/>, which is the paper's whole setup.
    /// </summary>
    /// <param name="packSize">m, 2 to 16.</param>
    /// <param name="name">The contender's name; default <c>gan-pack{m}</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="packSize"/> is out of range.</exception>
    public static GanContender PackedVanilla(int packSize, string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(packSize, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(packSize, 16);
        var training = VanillaTraining with { PackSize = packSize };
        return new(name ?? $"gan-pack{packSize}", training, training, spectralNormalization: false);
    }

    /// <summary>
    /// WGAN-GP (Gulrajani et al. 2017) with the authors' setting for toy data: Wasserstein loss, gradient penalty
    /// λ = 0.1 (their <c>gan_toy.py</c>: "smaller lambda seems to help for toy tasks"; λ = 10 is their image setting), 5
    /// critic steps per generator step, Adam β = (0.5, 0.9), with the learning rate raised from 1e-4 to
    /// <see cref="WganGpToyLearningRate"/> because a CPU comparison trains for tens of thousands of steps, not the
    /// toy script's 500,000. Optionally with a spectrally normalised critic (Miyato et al. 2018). For images, λ = 10
    /// and Adam 1e-4 (the paper's image setting).
    /// </summary>
    /// <param name="spectralNormalization">Whether to normalise the critic's layers spectrally.</param>
    /// <param name="name">The contender's name; default <c>wgan-gp</c> or <c>wgan-gp-sn</c>.</param>
    public static GanContender WganGp(bool spectralNormalization = false, string? name = null) =>
        new(name ?? (spectralNormalization ? "wgan-gp-sn" : "wgan-gp"), GanTrainingOptions.WganGp(), WganGpToy, spectralNormalization);

    /// <summary>Adam's learning rate of the WGAN-GP contender on points, vectors and tables: 1e-3.</summary>
    public const double WganGpToyLearningRate = 1e-3;

    /// <summary>The gradient-penalty weight of the WGAN-GP contender on points, vectors and tables: 0.1.</summary>
    public const double WganGpToyPenaltyWeight = 0.1;

    private static GanTrainingOptions WganGpToy => GanTrainingOptions.WganGp() with
    {
        Regularizer = new GradientPenalty(WganGpToyPenaltyWeight),
        CriticLearningRate = WganGpToyLearningRate,
        GeneratorLearningRate = WganGpToyLearningRate,
    };

    /// <summary>
    /// PacGAN (Lin, Khetan, Fanti &amp; Oh 2018, arXiv:1712.04086) with the setup of its 2-D grid and ring experiments
    /// (Table 1), as the authors' released configuration (<c>synthetic_data_experiments/2DGrid_GAN&amp;PacGAN/config.py</c>)
    /// sets it: the original GAN's losses (discriminator cross-entropy on logits, non-saturating generator loss), no
    /// regulariser; generator 4 × 400 (Linear without bias → BatchNorm → ReLU) with a 2-d N(0, I) latent (batch norm with
    /// PyTorch's ε 1e-5: the authors' Blocks adds 1e-4, which trained no better here, see docs/gan.md); discriminator
    /// 3 × maxout(200 units, 5 pieces) judging packs of m samples; every weight N(0, 0.02²), biases 0; Adam lr 1e-4,
    /// β₁ = 0.8 (β₂ = 0.999, Adam's default); 100 packs per step (100·m samples); one discriminator and one generator update
    /// per step, both from the same batch and the same gradients' point (<see cref="GanTrainingOptions.SimultaneousUpdates"/>,
    /// ALI's algorithm, which the authors' code trains with); each slot of the packs generated by its own generator call
    /// (<see cref="GanTrainingOptions.GeneratePackSlotsSeparately"/>: batch statistics per slot, as theirs); no weight averaging (<see cref="EmaDecay"/> 0); the batch-norm
    /// population statistics recomputed over 50 batches at the final weights before sampling (<see cref="BatchNormRecomputeBatches"/>, as
    /// the authors' monitoring pass; 2-D and other vector data only). m = 1 is the paper's "GAN" row. Images: the DCGAN
    /// networks, with the discriminator's channels multiplied by m (PacDCGAN), and DCGAN's Adam (2e-4, β₁ 0.5).
    /// </summary>
    /// <param name="packSize">m, 1 to 16.</param>
    /// <param name="name">The contender's name; default <c>pacgan{m}</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="packSize"/> is out of range.</exception>
    public static GanContender PacGan(int packSize, string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(packSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(packSize, 16);
        var vector = new GanTrainingOptions
        {
            Loss = new NonSaturatingLoss(),
            Regularizer = null,
            CriticStepsPerGeneratorStep = 1,
            CriticLearningRate = PacGanLearningRate,
            GeneratorLearningRate = PacGanLearningRate,
            Beta1 = PacGanBeta1,
            Beta2 = 0.999,
            PackSize = packSize,
            SimultaneousUpdates = true,
            GeneratePackSlotsSeparately = true,
        };
        return new GanContender(name ?? $"pacgan{packSize}", VanillaTraining with { PackSize = packSize }, vector, spectralNormalization: false, pacGanNetworks: true)
        {
            BatchSize = PacGanPacksPerBatch * packSize,
            EmaDecay = 0,
            BatchNormRecomputeBatches = PacGanBatchNormRecomputeBatches,
        };
    }

    /// <summary>PacGAN's Adam learning rate on the 2-D mixtures: 1e-4.</summary>
    public const double PacGanLearningRate = 1e-4;

    /// <summary>PacGAN's Adam β₁ on the 2-D mixtures: 0.8.</summary>
    public const double PacGanBeta1 = 0.8;

    /// <summary>PacGAN's mini-batch on the 2-D mixtures: 100 packs (each example of its data stream is a pack).</summary>
    public const int PacGanPacksPerBatch = 100;

    /// <summary>Batches of PacGAN's monitoring pass, which refreshes the batch-norm population averages at fixed weights
    /// before each scoring: 50 (5,000 examples in batches of 100).</summary>
    public const int PacGanBatchNormRecomputeBatches = 50;

    /// <summary>PacGAN's weight initialisation: N(0, 0.02²), biases 0.</summary>
    public const double PacGanInitStandardDeviation = 0.02;

    private static (IGenerator, IDiscriminator) PacGanVectorNetworks(TensorShape shape, int packSize, TorchSharp.torch.Generator init) =>
        (new MlpGenerator(new MlpGeneratorOptions
        {
            SampleShape = shape, LatentDimension = 2, HiddenWidth = 400, HiddenLayers = 4, BatchNormalization = true,
            WeightInitStandardDeviation = PacGanInitStandardDeviation,
        }, init),
         new MlpCritic(new MlpCriticOptions
         {
             SampleShape = PackedCritic.PackedShape(shape, packSize), HiddenWidth = 200, HiddenLayers = 3, MaxoutPieces = 5,
             WeightInitStandardDeviation = PacGanInitStandardDeviation,
         }, init));

    private static GanTrainingOptions VanillaTraining => GanTrainingOptions.NonSaturatingR1() with { Regularizer = null };

    /// <summary>
    /// The cost of <paramref name="steps"/> GAN steps, counted from <see cref="GanTrainingStep"/>. Every step updates the
    /// critic: the generator makes a batch without gradients (generator: 1 forward), the critic scores the real and the
    /// fake batch and the loss is backpropagated through both (critic: 2 forward, 2 backward); a regulariser (the
    /// gradient penalty of <c>wgan-gp</c>) scores one more batch and differentiates the scores for the input, then its
    /// loss is backpropagated through that gradient, a double backward counted as one more backward (critic: 1 forward,
    /// 2 backward; in arithmetic the double backward costs about two backwards, so this undercounts). Every n_critic-th
    /// step also updates the generator: it makes a batch and the critic scores it (1 forward each), and the loss is
    /// backpropagated through the frozen critic into the generator (1 backward each). So a <c>gan</c> step is 9 network
    /// evaluations, and five <c>wgan-gp</c> steps are 44 (8.8 a step). With simultaneous updates (<c>pacgan{m}</c>) the
    /// generator's batch is the critic's, made once with its graph: 8 a step. The EMA update and sampling are not counted.
    /// </summary>
    /// <param name="data">The data (images and vectors use different settings).</param>
    /// <param name="steps">Training steps, at least 0.</param>
    /// <returns>The cost, with the critic's and the generator's work.</returns>
    public TrainingCost CostOfSteps(ComparisonData data, long steps)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        var training = data.SampleShape.Rank == 1 ? _vectorTraining : _imageTraining;
        long generatorSteps = steps / training.CriticStepsPerGeneratorStep;
        long penalty = training.Regularizer is null ? 0 : steps;
        long generatorForwards = training.SimultaneousUpdates ? steps : steps + generatorSteps; // simultaneous: one batch serves both
        return new TrainingCost(
        [
            new NetworkWork(GanTrainingStep.CriticName, steps, (2 * steps) + penalty + generatorSteps, (2 * steps) + (2 * penalty) + generatorSteps),
            new NetworkWork(GanTrainingStep.GeneratorName, generatorSteps, generatorForwards, generatorSteps),
        ]);
    }

    /// <inheritdoc />
    public TrainedContender Train(ContenderTrainingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var data = request.Data;
        var shape = data.SampleShape;
        int classes = data.ClassCount;
        using var init = new TorchSharp.torch.Generator((ulong)request.Seed);
        IGenerator generator;
        IDiscriminator critic;
        var training = _imageTraining;
        if (shape.Rank == 1 && _pacGanNetworks)
        {
            (generator, critic) = PacGanVectorNetworks(shape, PackSize, init);
            training = _vectorTraining;
        }
        else if (shape.Rank == 1)
        {
            int latent = LatentDimension ?? (shape[0] == 2 ? 2 : 64);
            generator = new MlpGenerator(new MlpGeneratorOptions { SampleShape = shape, ClassCount = classes, HiddenWidth = HiddenWidth, LatentDimension = latent }, init);
            critic = new MlpCritic(new MlpCriticOptions { SampleShape = PackedCritic.PackedShape(shape, PackSize), ClassCount = classes, HiddenWidth = HiddenWidth, SpectralNormalization = _spectralNormalization }, init);
            training = _vectorTraining;
        }
        else
        {
            int size = (int)shape[1];
            generator = new ConvGenerator(new ConvGeneratorOptions { ImageSize = size, Channels = (int)shape[0], ClassCount = classes }, init);
            int packSize = _imageTraining.PackSize;
            critic = new ConvCritic(new ConvCriticOptions { ImageSize = size, Channels = (int)shape[0] * packSize, ClassCount = classes, SpectralNormalization = _spectralNormalization }, init);
        }

        try
        {
            long parameters = ModelCost.ParameterCount(generator.Module, trainableOnly: true) + ModelCost.ParameterCount(critic.Module, trainableOnly: true);
            using var source = ComparisonSources.Create(data);
            var (model, summary) = GanTrainer.Train(
                generator,
                critic,
                source,
                new GanTrainerOptions
                {
                    Training = training,
                    EmaDecay = Math.Pow(EmaDecay, training.CriticStepsPerGeneratorStep),
                    Steps = request.Budget.Steps ?? long.MaxValue,
                    BatchSize = TrainingBatchSize(data, training),
                    Seed = request.Seed,
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

                    foreach (var callback in Callbacks)
                    {
                        builder.WithCallback(callback);
                    }

                    if (CheckpointDirectory is { } checkpoints)
                    {
                        builder.WithCheckpointing(checkpoints, CheckpointEverySteps, keep: 1);
                        if (Directory.Exists(checkpoints) && Directory.EnumerateFileSystemEntries(checkpoints).Any())
                        {
                            builder.ResumeFrom(checkpoints);
                        }
                    }
                },
                cancellationToken: request.CancellationToken);
            if (request.CancellationToken.IsCancellationRequested)
            {
                model.Dispose();
                request.CancellationToken.ThrowIfCancellationRequested();
            }

            try
            {
                RecomputeBatchNormStatistics(model.Generator, data, request.Seed);
            }
            catch
            {
                model.Dispose();
                throw;
            }

            return new TrainedContender(model, summary, parameters, GanTrainingStep.CriticName);
        }
        finally
        {
            // The model samples from the EMA generator, which it owns; the trained networks are ours to release.
            generator.Module.Dispose();
            critic.Module.Dispose();
        }
    }
}
