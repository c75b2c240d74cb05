using Generative.Data;
using Generative.Gan;
using Generative.TestSupport;
using Generative.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Gan;

/// <summary>The step's schedule, divergence guard, EMA, memory discipline and trainer integration.</summary>
[Collection("Sequential")]
public sealed class GanTrainingStepTests
{
    private static (MlpGenerator, MlpCritic) Tiny(int seed = 1)
    {
        var g = new Generator((ulong)seed);
        return (new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 4, HiddenWidth = 16, HiddenLayers = 2 }, g),
                new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2), HiddenWidth = 16, HiddenLayers = 2 }, g));
    }

    private static IReadOnlyDictionary<string, double> Run(GanTrainingStep step, long i, Generator g, Tensor? samples = null)
    {
        using var scope = NewDisposeScope();
        return step.Step(new TrainingBatch(samples ?? RingData.Batch(32, g)), new TrainingStepContext(i, 0, g, step.Optimizers));
    }

    private static Tensor Flat(nn.Module m) => cat(m.parameters().Select(p => p.detach().flatten()).ToList(), 0);

    [Fact]
    public void TheGeneratorIsUpdatedOnceEveryNCriticSteps()
    {
        using var scope = NewDisposeScope();
        var (generator, critic) = Tiny();
        using var gen = generator;
        using var cr = critic;
        using var step = new GanTrainingStep(generator, critic, GanTrainingOptions.WganGp() with { CriticStepsPerGeneratorStep = 3 });
        step.Optimizers.Keys.Should().BeEquivalentTo("critic", "generator");
        step.Modules.Keys.Should().BeEquivalentTo("critic", "generator");
        var g = new Generator(2);
        for (long i = 0; i < 9; i++)
        {
            var before = Flat(generator);
            var criticBefore = Flat(critic);
            var losses = Run(step, i, g);
            bool generatorStep = i % 3 == 2;
            losses.ContainsKey("generator").Should().Be(generatorStep, $"step {i}");
            losses.Keys.Should().Contain(["critic", "gradient_penalty", "real_score", "fake_score", "critic_adversarial"]);
            Flat(generator).Same(before).Should().Be(!generatorStep, $"the generator changes only on generator steps (step {i})");
            Flat(critic).Same(criticBefore).Should().BeFalse($"the critic changes on every step (step {i})");
            critic.parameters().Should().OnlyContain(p => p.requires_grad, "the critic is unfrozen after the generator step");
        }
    }

    [Fact]
    public void ExplodingCriticScoresThrowAnErrorNamingTheStep()
    {
        using var scope = NewDisposeScope();
        var (generator, critic) = Tiny();
        using var gen = generator;
        using var cr = critic;
        using var step = new GanTrainingStep(generator, critic, GanTrainingOptions.WganGp() with { MaxCriticScore = 1e-4 });
        var before = Flat(critic);
        var act = () => Run(step, 7, new Generator(1));
        act.Should().Throw<GanDivergenceException>().WithMessage("*step 7*").Which.Step.Should().Be(7);
        Flat(critic).Same(before).Should().BeTrue("the update was not applied");
    }

    [Fact]
    public void NonFiniteLossesThrowAnErrorNamingTheStepAndTheLoss()
    {
        using var scope = NewDisposeScope();
        var (generator, critic) = Tiny();
        using var gen = generator;
        using var cr = critic;
        using var step = new GanTrainingStep(generator, critic);
        var act = () => Run(step, 12, new Generator(1), full(8, 2, float.NaN));
        act.Should().Throw<NonFiniteLossException>().WithMessage("*step 12*critic*").Which.Step.Should().Be(12);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EmaGeneratorFollowsTheAverageOfTheWeights(bool warmup)
    {
        using var scope = NewDisposeScope();
        var (generator, critic) = Tiny();
        using var gen = generator;
        using var cr = critic;
        using var step = new GanTrainingStep(generator, critic, GanTrainingOptions.WganGp() with { CriticStepsPerGeneratorStep = 2, EmaDecay = 0.2, EmaWarmup = warmup });
        step.Modules.Keys.Should().Contain("generator_ema");
        var ema = step.EmaGenerator!;
        step.SamplingGenerator.Should().BeSameAs(ema);
        Flat(ema.Module).Same(Flat(generator)).Should().BeTrue("the average starts at the generator's weights");
        var g = new Generator(3);
        var expected = Flat(generator);
        for (long i = 0; i < 8; i++)
        {
            Run(step, i, g);
            if (i % 2 == 1)
            {
                // θ_avg ← d·θ_avg + (1 − d)·θ after generator update n = (i − 1) / 2, with warm-up d = min(0.2, (1 + n) / (10 + n)):
                // 0.1, 0.1818…, 0.2, 0.2 (the ramp reaches the decay at n = 2 and the average must follow it exactly).
                long n = (i - 1) / 2;
                double d = warmup ? Math.Min(0.2, (1.0 + n) / (10.0 + n)) : 0.2;
                expected = expected * d + Flat(generator) * (1 - d);
            }
        }

        Tolerance.AssertClose(Flat(ema.Module), expected, 1e-6);
    }

    [Fact]
    public void TrainingLoopsReturnToTheirLiveTensorBaseline()
    {
        var (generator, critic) = Tiny();
        using var gen = generator;
        using var cr = critic;
        using var step = new GanTrainingStep(generator, critic, GanTrainingOptions.WganGp() with { EmaDecay = 0.9 });
        var g = new Generator(4);
        for (long i = 0; i < 10; i++)
        {
            Run(step, i, g); // optimiser state is created on the first updates
        }

        long baseline = LiveTensors.Count;
        for (long i = 10; i < 210; i++)
        {
            Run(step, i, g);
        }

        LiveTensors.Count.Should().Be(baseline);

        using var spectral = new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2), HiddenWidth = 16, HiddenLayers = 2, SpectralNormalization = true }, g);
        using var hinge = new GanTrainingStep(generator, spectral, GanTrainingOptions.SpectralNormHinge());
        using var r1 = new GanTrainingStep(generator, critic, GanTrainingOptions.NonSaturatingR1());
        for (long i = 0; i < 5; i++)
        {
            Run(hinge, i, g);
            Run(r1, i, g);
        }

        baseline = LiveTensors.Count;
        for (long i = 5; i < 105; i++)
        {
            Run(hinge, i, g);
            Run(r1, i, g);
        }

        LiveTensors.Count.Should().Be(baseline);
    }

    [Fact]
    public void MismatchedNetworksAndBadOptionsAreRejected()
    {
        using var g = new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), HiddenWidth = 4 });
        using var d = new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(3), HiddenWidth = 4 });
        using var d2 = new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2), HiddenWidth = 4 });
        FluentActions.Invoking(() => new GanTrainingStep(g, d)).Should().Throw<ArgumentException>().WithMessage("*[2]*[3]*");
        FluentActions.Invoking(() => new GanTrainingStep(g, d2, new GanTrainingOptions { CriticStepsPerGeneratorStep = 0 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*CriticStepsPerGeneratorStep*");
        FluentActions.Invoking(() => new GanTrainingStep(g, d2, new GanTrainingOptions { EmaDecay = 1 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*EmaDecay*");
    }

    [Fact]
    public void TheTrainerRunsTheGanStep()
    {
        using var scope = NewDisposeScope();
        var (generator, critic) = Tiny();
        using var gen = generator;
        using var cr = critic;
        var raw = RingData.Batch(512, new Generator(5)) * 3 + 1;
        var standardization = DataStandardization.Fit(raw);
        using var standardized = new TensorDataSource(standardization.Standardize(raw), standardization: standardization);
        var (model, summary) = GanTrainer.Train(generator, critic, standardized,
            new GanTrainerOptions { Steps = 20, BatchSize = 64, EmaDecay = 0.9, Seed = 3 });
        using (model)
        {
            summary.CompletedSteps.Should().Be(20);
            summary.LossHistory.Keys.Should().Contain(["critic", "generator", "gradient_penalty"]);
            model.Generator.Should().NotBeSameAs(generator, "the model samples from the EMA generator");
            model.Standardization.Should().NotBeNull();
            model.Sample(10, new Generator(1)).shape.Should().Equal(10, 2);
        }
    }
}
