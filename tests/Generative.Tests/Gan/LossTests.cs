using Generative.Gan;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Gan;

/// <summary>Each loss and penalty against its closed form on fixed inputs (float32, within 1e-6 unless stated).</summary>
[Collection("Sequential")]
public sealed class LossTests
{
    private static readonly float[] Real = [0.5f, 2f, -1f];
    private static readonly float[] Fake = [0.5f, -2f];

    private static double Item(Tensor t) => t.to_type(ScalarType.Float64).item<double>();

    private static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

    [Fact]
    public void WassersteinLossIsTheDifferenceOfMeans()
    {
        using var scope = NewDisposeScope();
        var loss = new WassersteinLoss();
        // critic: mean(fake) − mean(real) = −0.75 − 0.5; generator: −mean(fake) = 0.75.
        Item(loss.CriticLoss(tensor(Real), tensor(Fake))).Should().BeApproximately(-0.75 - 0.5, 1e-6);
        Item(loss.GeneratorLoss(tensor(Fake))).Should().BeApproximately(0.75, 1e-6);
    }

    [Fact]
    public void NonSaturatingLossIsBinaryCrossEntropyOnLogits()
    {
        using var scope = NewDisposeScope();
        var loss = new NonSaturatingLoss();
        // −log σ(r) = softplus(−r); −log(1 − σ(f)) = softplus(f); generator −log σ(f) = softplus(−f).
        double critic = Real.Average(r => Softplus(-r)) + Fake.Average(f => Softplus(f));
        double generator = Fake.Average(f => Softplus(-f));
        Item(loss.CriticLoss(tensor(Real), tensor(Fake))).Should().BeApproximately(critic, 1e-6);
        Item(loss.GeneratorLoss(tensor(Fake))).Should().BeApproximately(generator, 1e-6);
        // Large logits stay finite (softplus, not log of a sigmoid).
        Item(loss.CriticLoss(tensor(new[] { -200f }), tensor(new[] { 200f }))).Should().BeApproximately(400, 1e-3);
    }

    [Fact]
    public void HingeLossClipsAtTheMargin()
    {
        using var scope = NewDisposeScope();
        var loss = new HingeLoss();
        // relu(1 − [0.5, 2, −1]) = [0.5, 0, 2] → 5/6; relu(1 + [0.5, −2]) = [1.5, 0] → 0.75.
        Item(loss.CriticLoss(tensor(Real), tensor(Fake))).Should().BeApproximately(5.0 / 6 + 0.75, 1e-6);
        Item(loss.GeneratorLoss(tensor(Fake))).Should().BeApproximately(0.75, 1e-6);
    }

    /// <summary>f(x) = w·x + b: ∇ₓf = w everywhere.</summary>
    private sealed class LinearCritic : nn.Module<Tensor, Tensor>, IDiscriminator
    {
        private readonly TorchSharp.Modules.Linear layer = nn.Linear(3, 1);

        public LinearCritic(float[] w, float b)
            : base(nameof(LinearCritic))
        {
            RegisterComponents();
            using var noGrad = no_grad();
            layer.weight.copy_(tensor(w).reshape(1, 3));
            layer.bias!.fill_(b);
        }

        public TorchSharp.Modules.Parameter Weight => layer.weight;

        public TorchSharp.Modules.Parameter Bias => layer.bias!;

        public TensorShape SampleShape { get; } = new(3);

        public int ClassCount => 0;

        public nn.Module Module => this;

        public Tensor Score(Tensor samples, Tensor? classLabels = null) => layer.call(samples).squeeze(1);

        public override Tensor forward(Tensor input) => Score(input);
    }

    [Fact]
    public void GradientPenaltyOfALinearCriticIsLambdaTimesSquaredNormGap()
    {
        using var scope = NewDisposeScope();
        using var critic = new LinearCritic([0.3f, 0.4f, 1.2f], 0.7f); // ‖w‖ = 1.3
        var g = new Generator(3);
        var real = randn(16, 3, generator: g);
        var fake = randn(16, 3, generator: g) + 5;
        var penalty = new GradientPenalty().Compute(critic, real, fake, null, g);
        // λ(‖w‖ − 1)² = 10 · 0.09 = 0.9, whatever the interpolates.
        Item(penalty).Should().BeApproximately(0.9, 1e-5);

        // Second-order path: ∂/∂w λ(‖w‖ − 1)² = 2λ(‖w‖ − 1)·w/‖w‖ = (6 / 1.3)·w; ∂/∂b = 0.
        penalty.backward();
        critic.Weight.grad.Should().NotBeNull("the penalty must reach the critic's parameters");
        var grad = critic.Weight.grad!.flatten().to_type(ScalarType.Float64).data<double>().ToArray();
        double[] expected = [6 / 1.3 * 0.3, 6 / 1.3 * 0.4, 6 / 1.3 * 1.2];
        for (int i = 0; i < 3; i++)
        {
            grad[i].Should().BeApproximately(expected[i], 1e-4);
        }

        // b does not enter ∇ₓf, so autograd leaves its gradient unset (PyTorch: None) — or zero.
        (critic.Bias.grad is null ? 0 : Item(critic.Bias.grad)).Should().BeApproximately(0, 1e-7);
    }

    [Fact]
    public void GradientPenaltyUsesTheGivenWeightAndVanishesForAUnitNormCritic()
    {
        using var scope = NewDisposeScope();
        using var unit = new LinearCritic([0.6f, 0f, 0.8f], 0f);
        var g = new Generator(4);
        var real = randn(8, 3, generator: g);
        var fake = randn(8, 3, generator: g);
        Item(new GradientPenalty().Compute(unit, real, fake, null, g)).Should().BeApproximately(0, 1e-6);
        using var twice = new LinearCritic([0.6f, 0f, 1.6f], 0f); // ‖w‖² = 0.36 + 2.56 = 2.92
        double gap = Math.Sqrt(2.92) - 1;
        Item(new GradientPenalty(3).Compute(twice, real, fake, null, g)).Should().BeApproximately(3 * gap * gap, 1e-5);
        FluentActions.Invoking(() => new GradientPenalty(-1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("weight");
    }

    [Fact]
    public void GradientPenaltyInterpolatesBetweenRealAndFake()
    {
        // With a quadratic critic f(x) = ½‖x‖², ∇f(x̂) = x̂, so the penalty reveals where x̂ lies: with real = 0 and
        // fake = c·1, x̂ = (1 − ε)·c·1 and ‖∇f‖ = (1 − ε)·c·√3 with ε ~ U[0, 1] drawn from the generator.
        using var scope = NewDisposeScope();
        var critic = new QuadraticCritic();
        var real = zeros(4, 3);
        var fake = full(4, 3, 2f);
        var penalty = Item(new GradientPenalty(1).Compute(critic, real, fake, null, new Generator(5)));
        var eps = rand(new long[] { 4, 1 }, generator: new Generator(5)).flatten().to_type(ScalarType.Float64).data<double>().ToArray();
        double expected = eps.Average(e => Math.Pow((1 - e) * 2 * Math.Sqrt(3) - 1, 2));
        penalty.Should().BeApproximately(expected, 1e-5);
    }

    private sealed class QuadraticCritic : IDiscriminator
    {
        public TensorShape SampleShape { get; } = new(3);

        public int ClassCount => 0;

        public nn.Module Module => throw new NotSupportedException();

        public Tensor Score(Tensor samples, Tensor? classLabels = null) => samples.square().sum(1) / 2;
    }

    [Fact]
    public void R1PenaltyIsHalfGammaTimesSquaredGradientNormOnRealData()
    {
        using var scope = NewDisposeScope();
        using var critic = new LinearCritic([0.3f, 0.4f, 1.2f], 0.7f);
        var g = new Generator(6);
        var real = randn(8, 3, generator: g);
        var penalty = new R1Penalty().Compute(critic, real, real, null, g);
        // (γ/2)‖w‖² = 5 · 1.69.
        Item(penalty).Should().BeApproximately(8.45, 1e-5);
        penalty.backward();
        // ∂/∂w (γ/2)‖w‖² = γ·w.
        critic.Weight.grad!.flatten().to_type(ScalarType.Float64).data<double>().ToArray()
            .Should().Equal([3.0, 4.0, 12.0], (a, e) => Math.Abs(a - e) < 1e-4);
    }
}
