using Generative.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Data;

public sealed class SyntheticTableTests
{
    [Fact]
    public void Samples_with_labels_become_named_columns_and_class_names_that_read_back_as_the_same_table()
    {
        using var scope = NewDisposeScope();
        var samples = tensor(new float[] { 13.5f, 1065f, 12.25f, 520f, 14f, 0.5f }).reshape(3, 2);
        var labels = tensor(new long[] { 2, 0, 2 });
        var table = SyntheticTable.FromSamples(samples, ["alcohol", "proline"], labels, ["class_0", "class_1", "class_2"]);

        table.Columns.Should().Equal("alcohol", "proline");
        table.LabelColumn.Should().Be("class");
        table.Labels.Should().Equal("class_2", "class_0", "class_2");
        table.ToCsv().Should().Be("alcohol,proline,class\r\n13.5,1065,class_2\r\n12.25,520,class_0\r\n14,0.5,class_2\r\n");

        using var back = CsvDataSource.Read(new StringReader(table.ToCsv()), new CsvDataOptions { LabelColumn = "class", Standardize = false });
        back.FeatureNames.Should().Equal("alcohol", "proline");
        back.ClassNames.Should().Equal("class_0", "class_2");
        var batch = back.ReadBatch(arange(3L), CPU);
        batch.Samples.data<float>().ToArray().Should().Equal(13.5f, 1065f, 12.25f, 520f, 14f, 0.5f);
    }

    [Fact]
    public void Without_names_labels_are_written_as_numbers_and_without_labels_there_is_no_label_column()
    {
        using var scope = NewDisposeScope();
        var samples = tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        SyntheticTable.FromSamples(samples, ["a", "b"], tensor(new long[] { 1, 0 }), labelColumn: "kind").ToCsv()
            .Should().Be("a,b,kind\r\n1,2,1\r\n3,4,0\r\n");
        var plain = SyntheticTable.FromSamples(samples, ["a", "b"]);
        plain.LabelColumn.Should().BeNull();
        plain.Labels.Should().BeNull();
        plain.ToCsv().Should().Be("a,b\r\n1,2\r\n3,4\r\n");
    }

    [Fact]
    public void Mismatches_name_expected_and_actual()
    {
        using var scope = NewDisposeScope();
        var samples = zeros(4, 3);
        FluentActions.Invoking(() => SyntheticTable.FromSamples(samples, ["a", "b"]))
            .Should().Throw<ArgumentException>().WithMessage("Expected 2 values per sample (one per column), but the samples [4, 3] have 3.*");
        FluentActions.Invoking(() => SyntheticTable.FromSamples(samples, ["a", "b", "c"], tensor(new long[] { 0, 1 })))
            .Should().Throw<ArgumentException>().WithMessage("Expected integer labels of shape [4] (one per sample), but got Int64 [2].*");
        FluentActions.Invoking(() => SyntheticTable.FromSamples(samples, ["a", "b", "c"], tensor(new long[] { 0, 1, 3, 0 }), ["x", "y"]))
            .Should().Throw<ArgumentException>().WithMessage("Expected labels in [0, 2) (one class name each), but row 2 has label 3.*");
    }
}
