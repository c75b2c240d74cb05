using Generative.Data;
using Generative.Evaluation;
using Generative.Gan;
using Generative.Training;

namespace Generative.Comparison;

/// <summary>
/// A GAN as a contender. Networks are sized for the data: MLPs with three hidden layers of <see cref="HiddenWidth"/>
/// units (64-d latent) for points, vectors and tables; DCGAN-style convolutional networks for images.
/// </summary>
public sealed class GanContender : IComparisonContender
{
    private readonly GanTrainingOptions _training;
    private readonly bool _spectralNormalization;

    private GanContender(string name, GanTrainingOptions training, bool spectralNormalization)
    {
        Name = name;
        _training = training;
        _spectralNormalization = spectralNormalization;
        Samplers = [new ContenderSampler(name, "generator", new SamplingOptions(), 1)];
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public ModelFamily Family => ModelFamily.Gan;

    /// <inheritdoc />
    public IReadOnlyList<ContenderSampler> Samplers { get; }

    /// <summary>Samples per training step (at most the training set's size). Default 256.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Hidden units per layer of the MLP generator and critic. Default 128 (cheap enough for a CPU comparison).</summary>
    public int HiddenWidth { get; init; } = 128;

    /// <summary>
    /// Decay of the exponential moving average of the generator's weights that the model samples from (Yazıcı et al.
    /// 2019), in (0, 1). Default 0.999, the same as the diffusion contender's, so both families get the same help.
    /// </summary>
    public double EmaDecay { get; init; } = 0.999;

    /// <summary>
    /// The original GAN with the non-saturating generator loss (Goodfellow et al. 2014), one critic step per generator
    /// step, Adam 2e-4, β = (0.5, 0.999) (DCGAN's setting, Radford et al. 2016), no regulariser.
    /// </summary>
    /// <param name="name">The contender's name.</param>
    public static GanContender Vanilla(string name = "gan") =>
        new(name, GanTrainingOptions.NonSaturatingR1() with { Regularizer = null }, spectralNormalization: false);

    /// <summary>
    /// WGAN-GP (Gulrajani et al. 2017): Wasserstein loss, gradient penalty λ = 10, 5 critic steps per generator step,
    /// Adam 1e-4, β = (0.5, 0.9); optionally with a spectrally normalised critic (Miyato et al. 2018).
    /// </summary>
    /// <param name="spectralNormalization">Whether to normalise the critic's layers spectrally.</param>
    /// <param name="name">The contender's name; default <c>wgan-gp</c> or <c>wgan-gp-sn</c>.</param>
    public static GanContender WganGp(bool spectralNormalization = false, string? name = null) =>
        new(name ?? (spectralNormalization ? "wgan-gp-sn" : "wgan-gp"), GanTrainingOptions.WganGp(), spectralNormalization);

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
        if (shape.Rank == 1)
        {
            generator = new MlpGenerator(new MlpGeneratorOptions { SampleShape = shape, ClassCount = classes, HiddenWidth = HiddenWidth }, init);
            critic = new MlpCritic(new MlpCriticOptions { SampleShape = shape, ClassCount = classes, HiddenWidth = HiddenWidth, SpectralNormalization = _spectralNormalization }, init);
        }
        else
        {
            int size = (int)shape[1];
            generator = new ConvGenerator(new ConvGeneratorOptions { ImageSize = size, Channels = (int)shape[0], ClassCount = classes }, init);
            critic = new ConvCritic(new ConvCriticOptions { ImageSize = size, Channels = (int)shape[0], ClassCount = classes, SpectralNormalization = _spectralNormalization }, init);
        }

        try
        {
            long parameters = ModelCost.ParameterCount(generator.Module, trainableOnly: true) + ModelCost.ParameterCount(critic.Module, trainableOnly: true);
            using var source = ComparisonSources.Create(data);
            var (model, summary) = GanModel.Train(
                generator,
                critic,
                source,
                request.Budget.Steps ?? long.MaxValue,
                (int)Math.Min(BatchSize, data.Count),
                _training with { EmaDecay = EmaDecay },
                request.Seed,
                builder =>
                {
                    if (request.Budget.Duration is { } duration)
                    {
                        builder.WithDuration(duration);
                    }

                    if (request.Progress is not null)
                    {
                        builder.WithProgress(request.Progress, everySteps: 100);
                    }
                });
            request.CancellationToken.ThrowIfCancellationRequested();
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
