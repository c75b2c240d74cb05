using Generative.Comparison;
using Generative.Gan;
using Generative.Training;

namespace Generative.Tests.Comparison;

/// <summary>PacGAN's contenders: the authors' networks and settings, packs in training, callbacks of a learning curve.</summary>
public sealed class PacGanContenderTests
{
    [Fact]
    public void PacGan_contenders_train_the_papers_networks_with_packs_of_m()
    {
        using var data = ComparisonData.FromBuiltIn("grid", trainCount: 1_000, seed: 0);
        var steps = new List<(long Step, int PackSize)>();
        var probe = new Probe(steps);
        var contender = ((GanContender)ContenderRegistry.Default.Create(["pacgan2"])[0]).WithCallbacks([probe]);
        contender.Name.Should().Be("pacgan2");
        contender.PackSize.Should().Be(2);
        contender.BatchSize.Should().Be(200, "100 packs of 2 samples");
        contender.EmaDecay.Should().Be(0, "PacGAN samples its trained generator");
        contender.BatchNormRecomputeBatches.Should().Be(50, "the authors' monitoring pass refreshes the averages over 50 batches");
        using var trained = contender.Train(new ContenderTrainingRequest(data, new ComparisonBudget(20), 0, null, CancellationToken.None));

        // Generator: 2·400 + 3·400² (no biases before batch norm) + 4 · 2·400 (scale, shift) + 400·2 + 2 = 484,802.
        // Discriminator on packs of 2 points (4 inputs): (4 + 1)·1000 + 2·(200 + 1)·1000 + 201 = 407,201.
        trained.ParameterCount.Should().Be(484_802 + 407_201);
        trained.Summary.CompletedSteps.Should().Be(20);
        steps.Should().HaveCount(20).And.OnlyContain(s => s.PackSize == 2);
        var generator = (MlpGenerator)((GanModel)trained.Model).Generator;
        generator.Options.Should().Match<MlpGeneratorOptions>(o => o.BatchNormalization && o.HiddenLayers == 4 && o.HiddenWidth == 400 && o.LatentDimension == 2 && o.WeightInitStandardDeviation == 0.02 && o.BatchNormEpsilon == 1e-5,
            "PacGAN's generator, with PyTorch's batch-norm ε (docs/gan.md measures the authors' 1e-4: no better)");

        // The model samples with batch-norm statistics recomputed at its final weights, not training's running averages;
        // recomputing again from the run's seed gives them exactly.
        var trainedMean = generator.Module.state_dict()["body.1.running_mean"].clone();
        trainedMean.allclose(probe.LastRunningMean!, rtol: 1e-3, atol: 1e-6).Should().BeFalse("the running averages of training are replaced");
        contender.RecomputeBatchNormStatistics(generator, data, 0).Should().Be(4);
        generator.Module.state_dict()["body.1.running_mean"].allclose(trainedMean, rtol: 0, atol: 0).Should().BeTrue("the recompute is deterministic");
        GanContender.Vanilla().BatchNormRecomputeBatches.Should().Be(0);
        GanContender.Vanilla().RecomputeBatchNormStatistics(generator, data, 0).Should().Be(0, "0 batches: no recompute");
        using (var digits = ComparisonData.FromBuiltIn("digits", trainCount: 200, seed: 0))
        {
            contender.RecomputeBatchNormStatistics(generator, digits, 0).Should().Be(0, "the image networks keep their running averages");
        }

        GanContender.PacGan(1).Name.Should().Be("pacgan1");
        FluentActions.Invoking(() => GanContender.PacGan(0)).Should().Throw<ArgumentOutOfRangeException>();
    }

    private sealed class Probe(List<(long, int)> steps) : TrainingCallback
    {
        public TorchSharp.torch.Tensor? LastRunningMean { get; private set; }

        public override void OnStepEnd(TrainingCallbackContext context)
        {
            var step = (GanTrainingStep)context.TrainingStep;
            LastRunningMean?.Dispose();
            LastRunningMean = step.SamplingGenerator.Module.state_dict()["body.1.running_mean"].clone().DetachFromDisposeScope();
            var critic = (MlpCritic)step.Critic;
            step.Options.Should().Match<GanTrainingOptions>(o => o.Loss is NonSaturatingLoss && o.Regularizer == null && o.SimultaneousUpdates && o.GeneratePackSlotsSeparately && o.Beta1 == 0.8 && o.CriticLearningRate == 1e-4 && o.GeneratorLearningRate == 1e-4);
            critic.Options.Should().Match<MlpCriticOptions>(o => o.MaxoutPieces == 5 && o.HiddenLayers == 3 && o.HiddenWidth == 200);
            steps.Add((context.Step, step.Options.PackSize));
        }
    }
}
