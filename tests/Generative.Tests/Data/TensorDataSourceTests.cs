using Generative.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Data;

public sealed class TensorDataSourceTests
{
    [Fact]
    public void Reads_gathered_rows_and_labels_as_new_tensors()
    {
        using var samples = arange(12, dtype: ScalarType.Float32).reshape(6, 2);
        using var labels = tensor(new long[] { 0, 1, 2, 0, 1, 2 });
        using var source = new TensorDataSource(samples, labels);
        source.Count.Should().Be(6);
        source.SampleShape.Should().Be(new TensorShape(2));
        source.ClassCount.Should().Be(3);
        using var indices = tensor(new long[] { 5, 0 });
        var batch = source.ReadBatch(indices, CPU);
        batch.Samples.data<float>().ToArray().Should().Equal(10, 11, 0, 1);
        batch.Labels!.data<long>().ToArray().Should().Equal(2, 0);
        batch.Samples.Dispose();
        batch.Labels.Dispose();
    }

    [Fact]
    public void Rejects_bad_input_with_clear_messages()
    {
        using var ok = zeros(4, 2);
        using var nan = full(4, 2, double.NaN);
        using var shortLabels = zeros(3, dtype: ScalarType.Int64);
        using var negative = tensor(new long[] { 0, -1, 0, 0 });
        FluentActions.Invoking(() => new TensorDataSource(nan)).Should().Throw<ArgumentException>().WithMessage("*NaN*").WithParameterName("samples");
        FluentActions.Invoking(() => new TensorDataSource(ok, shortLabels)).Should().Throw<ArgumentException>().WithMessage("*[4]*");
        FluentActions.Invoking(() => new TensorDataSource(ok, negative)).Should().Throw<ArgumentException>().WithMessage("*[-1, 0]*");
        using var source = new TensorDataSource(ok);
        using var outOfRange = tensor(new long[] { 4 });
        source.Invoking(s => s.ReadBatch(outOfRange, CPU)).Should().Throw<ArgumentException>().WithMessage("*[0, 4)*");
    }

    [Theory]
    [InlineData(LastBatchPolicy.Drop, new[] { 4, 4 })]
    [InlineData(LastBatchPolicy.Keep, new[] { 4, 4, 2 })]
    public void An_epoch_visits_each_sample_at_most_once_in_a_seeded_order(LastBatchPolicy policy, int[] sizes)
    {
        using var samples = arange(10, dtype: ScalarType.Float32).reshape(10, 1);
        using var source = new TensorDataSource(samples);
        using var g1 = new Generator(3);
        using var g2 = new Generator(3);
        var first = source.EnumerateBatches(4, g1, policy).Select(b => b.Samples.data<float>().ToArray()).ToList();
        var second = source.EnumerateBatches(4, g2, policy).Select(b => b.Samples.data<float>().ToArray()).ToList();
        first.Select(b => b.Length).Should().Equal(sizes);
        first.SelectMany(b => b).Should().OnlyHaveUniqueItems();
        first.SelectMany(b => b).Should().Equal(second.SelectMany(b => b));
        first.SelectMany(b => b).Should().NotBeInAscendingOrder();
        // The order is PyTorch's: torch.manual_seed(3); torch.randperm(10) = [6, 0, 3, 7, 8, 5, 1, 9, 2, 4] (Debian torch 1.13, CPU).
        if (policy == LastBatchPolicy.Keep)
        {
            first.SelectMany(b => b).Should().Equal(6, 0, 3, 7, 8, 5, 1, 9, 2, 4);
        }
    }
}
