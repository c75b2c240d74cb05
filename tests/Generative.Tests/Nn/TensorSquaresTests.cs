using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Generative.Tests.Nn;

/// <summary><see cref="HeldScalars.Squared"/> replaces TorchSharp's <c>square()</c> (an implicit, unreferenced Scalar)
/// and must give the same values and gradients to the bit.</summary>
public sealed class TensorSquaresTests
{
    [Fact]
    public void Squared_equals_square_and_its_gradient_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        using var generator = new torch.Generator(7);
        var values = randn([4_096], generator: generator).mul_(1e3f);
        var a = values.clone().requires_grad_(true);
        var b = values.clone().requires_grad_(true);
        var upstream = randn([4_096], generator: generator);

        var ours = a.Squared();
        var reference = b.mul(b);
        ours.backward([upstream]);
        reference.backward([upstream]);

        var doubles = values.to_type(ScalarType.Float64);
        ours.data<float>().ToArray().Should().Equal(reference.data<float>().ToArray());
        a.grad!.data<float>().ToArray().Should().Equal(b.grad!.data<float>().ToArray());
        // And against float64 arithmetic: x² rounded once, 2·x·g rounded once (the product is exact in float64).
        ours.to_type(ScalarType.Float64).sub(doubles.mul(doubles)).abs().div(doubles.mul(doubles).clamp_min(1e-30)).max()
            .item<double>().Should().BeLessThan(6e-8);
    }
}
