namespace Generative.Gan;

/// <summary>
/// How a <see cref="GanTrainingStep"/> trains: the adversarial loss, the critic's regulariser, the critic/generator step
/// ratio, the Adam settings of the two optimisers, the generator EMA and the divergence guard. The defaults are WGAN-GP's
/// (Gulrajani et al. 2017, arXiv:1704.00028): Wasserstein loss, gradient penalty λ = 10, 5 critic steps per generator
/// step, Adam lr 1e-4 with β = (0.5, 0.9) for both networks (the paper's Algorithm 1 lists β = (0, 0.9); its released
/// experiments use (0.5, 0.9)). Validated when the step is built.
/// </summary>
public sealed record GanTrainingOptions
{
    /// <summary>The adversarial loss. Default <see cref="WassersteinLoss"/>.</summary>
    public IGanLoss Loss { get; init; } = new WassersteinLoss();

    /// <summary>The critic's regulariser, or <see langword="null"/> for none. Default <see cref="GradientPenalty"/> with λ = 10.</summary>
    public ICriticRegularizer? Regularizer { get; init; } = new GradientPenalty();

    /// <summary>Critic updates per generator update (n_critic), at least 1. Default 5 (WGAN-GP). Each call of
    /// <see cref="GanTrainingStep.Step"/> is one critic update on its batch; every n_critic-th call also updates the generator.</summary>
    public int CriticStepsPerGeneratorStep { get; init; } = 5;

    /// <summary>The critic's Adam learning rate, positive. Default 1e-4 (WGAN-GP).</summary>
    public double CriticLearningRate { get; init; } = 1e-4;

    /// <summary>The generator's Adam learning rate, positive. Default 1e-4 (WGAN-GP).</summary>
    public double GeneratorLearningRate { get; init; } = 1e-4;

    /// <summary>Adam's β₁ for both optimisers, in [0, 1). Default 0.5.</summary>
    public double Beta1 { get; init; } = 0.5;

    /// <summary>Adam's β₂ for both optimisers, in [0, 1). Default 0.9.</summary>
    public double Beta2 { get; init; } = 0.9;

    /// <summary>For a <see cref="GanTrainingStep"/> used on its own: the decay of an exponential moving average of the
    /// generator's weights (e.g. 0.999; Yazıcı et al. 2019, arXiv:1806.04498), in [0, 1); <see langword="null"/> (default)
    /// keeps no average. <see cref="GanTrainer"/> sets it from <see cref="GanTrainerOptions.EmaDecay"/> (on by default) and
    /// refuses a value here.</summary>
    public double? EmaDecay { get; init; }

    /// <summary>
    /// Whether the generator average's decay ramps up as <c>min(EmaDecay, (1 + n) / (10 + n))</c> over the first
    /// generator updates n = 0, 1, … (<see cref="Training.ExponentialMovingAverage.WarmupDecay"/>). Default
    /// <see langword="true"/>: without it the average starts at the untrained initial weights and keeps
    /// e^(−n(1 − d)) of them after n updates, which dominates short runs (37 % after 1,000 updates at d = 0.999).
    /// </summary>
    public bool EmaWarmup { get; init; } = true;

    /// <summary>
    /// m, the samples the critic judges together (packing; Lin et al. 2018, "PacGAN", arXiv:1712.04086), at least 1.
    /// Default 1: the critic scores each sample alone. With m &gt; 1 each batch is cut into packs of m consecutive samples,
    /// real packs and generated packs, and the critic scores one concatenated input per pack (<see cref="PackedCritic"/>):
    /// build it for <see cref="PackedCritic.PackedShape"/>(sample shape, m), e.g. an <see cref="MlpCritic"/> with
    /// <c>SampleShape = [m·d]</c>. The batch size must be a multiple of m; regularisers penalise one gradient norm per
    /// pack. Unconditional GANs only.
    /// </summary>
    public int PackSize { get; init; } = 1;

    /// <summary>
    /// Whether each step takes the critic's and the generator's gradients at the same point, before either network moves:
    /// one latent draw, one generated batch, the critic's gradient on (real, generated) and the generator's gradient
    /// through the critic's current weights, then both updates (simultaneous gradient descent, as the released code of
    /// ALI, Dumoulin et al. 2017, and of PacGAN trains). Default <see langword="false"/>: alternating updates, the critic
    /// first and then the generator with a fresh latent draw against the updated critic (Goodfellow et al. 2014,
    /// Algorithm 1; WGAN-GP). Needs <see cref="CriticStepsPerGeneratorStep"/> = 1.
    /// </summary>
    public bool SimultaneousUpdates { get; init; }

    /// <summary>
    /// With <see cref="PackSize"/> = m &gt; 1: whether the generator makes each slot of the packs in its own call, slot j of
    /// every pack from one call of n/m samples, as PacGAN's code does (one generator application per slot), so a
    /// generator with batch normalisation normalises each slot's samples on their own. Default <see langword="false"/>:
    /// one call for the whole batch. The latent draw is the same either way; without batch statistics the samples are too.
    /// </summary>
    public bool GeneratePackSlotsSeparately { get; init; }

    /// <summary>The largest <see cref="PackSize"/> accepted: 1024.</summary>
    public const int MaxPackSize = 1024;

    /// <summary>The divergence guard: a critic step whose mean real or fake score exceeds this magnitude throws
    /// <see cref="GanDivergenceException"/>. Positive. Default 1e6.</summary>
    public double MaxCriticScore { get; init; } = 1e6;

    /// <summary>WGAN-GP (Gulrajani et al. 2017): the defaults of this record.</summary>
    public static GanTrainingOptions WganGp() => new();

    /// <summary>Hinge loss with a spectrally normalised critic (Miyato et al. 2018, arXiv:1802.05957): no regulariser,
    /// 1 critic step per generator step, Adam lr 2e-4, β = (0.5, 0.999) (the paper's DCGAN-style setting). Build the
    /// critic with <c>SpectralNormalization = true</c>.</summary>
    public static GanTrainingOptions SpectralNormHinge() => new()
    {
        Loss = new HingeLoss(),
        Regularizer = null,
        CriticStepsPerGeneratorStep = 1,
        CriticLearningRate = 2e-4,
        GeneratorLearningRate = 2e-4,
        Beta1 = 0.5,
        Beta2 = 0.999,
    };

    /// <summary>The non-saturating loss (Goodfellow et al. 2014) with the R1 penalty γ = 10 (Mescheder et al. 2018,
    /// arXiv:1801.04406), 1 critic step per generator step, Adam lr 2e-4, β = (0.5, 0.999) (DCGAN, Radford et al. 2016).</summary>
    public static GanTrainingOptions NonSaturatingR1() => new()
    {
        Loss = new NonSaturatingLoss(),
        Regularizer = new R1Penalty(),
        CriticStepsPerGeneratorStep = 1,
        CriticLearningRate = 2e-4,
        GeneratorLearningRate = 2e-4,
        Beta1 = 0.5,
        Beta2 = 0.999,
    };

    /// <summary>Checks the options, as <see cref="GanTrainingStep"/> and <see cref="GanTrainer"/> do before training.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public void Validate() => Validate("options");

    internal void Validate(string parameterName)
    {
        if (Loss is null)
        {
            throw new ArgumentException("Loss must be set.", parameterName);
        }

        GanNetworkHelpers.Require(CriticStepsPerGeneratorStep >= 1, parameterName, $"CriticStepsPerGeneratorStep must be at least 1; got {CriticStepsPerGeneratorStep}.");
        GanNetworkHelpers.Require(CriticLearningRate > 0 && double.IsFinite(CriticLearningRate), parameterName, $"CriticLearningRate must be positive; got {CriticLearningRate}.");
        GanNetworkHelpers.Require(GeneratorLearningRate > 0 && double.IsFinite(GeneratorLearningRate), parameterName, $"GeneratorLearningRate must be positive; got {GeneratorLearningRate}.");
        GanNetworkHelpers.Require(Beta1 >= 0 && Beta1 < 1, parameterName, $"Beta1 must lie in [0, 1); got {Beta1}.");
        GanNetworkHelpers.Require(Beta2 >= 0 && Beta2 < 1, parameterName, $"Beta2 must lie in [0, 1); got {Beta2}.");
        GanNetworkHelpers.Require(EmaDecay is null || (EmaDecay >= 0 && EmaDecay < 1), parameterName, $"EmaDecay must lie in [0, 1) or be null; got {EmaDecay}.");
        GanNetworkHelpers.Require(!SimultaneousUpdates || CriticStepsPerGeneratorStep == 1, parameterName, $"SimultaneousUpdates needs CriticStepsPerGeneratorStep = 1; got {CriticStepsPerGeneratorStep}.");
        GanNetworkHelpers.Require(PackSize is >= 1 and <= MaxPackSize, parameterName, $"PackSize must lie in [1, {MaxPackSize}]; got {PackSize}.");
        GanNetworkHelpers.Require(MaxCriticScore > 0, parameterName, $"MaxCriticScore must be positive; got {MaxCriticScore}.");
    }
}
