using Generative.Data;
using Generative.Gan;
using Generative.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Gan;

/// <summary>Packing (PacGAN, Lin et al. 2018): pack semantics against hand-built concatenations, the per-pack gradient
/// penalty and R1 against float64 formulas and a pack-by-pack autograd reference, and the option checks.</summary>
[Collection("Sequential")]
public sealed class PackingTests
{
    private static double[] Values(Tensor t) => t.detach().to_type(ScalarType.Float64).flatten().data<double>().ToArray();

    private static double Item(Tensor t) => t.detach().to_type(ScalarType.Float64).item<double>();

    [Fact]
    public void A_packed_mlp_critic_scores_the_concatenated_rows_of_consecutive_samples()
    {
        using var scope = NewDisposeScope();
        using var inner = new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(6), HiddenWidth = 16, HiddenLayers = 2 }, new Generator(1));
        var packed = new PackedCritic(inner, new TensorShape(2), 3);
        var x = randn(12, 2, generator: new Generator(2));
        // Pack k = [x(3k), x(3k+1), x(3k+2)] side by side, built row by row.
        var packs = stack(Enumerable.Range(0, 4).Select(k => cat([x[3 * k], x[(3 * k) + 1], x[(3 * k) + 2]], 0)).ToList(), 0);
        packs.shape.Should().Equal([4, 6]);
        Values(packed.Score(x)).Should().Equal(Values(inner.Score(packs)));
        PackedCritic.PackedShape(new TensorShape(2), 3).Should().Be(new TensorShape(6));
        PackedCritic.PackedShape(new TensorShape(5), 1).Should().Be(new TensorShape(5));
    }

    [Fact]
    public void A_packed_conv_critic_scores_images_stacked_along_the_channels()
    {
        using var scope = NewDisposeScope();
        using var inner = new ConvCritic(new ConvCriticOptions { ImageSize = 8, Channels = 4, Width = 4 }, new Generator(3));
        var packed = new PackedCritic(inner, new TensorShape(2, 8, 8), 2);
        var x = randn(6, 2, 8, 8, generator: new Generator(4));
        var packs = stack(Enumerable.Range(0, 3).Select(k => cat([x[2 * k], x[(2 * k) + 1]], 0)).ToList(), 0); // [3, 4, 8, 8]
        Values(packed.Score(x)).Should().Equal(Values(inner.Score(packs)));
        PackedCritic.PackedShape(new TensorShape(2, 8, 8), 2).Should().Be(new TensorShape(4, 8, 8));
    }

    /// <summary>f(p) = ½‖p‖² on packs of m = 2 samples of 3 values: ∇f(p) = p.</summary>
    private sealed class QuadraticCritic : IDiscriminator
    {
        public TensorShape SampleShape { get; } = new(6);

        public int ClassCount => 0;

        public nn.Module Module => throw new NotSupportedException();

        public Tensor Score(Tensor samples, Tensor? classLabels = null) => samples.square().sum(1) / 2;
    }

    [Fact]
    public void The_gradient_penalty_interpolates_per_sample_and_takes_one_norm_per_pack()
    {
        // ∇f(x̂ pack) = the pack itself, so ‖∇‖ of pack k = √(‖x̂(2k)‖² + ‖x̂(2k+1)‖²), x̂ᵢ = εᵢ·realᵢ + (1 − εᵢ)·fakeᵢ with
        // ε drawn per sample [N, 1] from the generator: λ·mean over packs of (‖∇‖ − 1)², computed here in float64.
        using var scope = NewDisposeScope();
        var packed = new PackedCritic(new QuadraticCritic(), new TensorShape(3), 2);
        var real = randn(8, 3, generator: new Generator(5));
        var fake = randn(8, 3, generator: new Generator(6)) + 2;
        double penalty = Item(new GradientPenalty(2).Compute(packed, real, fake, null, new Generator(7)));

        double[] eps = Values(rand(new long[] { 8, 1 }, generator: new Generator(7)));
        double[] r = Values(real), f = Values(fake);
        double expected = 0;
        for (int k = 0; k < 4; k++)
        {
            double squared = 0;
            for (int i = 2 * k; i < (2 * k) + 2; i++)
            {
                for (int j = 0; j < 3; j++)
                {
                    double point = (eps[i] * r[(3 * i) + j]) + ((1 - eps[i]) * f[(3 * i) + j]);
                    squared += point * point;
                }
            }

            expected += 2 * Math.Pow(Math.Sqrt(squared) - 1, 2) / 4;
        }

        penalty.Should().BeApproximately(expected, 1e-5 * Math.Max(1, expected));
    }

    [Fact]
    public void The_gradient_penalty_of_a_packed_mlp_critic_matches_a_pack_by_pack_float64_autograd_reference()
    {
        using var scope = NewDisposeScope();
        const int m = 4;
        using var inner = new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2 * m), HiddenWidth = 32, HiddenLayers = 3, MaxoutPieces = 5 }, new Generator(8));
        var real = randn(20, 2, generator: new Generator(9));
        var fake = randn(20, 2, generator: new Generator(10));
        var penalty = new GradientPenalty().Compute(new PackedCritic(inner, new TensorShape(2), m), real, fake, null, new Generator(11));

        // Reference: the same critic in float64, one pack at a time, each pack's gradient taken alone.
        using var reference = new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2 * m), HiddenWidth = 32, HiddenLayers = 3, MaxoutPieces = 5 }, new Generator(8));
        reference.to(ScalarType.Float64);
        var eps = rand(new long[] { 20, 1 }, generator: new Generator(11)).to_type(ScalarType.Float64);
        var points = (eps * real.to_type(ScalarType.Float64)) + ((1 - eps) * fake.to_type(ScalarType.Float64));
        double sum = 0;
        for (int k = 0; k < 20 / m; k++)
        {
            var pack = points[TensorIndex.Slice(k * m, (k + 1) * m)].reshape(1, 2 * m).detach().requires_grad_(true);
            var score = reference.Score(pack).sum();
            var gradient = autograd.grad([score], [pack])[0];
            sum += Math.Pow(Item(gradient.norm()) - 1, 2);
        }

        Item(penalty).Should().BeApproximately(10 * sum / (20 / m), 1e-4);
    }

    [Fact]
    public void R1_takes_one_squared_norm_per_real_pack()
    {
        // f = ½‖p‖²: (γ/2)·mean over packs of ‖pack‖² = (γ/2)·m·mean over samples of ‖x‖² (per sample it would be m times less).
        using var scope = NewDisposeScope();
        var packed = new PackedCritic(new QuadraticCritic(), new TensorShape(3), 2);
        var real = randn(10, 3, generator: new Generator(12));
        double penalty = Item(new R1Penalty(4).Compute(packed, real, real, null, new Generator(1)));
        double meanSquared = Values(real.square().sum(1)).Average();
        penalty.Should().BeApproximately(2 * 2 * meanSquared, 1e-4);
    }

    [Fact]
    public void Packing_is_checked_naming_the_expected_and_actual_values()
    {
        using var scope = NewDisposeScope();
        using var generator = new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 2, HiddenWidth = 8, HiddenLayers = 1 }, new Generator(1));
        using var unpacked = new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2), HiddenWidth = 8, HiddenLayers = 1 }, new Generator(2));
        using var packedCritic = new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(8), HiddenWidth = 8, HiddenLayers = 1 }, new Generator(2));
        var pack4 = GanTrainingOptions.NonSaturatingR1() with { PackSize = 4 };

        FluentActions.Invoking(() => new GanTrainingStep(generator, unpacked, pack4)).Should().Throw<ArgumentException>()
            .WithMessage("*samples shaped [2], so packs of PackSize = 4 are shaped [8], but the critic scores [2]*");
        FluentActions.Invoking(() => new GanTrainingStep(generator, packedCritic, pack4 with { PackSize = 0 })).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("*PackSize must lie in [1, 1024]; got 0*");
        new GanTrainerOptions { Training = pack4, BatchSize = 30 }.Validate().Should().ContainSingle()
            .Which.Should().Contain("BatchSize must be a multiple of Training.PackSize = 4").And.Contain("(was 30)");
        new GanTrainerOptions { Training = pack4, BatchSize = 32 }.Validate().Should().BeEmpty();

        using var step = new GanTrainingStep(generator, packedCritic, pack4);
        var g = new Generator(3);
        FluentActions.Invoking(() => step.Step(new TrainingBatch(randn(30, 2, generator: g)), new TrainingStepContext(0, 0, g, step.Optimizers)))
            .Should().Throw<ArgumentException>().WithMessage("*PackSize = 4 needs a batch size that is a multiple of 4, but the batch has 30 samples*");
        FluentActions.Invoking(() => PackedCritic.Pack(zeros(5, 2), 2)).Should().Throw<ArgumentException>().WithMessage("*multiple of 2, but the batch has 5 samples*");

        using var conditional = new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(4), HiddenWidth = 8, HiddenLayers = 1, ClassCount = 3 }, new Generator(2));
        FluentActions.Invoking(() => new PackedCritic(conditional, new TensorShape(2), 2)).Should().Throw<ArgumentException>().WithMessage("*unconditional critic*3 classes*");
    }

    [Fact]
    public void A_packed_training_step_feeds_the_critic_packs_and_trains_both_networks()
    {
        using var scope = NewDisposeScope();
        using var generator = new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 2, HiddenWidth = 8, HiddenLayers = 1 }, new Generator(1));
        using var inner = new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(4), HiddenWidth = 8, HiddenLayers = 1 }, new Generator(2));
        var critic = new RecordingCritic(inner);
        using var step = new GanTrainingStep(generator, critic, GanTrainingOptions.WganGp() with { PackSize = 2, CriticStepsPerGeneratorStep = 1 });
        var g = new Generator(3);
        var before = Values(cat(generator.parameters().Select(p => p.detach().flatten()).ToList(), 0));
        var losses = step.Step(new TrainingBatch(randn(16, 2, generator: g)), new TrainingStepContext(0, 0, g, step.Optimizers));
        critic.Shapes.Should().OnlyContain(s => s.SequenceEqual(new long[] { 8, 4 }), "16 samples make 8 packs of 2 × 2 values, real, fake, interpolated and generated");
        critic.Shapes.Should().HaveCount(4);
        losses.Keys.Should().Contain(["generator", "gradient_penalty"]);
        losses.Values.Should().OnlyContain(v => double.IsFinite(v));
        Values(cat(generator.parameters().Select(p => p.detach().flatten()).ToList(), 0)).Should().NotEqual(before);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Pack_slots_generated_separately_are_normalised_slot_by_slot(bool separately)
    {
        using var scope = NewDisposeScope();
        const int m = 3, n = 12;
        var options = new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 2, HiddenWidth = 6, HiddenLayers = 2, BatchNormalization = true, WeightInitStandardDeviation = 0.5 };
        using var generator = new MlpGenerator(options, new Generator(1));
        using var twin = new MlpGenerator(options, new Generator(1));
        generator.to(ScalarType.Float64);
        twin.to(ScalarType.Float64);
        using var inner = new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2 * m), HiddenWidth = 4, HiddenLayers = 1 }, new Generator(2));
        inner.to(ScalarType.Float64);
        var critic = new RecordingCritic(inner);
        var training = GanTrainingOptions.NonSaturatingR1() with { Regularizer = null, PackSize = m, GeneratePackSlotsSeparately = separately };
        using var step = new GanTrainingStep(generator, critic, training);
        step.Step(new TrainingBatch(randn(n, 2, dtype: ScalarType.Float64, generator: new Generator(4))), new TrainingStepContext(0, 0, new Generator(3), step.Optimizers));

        // The critic step's generated packs (its second call) against the twin: slot j of pack p is G(z[p·m + j]), made in
        // one call of the n/m rows j, j + m, … (batch statistics of that slot alone).
        var z = randn(n, 2, dtype: ScalarType.Float64, generator: new Generator(3));
        var slots = Enumerable.Range(0, m).Select(j => twin.Generate(z.view(n / m, m, 2).select(1, j))).ToList();
        var bySlot = stack(slots, 1).view(n / m, 2 * m);
        var whole = twin.Generate(z).view(n / m, 2 * m);
        var judged = critic.Inputs[1];
        double Largest(Tensor expected) => judged.Zip(Values(expected), (a, b) => Math.Abs(a - b)).Max();
        if (separately)
        {
            Largest(bySlot).Should().BeLessThan(1e-12);
            Largest(whole).Should().BeGreaterThan(1e-3, "batch statistics over the whole batch differ from a slot's");
        }
        else
        {
            Largest(whole).Should().BeLessThan(1e-12);
            Largest(bySlot).Should().BeGreaterThan(1e-3);
        }
    }

    private sealed class RecordingCritic(MlpCritic inner) : IDiscriminator
    {
        public List<long[]> Shapes { get; } = [];

        public List<double[]> Inputs { get; } = [];

        public TensorShape SampleShape => inner.SampleShape;

        public int ClassCount => 0;

        public nn.Module Module => inner;

        public Tensor Score(Tensor samples, Tensor? classLabels = null)
        {
            Shapes.Add(samples.shape);
            Inputs.Add(Values(samples));
            return inner.Score(samples, classLabels);
        }
    }
}
