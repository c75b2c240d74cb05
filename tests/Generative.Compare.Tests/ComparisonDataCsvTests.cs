using System.Globalization;
using Generative.Comparison;
using static TorchSharp.torch;

namespace Generative.Tests.Comparison;

/// <summary><see cref="ComparisonData.FromCsv"/> reads every row of a file of numbers, in file order.</summary>
public sealed class ComparisonDataCsvTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("generative-csv-").FullName;

    [Fact]
    public void A_csv_of_numbers_gives_every_row_in_file_order()
    {
        const int rows = 25;
        string path = Path.Combine(_folder, "points.csv");
        var lines = new List<string> { "a,b" };
        var expected = new List<float>();
        for (int i = 0; i < rows; i++)
        {
            float a = 0.5f * i - 3f, b = -0.25f * i * i;
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{a},{b}"));
            expected.Add(a);
            expected.Add(b);
        }

        File.WriteAllLines(path, lines);
        using var scope = NewDisposeScope();
        using var data = ComparisonData.FromCsv(path);

        data.Kind.Should().Be(ComparisonDataKind.Vectors);
        data.Name.Should().Be("points");
        data.TrainSamples.shape.Should().Equal(rows, 2);
        data.TrainSamples.contiguous().data<float>().ToArray().Should().Equal(expected);
        data.FeatureNames.Should().Equal("a", "b");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
