using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Generative.TestSupport;

/// <summary>Element-wise numeric comparisons with a stated tolerance and a message that shows the worst element.</summary>
public static class Tolerance
{
    /// <summary>Asserts |actual − expected| ≤ atol + rtol·|expected| element-wise.</summary>
    public static void AssertClose(Tensor actual, Tensor expected, double atol, double rtol = 0, string? what = null)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var scope = NewDisposeScope();
        var a = actual.detach().cpu().to_type(ScalarType.Float64);
        var e = expected.detach().cpu().to_type(ScalarType.Float64);
        var diff = (a - e).abs();
        var bound = e.abs() * rtol + atol;
        var excess = diff - bound;
        long worst = excess.flatten().argmax().item<long>();
        double worstExcess = excess.flatten()[worst].item<double>();
        Assert.True(
            worstExcess <= 0,
            $"{what ?? "tensor"}: element {worst} is {a.flatten()[worst].item<double>():R}, expected {e.flatten()[worst].item<double>():R} (|diff| {diff.flatten()[worst].item<double>():G6} > atol {atol} + rtol {rtol}·|expected|).");
    }

    /// <summary>Asserts |actual − expected| ≤ atol + rtol·|expected| element-wise for arrays.</summary>
    public static void AssertClose(IReadOnlyList<double> actual, IReadOnlyList<double> expected, double atol, double rtol = 0, string? what = null)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            double bound = atol + rtol * Math.Abs(expected[i]);
            Assert.True(
                Math.Abs(actual[i] - expected[i]) <= bound,
                $"{what ?? "value"}[{i}] is {actual[i]:R}, expected {expected[i]:R} (tolerance {bound:G6}).");
        }
    }
}
