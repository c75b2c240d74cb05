using Generative.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Data;

public sealed class CsvDataSourceTests
{
    private const string Wine = """
        alcohol,"malic, acid",kind,ignored
        13.0,1.5,red,x
        14.0,2.5,white,y

        12.0,3.5,red,z
        """;

    [Fact]
    public void Reads_chosen_columns_standardises_them_and_keeps_the_statistics()
    {
        using var source = CsvDataSource.Read(new StringReader(Wine), new CsvDataOptions { Columns = ["alcohol", "malic, acid"], LabelColumn = "kind" });
        source.Count.Should().Be(3);
        source.SampleShape.Should().Be(new TensorShape(2));
        source.FeatureNames.Should().Equal("alcohol", "malic, acid");
        source.ClassNames.Should().Equal("red", "white");
        source.ClassCount.Should().Be(2);
        // alcohol: mean 13, population std √(2/3); malic acid: mean 2.5, std √(2/3).
        source.Standardization!.Mean.Should().Equal(13, 2.5);
        source.Standardization.Std[0].Should().BeApproximately(Math.Sqrt(2.0 / 3), 1e-6);
        using var scope = NewDisposeScope();
        var batch = source.ReadBatch(tensor(new long[] { 0, 1, 2 }), CPU);
        batch.Labels!.data<long>().ToArray().Should().Equal(0, 1, 0);
        var z = batch.Samples.data<float>().ToArray();
        z[0].Should().BeApproximately((float)(0 / Math.Sqrt(2.0 / 3)), 1e-5f);
        z[2].Should().BeApproximately((float)(1 / Math.Sqrt(2.0 / 3)), 1e-5f);
        // Samples come back in original units.
        var original = source.Standardization.Unstandardize(batch.Samples).data<float>().ToArray();
        original.Should().Equal(13f, 1.5f, 14f, 2.5f, 12f, 3.5f);
    }

    [Fact]
    public void Defects_name_the_line_and_column()
    {
        FluentActions.Invoking(() => CsvDataSource.Read(new StringReader("a,b\n1,2\n3,x\n"), null))
            .Should().Throw<InvalidDataException>().WithMessage("*line 3, column 'b': 'x' is not a finite number*");
        FluentActions.Invoking(() => CsvDataSource.Read(new StringReader("a,b\n1,2\n3\n"), null))
            .Should().Throw<InvalidDataException>().WithMessage("*line 3 has 1 fields, but the header has 2*");
        FluentActions.Invoking(() => CsvDataSource.Read(new StringReader("a,b\n1,2\n"), new CsvDataOptions { Columns = ["c"] }))
            .Should().Throw<InvalidDataException>().WithMessage("*no column 'c'*a, b*");
        FluentActions.Invoking(() => CsvDataSource.Read(new StringReader("a,b\n"), null))
            .Should().Throw<InvalidDataException>().WithMessage("*no data rows*");
        FluentActions.Invoking(() => CsvDataSource.Read(new StringReader("a\n\"1\n"), null))
            .Should().Throw<InvalidDataException>().WithMessage("*unterminated*");
    }

    [Fact]
    public void Given_statistics_are_applied_instead_of_fitted_and_numeric_labels_are_kept()
    {
        var stats = new DataStandardization([10], [2]);
        using var source = CsvDataSource.Read(new StringReader("v,y\n12,1\n8,0\n"), new CsvDataOptions { LabelColumn = "y", Standardization = stats });
        using var scope = NewDisposeScope();
        var batch = source.ReadBatch(tensor(new long[] { 0, 1 }), CPU);
        batch.Samples.data<float>().ToArray().Should().Equal(1f, -1f);
        batch.Labels!.data<long>().ToArray().Should().Equal(1, 0);
        source.ClassNames.Should().BeNull();
    }
}
