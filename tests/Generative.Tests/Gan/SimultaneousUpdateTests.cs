using Generative.Data;
using Generative.Gan;
using Generative.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Gan;

/// <summary><see cref="GanTrainingOptions.SimultaneousUpdates"/>: both gradients at the same point, as ALI's and PacGAN's code train.</summary>
[Collection("Sequential")]
public sealed class SimultaneousUpdateTests
{
    private const int Steps = 3;
    private const int BatchSize = 12;

    // PacGAN's networks in miniature and in float64: batch-normalised generator (running statistics move every step),
    // maxout critic judging packs of 2.
    private static (MlpGenerator Generator, MlpCritic Critic) Networks()
    {
        var init = new Generator(11);
        var generator = new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 2, HiddenWidth = 6, HiddenLayers = 2, BatchNormalization = true, WeightInitStandardDeviation = 0.5 }, init);
        var critic = new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(4), HiddenWidth = 5, HiddenLayers = 2, MaxoutPieces = 3, WeightInitStandardDeviation = 0.5 }, init);
        generator.to(ScalarType.Float64);
        critic.to(ScalarType.Float64);
        return (generator, critic);
    }

    private static GanTrainingOptions Options(bool simultaneous) => new()
    {
        Loss = new NonSaturatingLoss(),
        Regularizer = null,
        CriticStepsPerGeneratorStep = 1,
        CriticLearningRate = 0.05,
        GeneratorLearningRate = 0.03,
        Beta1 = 0.8,
        Beta2 = 0.999,
        PackSize = 2,
        SimultaneousUpdates = simultaneous,
    };

    private static Tensor Batch(int i) => randn(BatchSize, 2, dtype: ScalarType.Float64, generator: new Generator((ulong)(100 + i)));

    private static double[] State(nn.Module generator, nn.Module critic) =>
        [.. generator.state_dict().Values.Concat(critic.state_dict().Values)
            .Where(t => t.is_floating_point())
            .SelectMany(t => t.detach().flatten().data<double>().ToArray())];

    private static double[] TrainWithTheStep(bool simultaneous)
    {
        using var scope = NewDisposeScope();
        var (generator, critic) = Networks();
        using (generator)
        using (critic)
        using (var step = new GanTrainingStep(generator, critic, Options(simultaneous)))
        {
            var rng = new Generator(5);
            for (int i = 0; i < Steps; i++)
            {
                using var inner = NewDisposeScope();
                step.Step(new TrainingBatch(Batch(i)), new TrainingStepContext(i, 0, rng, step.Optimizers));
            }

            return State(generator, critic);
        }
    }

    // The reference, written from ALI's algorithm: one z, one G(z); the generator's loss through the critic and the
    // critic's loss on (real, G(z)) are both built, both back-propagated, and only then are both optimisers stepped.
    private static double[] TrainWithTheReference()
    {
        using var scope = NewDisposeScope();
        var (generator, critic) = Networks();
        using (generator)
        using (critic)
        {
            var options = Options(simultaneous: true);
            var judge = new PackedCritic(critic, generator.SampleShape, options.PackSize);
            using var criticAdam = optim.Adam(critic.parameters(), options.CriticLearningRate, options.Beta1, options.Beta2);
            using var generatorAdam = optim.Adam(generator.parameters(), options.GeneratorLearningRate, options.Beta1, options.Beta2);
            var rng = new Generator(5);
            for (int i = 0; i < Steps; i++)
            {
                using var inner = NewDisposeScope();
                var real = Batch(i);
                var fake = generator.Generate(randn(BatchSize, 2, dtype: ScalarType.Float64, generator: rng));
                var generatorLoss = options.Loss.GeneratorLoss(judge.Score(fake));
                var criticLoss = options.Loss.CriticLoss(judge.Score(real), judge.Score(fake.detach()));
                generatorAdam.zero_grad();
                generatorLoss.backward();
                criticAdam.zero_grad(); // drops what the generator's loss left on the critic
                criticLoss.backward();
                criticAdam.step();
                generatorAdam.step();
            }

            return State(generator, critic);
        }
    }

    [Fact]
    public void Simultaneous_updates_equal_both_gradients_taken_before_either_network_moves()
    {
        var reference = TrainWithTheReference();
        var simultaneous = TrainWithTheStep(simultaneous: true);
        var alternating = TrainWithTheStep(simultaneous: false);

        simultaneous.Should().HaveCount(reference.Length);
        double Largest(double[] a) => a.Zip(reference, (x, y) => Math.Abs(x - y)).Max();
        Largest(simultaneous).Should().BeLessThan(1e-12, "the step's updates are the reference's, in float64 (weights and batch-norm statistics)");
        Largest(alternating).Should().BeGreaterThan(1e-3, "alternating updates (fresh z against the updated critic) are a different algorithm, so the comparison can fail");
    }

    [Fact]
    public void Simultaneous_updates_need_one_critic_step_per_generator_step()
    {
        var options = Options(simultaneous: true) with { CriticStepsPerGeneratorStep = 5 };
        FluentActions.Invoking(options.Validate).Should().Throw<ArgumentException>()
            .WithMessage("*SimultaneousUpdates needs CriticStepsPerGeneratorStep = 1; got 5*");
    }
}
