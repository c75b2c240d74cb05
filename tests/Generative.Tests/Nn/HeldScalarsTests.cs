using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Generative.Tests.Nn;

/// <summary><see cref="HeldScalars"/> replaces TorchSharp's implicit, unreferenced Scalars and must give the same
/// values, element types and gradients, to the bit, as the expressions it replaces.</summary>
public sealed class HeldScalarsTests
{
    private const int Count = 4_096;

    /// <summary>Runs <paramref name="ours"/> and <paramref name="reference"/> on two copies of the same random input
    /// (wide range, both signs) and checks values and the gradient of a random upstream to the bit.</summary>
    private static void SameValuesAndGradients(Func<Tensor, Tensor> ours, Func<Tensor, Tensor> reference, long seed)
    {
        using var scope = NewDisposeScope();
        using var generator = new torch.Generator((ulong)seed);
        var values = randn([Count], generator: generator).mul_(randn([Count], generator: generator).exp_());
        var a = values.clone().requires_grad_(true);
        var b = values.clone().requires_grad_(true);
        var upstream = randn([Count], generator: generator);

        var x = ours(a);
        var y = reference(b);
        x.dtype.Should().Be(y.dtype);
        x.backward([upstream]);
        y.backward([upstream]);

        x.data<float>().ToArray().Should().Equal(y.data<float>().ToArray());
        a.grad!.data<float>().ToArray().Should().Equal(b.grad!.data<float>().ToArray());
        // The comparison must be able to fail: the operation changed the input somewhere.
        x.data<float>().ToArray().Should().NotEqual(values.data<float>().ToArray());
    }

    [Fact]
    public void Tensor_tensor_sum_equals_the_operator()
    {
        using var scope = NewDisposeScope();
        using var generator = new torch.Generator(11);
        var other = randn([Count], generator: generator);
        SameValuesAndGradients(x => x.Plus(other * x), x => x + (other * x), 1);
        SameValuesAndGradients(x => (x * 3f).PlusInPlace(other), x => (x * 3f).add_(other), 2);
    }

    [Fact]
    public void Tensor_number_arithmetic_equals_the_operators()
    {
        SameValuesAndGradients(x => x.Plus(0.1), x => x + 0.1, 3);
        SameValuesAndGradients(x => x.Plus(3), x => x + 3, 4);
        SameValuesAndGradients(x => x.Minus(0.7), x => x - 0.7, 5);
        SameValuesAndGradients(x => x.SubtractedFrom(1), x => 1 - x, 6);
        SameValuesAndGradients(x => x.SubtractedFrom(0.3), x => 0.3 - x, 7);
        SameValuesAndGradients(x => x.Times(1.0 / 3.0), x => x * (1.0 / 3.0), 8);
        SameValuesAndGradients(x => x.Times(7), x => x * 7, 9);
        SameValuesAndGradients(x => x.DividedBy(0.3), x => x / 0.3, 10);
        SameValuesAndGradients(x => x.DividedBy(7), x => x / 7, 11);
        SameValuesAndGradients(x => x.ClampMin(0.25), x => x.clamp_min(0.25), 12);
        SameValuesAndGradients(x => x.ClampMin(0), x => x.clamp_min(0), 16);
        SameValuesAndGradients(x => x.Clamp(-0.5, 0.75), x => x.clamp(-0.5, 0.75), 13);
        SameValuesAndGradients(x => x.Clamp(-1, 1), x => x.clamp(-1, 1), 14);
        using var two = 2.0.ToScalar();
        SameValuesAndGradients(x => x.Plus(two), x => x.add(two), 15);
        SameValuesAndGradients(x => x.LeakyRelu(0.2), x => nn.functional.leaky_relu(x, 0.2), 17);
    }

    [Fact]
    public void In_place_arithmetic_equals_the_torch_calls()
    {
        using var scope = NewDisposeScope();
        using var generator = new torch.Generator(21);
        var values = randn([Count], generator: generator).mul_(10f);
        Same(values.clone().PlusInPlace(0.1), values.clone().add_(0.1));
        Same(values.clone().PlusInPlace(3), values.clone().add_(3));
        Same(values.clone().TimesInPlace(1.0 / 3.0), values.clone().mul_(1.0 / 3.0));
        Same(values.clone().DividedByInPlace(0.3), values.clone().div_(0.3));
        Same(values.clone().ClampInPlace(1e-10, 1 - 1e-7), values.clone().clamp_(1e-10, 1 - 1e-7));
        Same(values.clone().AtLeastInPlace(0.2), values.clone().ge_(0.2));
        Same(values.clone().FillInPlace(1.0f), values.clone().fill_(1.0f));
    }

    [Fact]
    public void Comparisons_equal_the_torch_calls()
    {
        using var scope = NewDisposeScope();
        using var generator = new torch.Generator(31);
        var values = randn([Count], generator: generator);
        var integers = randint(-5, 5, [Count], ScalarType.Int64, generator: generator);
        SameBools(values.GreaterThan(0.5), values > 0.5);
        SameBools(values.GreaterThan(0), values.gt(0));
        SameBools(values.LessThan(-0.25), values.lt(-0.25));
        SameBools(integers.LessThan(2), integers.lt(2));
        SameBools(integers.AtLeast(1), integers.ge(1));
        SameBools(integers.EqualTo(0), integers == 0);
    }

    [Fact]
    public void Integer_tensors_stay_integer()
    {
        using var scope = NewDisposeScope();
        using var generator = new torch.Generator(41);
        var integers = randint(-1_000, 1_000, [Count], ScalarType.Int64, generator: generator);
        SameLongs(integers.Times(100), integers * 100);
        SameLongs(integers.Plus(7), integers + 7);
        SameLongs(integers.SubtractedFrom(1), 1 - integers);
        SameLongs(integers.Clamp(-3, 500), integers.clamp(-3, 500));
        SameLongs(integers.ClampMin(-3), integers.clamp_min(-3));
        SameLongs(integers.Minus(1), integers - 1);
        SameLongs(integers.Plus(integers), integers + integers);
    }

    [Fact]
    public void Factories_equal_the_torch_calls()
    {
        using var scope = NewDisposeScope();
        var like = zeros([3, 4], ScalarType.Float64);
        Same(HeldScalars.Full([5, 1], -1.25f), full(5, 1, -1.25f));
        Same(HeldScalars.Full([5], double.PositiveInfinity, ScalarType.Float32), full(5, double.PositiveInfinity, ScalarType.Float32));
        SameLongs(HeldScalars.Full([6], 9L, ScalarType.Int64), full(6, 9L, ScalarType.Int64));
        like.FullLike(-1e30f).data<double>().ToArray().Should().Equal(full_like(like, -1e30f).data<double>().ToArray());
        like.FullLike(-1e30f).dtype.Should().Be(ScalarType.Float64);
        SameLongs(HeldScalars.Arange(17), arange(17));
        Same(HeldScalars.Arange(9, ScalarType.Float32), arange(9, ScalarType.Float32));
        HeldScalars.Arange(4).data<long>().ToArray().Should().Equal(0, 1, 2, 3);
    }

    private static void Same(Tensor ours, Tensor reference)
    {
        ours.dtype.Should().Be(reference.dtype);
        ours.shape.Should().Equal(reference.shape);
        ours.to_type(ScalarType.Float32).data<float>().ToArray().Should().Equal(reference.to_type(ScalarType.Float32).data<float>().ToArray());
    }

    private static void SameBools(Tensor ours, Tensor reference)
    {
        ours.dtype.Should().Be(ScalarType.Bool);
        ours.data<bool>().ToArray().Should().Equal(reference.data<bool>().ToArray());
        ours.data<bool>().ToArray().Should().Contain(true).And.Contain(false);
    }

    private static void SameLongs(Tensor ours, Tensor reference)
    {
        ours.dtype.Should().Be(ScalarType.Int64);
        reference.dtype.Should().Be(ScalarType.Int64);
        ours.data<long>().ToArray().Should().Equal(reference.data<long>().ToArray());
    }
}
