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
        FluentActions.Invoking(() => CsvDataSource.Read(new StringReader("a\n1\n\"1\n2\n"), null))
            .Should().Throw<InvalidDataException>().WithMessage("*line 3 opens a quoted field that is never closed*");
    }

    [Fact]
    public void A_semicolon_or_tab_file_read_with_commas_names_the_delimiter_option()
    {
        FluentActions.Invoking(() => CsvDataSource.Read(new StringReader("a;b;c\n1,5;2;3,5\n"), null))
            .Should().Throw<InvalidDataException>()
            .WithMessage("*line 2 has 3 fields, but the header has 1. The header line contains ';' but no ','*set CsvDataOptions.Delimiter to it.");
        FluentActions.Invoking(() => CsvDataSource.Read(new StringReader("a\tb\n1\t2\n"), null))
            .Should().Throw<InvalidDataException>()
            .WithMessage("*line 2, column 'a\tb'*is not a finite number. The header line contains '\\t' (tab)*CsvDataOptions.Delimiter*");

        // No hint when the header does use the delimiter.
        FluentActions.Invoking(() => CsvDataSource.Read(new StringReader("a,b\n1\n"), null))
            .Should().Throw<InvalidDataException>().Which.Message.Should().NotContain("Delimiter");

        using var semicolons = CsvDataSource.Read(new StringReader("a;b\n1;2\n3;4\n"), new CsvDataOptions { Delimiter = ';', Standardize = false });
        semicolons.FeatureNames.Should().Equal("a", "b");
        semicolons.Count.Should().Be(2);
    }

    [Fact]
    public void A_directory_is_reported_as_a_directory()
    {
        string dir = Directory.CreateTempSubdirectory("gen-csv-").FullName;
        try
        {
            FluentActions.Invoking(() => CsvDataSource.Load(dir))
                .Should().Throw<FileNotFoundException>().WithMessage($"'{dir}' is a directory; expected the path of a CSV file.");
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    [Fact]
    public void Quoted_fields_may_hold_line_breaks_and_later_lines_keep_their_numbers()
    {
        const string text = "\"first\nvalue\",kind\n1,\"red\nwine\"\n2,white\n3,white\n";
        using var source = CsvDataSource.Read(new StringReader(text), new CsvDataOptions { LabelColumn = "kind", Standardize = false });
        source.FeatureNames.Should().Equal("first\nvalue");
        source.ClassNames.Should().Equal("red\nwine", "white");
        source.Count.Should().Be(3);

        FluentActions.Invoking(() => CsvDataSource.Read(new StringReader("v,kind\n1,\"a\nb\"\nq,x\n"), new CsvDataOptions { LabelColumn = "kind" }))
            .Should().Throw<InvalidDataException>().WithMessage("*line 4, column 'v': 'q' is not a finite number*");
    }

    [Fact]
    public void A_feature_column_of_few_distinct_integers_gets_a_warning_suggesting_LabelColumn()
    {
        var lines = new List<string> { "x,grade,count,y" };
        for (int i = 0; i < 30; i++)
        {
            lines.Add($"{i * 0.37},{i % 3},{i},{i % 2}");
        }

        var log = new Training.CollectingLogger();
        using var source = CsvDataSource.Read(new StringReader(string.Join('\n', lines)), new CsvDataOptions { LabelColumn = "y", Logger = log }, "grades.csv");
        log.Entries.Should().ContainSingle().Which.Message.Should().Be(
            "'grades.csv': the column 'grade' holds only 3 distinct integers and is modelled as a continuous number; if it is a class, set CsvDataOptions.LabelColumn to it");
        log.Entries[0].Level.Should().Be(Microsoft.Extensions.Logging.LogLevel.Warning);

        // With the column as the label, nothing to warn about ('count' has 30 distinct integers, above the 20 allowed).
        var quiet = new Training.CollectingLogger();
        using var labelled = CsvDataSource.Read(new StringReader(string.Join('\n', lines)), new CsvDataOptions { Columns = ["x", "count"], LabelColumn = "grade", Logger = quiet });
        quiet.Entries.Should().BeEmpty();
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
