using static TorchSharp.torch;

namespace Generative.Abstractions.Tests;

public class TensorShapeTests
{
    [Fact]
    public void Shapes_compare_by_value_and_format_as_lists()
    {
        var a = new TensorShape(1, 8, 8);
        var b = new TensorShape(1, 8, 8);
        a.Should().Be(b);
        (a == b).Should().BeTrue();
        a.GetHashCode().Should().Be(b.GetHashCode());
        a.Should().NotBe(new TensorShape(8, 8, 1));
        a.ToString().Should().Be("[1, 8, 8]");
        a.ElementCount.Should().Be(64);
        a.WithBatch(5).Should().Equal(5, 1, 8, 8);
    }

    [Theory]
    [InlineData(new long[0])]
    [InlineData(new long[] { 2, 0 })]
    [InlineData(new long[] { -1 })]
    public void Invalid_dimensions_are_rejected(long[] dimensions)
    {
        var act = () => new TensorShape(dimensions);
        act.Should().Throw<ArgumentException>().WithParameterName("dimensions");
    }

    [Fact]
    public void EnsureBatch_names_the_expected_and_the_actual_shape()
    {
        using var scope = NewDisposeScope();
        var shape = new TensorShape(2);
        shape.EnsureBatch(zeros(7, 2), "x");
        var act = () => shape.EnsureBatch(zeros(7, 3), "x");
        act.Should().Throw<ArgumentException>()
            .WithParameterName("x")
            .WithMessage("Expected a batch of shape [N, 2], but got [7, 3].*");
    }
}
