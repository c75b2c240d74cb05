using System.Text.Json.Nodes;
using Generative.Data.BuiltIn;
using Generative.Tabular;
using TorchSharp;

namespace Generative.Tests.Tabular;

/// <summary>The copula saved and loaded: identical samples, and files that do not hold a valid copula refused naming
/// the file, the key and the value.</summary>
public sealed class CopulaSaveTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gen-copulasave-").FullName;

    [Fact]
    public void A_loaded_copula_samples_exactly_as_the_saved_one_with_and_without_a_condition()
    {
        foreach (var (name, table, condition) in new[]
        {
            ("penguins", Tables.LoadPenguins(), TableCondition.None.Where("Species", "Gentoo").WhereBetween("Body Mass (g)", 4000, 5000)),
            ("orders", TabularFixtures.Orders(500), TableCondition.None.Where("express", false).WhereBetween("end", new DateTime(2024, 6, 1), new DateTime(2024, 8, 1))),
        })
        {
            using var fit = new torch.Generator(0);
            var copula = GaussianCopula.Fit(table, fit);
            string dir = Path.Combine(_dir, name);
            copula.Save(dir);
            Directory.GetFiles(dir).Select(Path.GetFileName).Should().BeEquivalentTo("synthesizer.json", "schema.json", "copula.json");
            var loaded = TableSynthesizers.Load(dir).Should().BeOfType<GaussianCopula>().Subject;
            loaded.Schema.ToJson().ToJsonString().Should().Be(copula.Schema.ToJson().ToJsonString());

            using var a = new torch.Generator(1);
            using var b = new torch.Generator(1);
            loaded.Sample(500, b).ToCsv().Should().Be(copula.Sample(500, a).ToCsv(), "{0}: unconditional rows", name);
            loaded.Sample(500, condition, b).ToCsv().Should().Be(copula.Sample(500, condition, a).ToCsv(), "{0}: conditional rows", name);

            // Saving again over the folder replaces it.
            loaded.Save(dir);
            GaussianCopula.Load(dir).CorrelatedColumns.Should().Equal(copula.CorrelatedColumns);
        }
    }

    [Fact]
    public void A_bad_correlation_matrix_is_refused_naming_the_key()
    {
        string file = SavedPenguins(out string dir);
        string original = File.ReadAllText(file);
        var act = () => GaussianCopula.Load(dir);

        Edit(file, original, values => values.RemoveAt(6));
        act.Should().Throw<InvalidDataException>().WithMessage($"{file}: 'correlation.values' must be 7 rows of 7 numbers (one per correlated column); found 6 rows.");

        Edit(file, original, values => values[2]!.AsArray().RemoveAt(0));
        act.Should().Throw<InvalidDataException>().WithMessage($"{file}: 'correlation.values'[2] must be 7 numbers; found 6 numbers.");

        Edit(file, original, values => values[0]![1] = 0.123);
        act.Should().Throw<InvalidDataException>().WithMessage($"{file}: 'correlation.values'[0][1] = 0.123 but [1][0] = *; a correlation matrix is symmetric.");

        Edit(file, original, values => values[3]![4] = "NaN");
        act.Should().Throw<InvalidDataException>().WithMessage($"{file}: 'correlation.values'[3][4] must be a finite number; found the text 'NaN'.");

        Edit(file, original, values => values[5]![5] = 0.5);
        act.Should().Throw<InvalidDataException>().WithMessage($"{file}: 'correlation.values'[5][5] = 0.5; a correlation matrix has 1 on its diagonal.");

        Edit(file, original, values => { values[1]![2] = 1.5; values[2]![1] = 1.5; });
        act.Should().Throw<InvalidDataException>().WithMessage($"{file}: 'correlation.values'[1][2] = 1.5; a correlation lies in [-1, 1].");
    }

    [Fact]
    public void A_bad_marginal_is_refused_naming_the_column_and_key()
    {
        string file = SavedPenguins(out string dir);
        var json = JsonNode.Parse(File.ReadAllText(file))!;
        json["columns"]![2]!["marginal"]!["grid"]![10] = -1e9;
        File.WriteAllText(file, json.ToJsonString());
        var act = () => GaussianCopula.Load(dir);
        act.Should().Throw<InvalidDataException>().WithMessage($"{file}: column 'Beak Length (mm)' marginal: 'grid'[10] is -1000000000, below 'grid'[9] = *; quantiles must not decrease.");

        json = JsonNode.Parse(File.ReadAllText(file))!;
        json["columns"]![2]!["marginal"]!["grid"]![10] = json["columns"]![2]!["marginal"]!["grid"]![9]!.DeepClone();
        json["columns"]![0]!["marginal"]!["upper"]![3] = 0.9;
        File.WriteAllText(file, json.ToJsonString());
        act.Should().Throw<InvalidDataException>().WithMessage($"{file}: column 'Species' marginal: 'upper'[3] is 0.9; cumulative frequencies must not decrease, lie in [0, 1] and end at 1.");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void Edit(string file, string original, Action<JsonArray> change)
    {
        var json = JsonNode.Parse(original)!;
        change(json["correlation"]!["values"]!.AsArray());
        File.WriteAllText(file, json.ToJsonString());
    }

    private string SavedPenguins(out string dir)
    {
        using var fit = new torch.Generator(0);
        dir = Path.Combine(_dir, "penguins");
        GaussianCopula.Fit(Tables.LoadPenguins(), fit).Save(dir);
        return Path.Combine(dir, "copula.json");
    }
}
