using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Generative.Checkpoints;
using Generative.Data.BuiltIn;
using Generative.Tabular;
using Generative.TabularSynthesis;
using TorchSharp;
using Xunit.Abstractions;

namespace Generative.Tests.Tabular;

/// <summary>TabularDiffusionOptions.LabelColumn (TabDDPM's <c>is_y_cond</c>): the label rate of samples is the training rate,
/// a condition on the label holds exactly and steers the rest of the row, save/load keeps the samples, bad columns are
/// refused naming them, and the default (no label) is unchanged.</summary>
public sealed class TabularDiffusionLabelTests(TabularDiffusionLabelTests.SexLabelledPenguins penguins, ITestOutputHelper output) : IClassFixture<TabularDiffusionLabelTests.SexLabelledPenguins>
{
    [Fact]
    public void The_label_rates_of_samples_are_the_training_rates_missing_included()
    {
        var real = Tables.LoadPenguins();
        penguins.Model.Label!.Column.Should().Be("Sex");
        penguins.Model.Network.ClassCount.Should().Be(penguins.Model.Label.ClassCount);
        const int n = 6_000;
        using var generator = new torch.Generator(31);
        var sample = penguins.Model.Sample(n, generator);
        foreach (string? category in Categories(real["Sex"]))
        {
            double p = Rate(real["Sex"], category), rate = Rate(sample["Sex"], category);
            double sd = Math.Sqrt(p * (1 - p) / n);
            output.WriteLine($"Sex = {category ?? "(missing)"}: training {p:P2}, sampled {rate:P2} (binomial sd {sd:P2})");
            rate.Should().BeApproximately(p, 4 * sd, "the labels are drawn from the training frequencies ({0})", category ?? "missing");
        }

        real["Sex"].MissingCount.Should().BeGreaterThan(0, "the test needs a nullable label");
        sample["Sex"].MissingCount.Should().BeGreaterThan(0, "a missing label is a class of its own");
    }

    [Fact]
    public void A_condition_on_the_label_holds_exactly_and_the_row_follows_it()
    {
        using var g = new torch.Generator(32);
        var female = penguins.Model.Sample(1_500, TableCondition.None.Where("Sex", "FEMALE"), g);
        var male = penguins.Model.Sample(1_500, TableCondition.None.Where("Sex", "MALE"), g);
        female["Sex"].MissingCount.Should().Be(0);
        Enumerable.Range(0, female.RowCount).Should().OnlyContain(r => female["Sex"].GetString(r) == "FEMALE");
        Enumerable.Range(0, male.RowCount).Should().OnlyContain(r => !male["Sex"].IsMissing(r) && male["Sex"].GetString(r) == "MALE");

        // Males are heavier: 4,546 g against 3,862 g in the data; the conditioned network reproduces most of the gap.
        double gap = MeanMass(male) - MeanMass(female);
        output.WriteLine($"body mass: male-conditioned {MeanMass(male):F0} g, female-conditioned {MeanMass(female):F0} g (real 4546 / 3862)");
        gap.Should().BeGreaterThan(400);

        // WhereIn draws among the allowed labels at their training proportions; other conditions combine as before.
        var real = Tables.LoadPenguins()["Sex"];
        var condition = TableCondition.None.WhereIn("Sex", ["MALE", "FEMALE"]).Where("Species", "Gentoo");
        var both = penguins.Model.Sample(3_000, condition, g);
        condition.Matches(both).Should().AllBeEquivalentTo(true);
        double p = Rate(real, "MALE") / (Rate(real, "MALE") + Rate(real, "FEMALE"));
        Rate(both["Sex"], "MALE").Should().BeApproximately(p, 4 * Math.Sqrt(p * (1 - p) / 3_000));
    }

    [Fact]
    public void Save_then_load_gives_the_same_samples_and_the_saved_label_is_validated()
    {
        string dir = Path.Combine(Path.GetTempPath(), "tabddpm-label-" + Guid.NewGuid().ToString("N"));
        try
        {
            penguins.Model.Save(dir);
            string configPath = Path.Combine(dir, "synthesizer.json");
            string original = File.ReadAllText(configPath);
            var config = JsonNode.Parse(original)!;
            config["options"]!["label_column"]!.GetValue<string>().Should().Be("Sex");
            config["network"]!["class_count"]!.GetValue<int>().Should().Be(penguins.Model.Label!.ClassCount);
            config["label"]!["counts"]!.AsArray().Select(c => c!.GetValue<double>()).Sum().Should().Be(Tables.LoadPenguins().RowCount);
            using (var loaded = TabularDiffusion.Load(dir))
            {
                loaded.Options.LabelColumn.Should().Be("Sex");
                var condition = TableCondition.None.Where("Island", "Biscoe").WhereIn("Sex", ["FEMALE"]);
                using var g1 = new torch.Generator(33);
                using var g2 = new torch.Generator(33);
                loaded.Sample(300, condition, g1).ToCsv().Should().Be(penguins.Model.Sample(300, condition, g2).ToCsv());
                using var g3 = new torch.Generator(34);
                using var g4 = new torch.Generator(34);
                loaded.Sample(300, g3).ToCsv().Should().Be(penguins.Model.Sample(300, g4).ToCsv());
            }

            void Edit(Action<JsonObject> change)
            {
                var json = JsonNode.Parse(original)!.AsObject();
                change(json);
                File.WriteAllText(configPath, json.ToJsonString());
            }

            Edit(j => j["label"]!["counts"] = new JsonArray(1, 2));
            FluentActions.Invoking(() => TabularDiffusion.Load(dir)).Should().Throw<CheckpointFormatException>().WithMessage("*synthesizer.json*'label'*'Sex'*classes*");
            Edit(j => j["options"]!["label_column"] = "Body Mass (g)");
            FluentActions.Invoking(() => TabularDiffusion.Load(dir)).Should().Throw<CheckpointFormatException>().WithMessage("*'label.column'*Body Mass (g)*");
            Edit(j =>
            {
                j["options"]!["label_column"] = "Body Mass (g)";
                j["label"]!["column"] = "Body Mass (g)";
            });
            FluentActions.Invoking(() => TabularDiffusion.Load(dir)).Should().Throw<CheckpointFormatException>().WithMessage("*'Body Mass (g)' is integer*");
            Edit(j => j["options"]!.AsObject().Remove("label_column"));
            FluentActions.Invoking(() => TabularDiffusion.Load(dir)).Should().Throw<CheckpointFormatException>().WithMessage("*'label'*absent*");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("Colour", "*LabelColumn names 'Colour', which is not a column*'Species'*")]
    [InlineData("Body Mass (g)", "*LabelColumn must name a categorical or Boolean column, but 'Body Mass (g)' is integer*")]
    [InlineData("Beak Length (mm)", "*LabelColumn must name a categorical or Boolean column, but 'Beak Length (mm)' is continuous*")]
    [InlineData(" ", "TabularDiffusionOptions.LabelColumn must be null or a column's name, but is ' '.*")]
    public void A_label_column_that_is_unknown_or_not_categorical_is_refused_naming_it_and_its_kind(string column, string message)
    {
        using var generator = new torch.Generator(1);
        var act = () => TabularDiffusion.Fit(Tables.LoadPenguins(), TabularDiffusionTests.Small with { Steps = 1, LabelColumn = column }, generator);
        act.Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void A_boolean_label_is_conditioned_on_like_a_category()
    {
        var real = Tables.LoadPenguins();
        var heavy = Enumerable.Range(0, real.RowCount).Select(r => real["Body Mass (g)"].IsMissing(r) ? (bool?)null : real["Body Mass (g)"].GetDouble(r) > 4_500).ToArray();
        var table = new Table([real["Species"], real["Flipper Length (mm)"], TableColumn.Boolean("heavy", heavy, nullable: true)]);
        using var fit = new torch.Generator(2);
        using var model = TabularDiffusion.Fit(table, TabularDiffusionTests.Small with { Steps = 200, LabelColumn = "heavy" }, fit);
        model.Label!.ClassCount.Should().Be(3, "false, true and missing");
        using var g = new torch.Generator(3);
        var sample = model.Sample(500, TableCondition.None.Where("heavy", true), g);
        Enumerable.Range(0, sample.RowCount).Should().OnlyContain(r => !sample["heavy"].IsMissing(r) && sample["heavy"].GetBoolean(r));
    }

    [Fact]
    public void Without_a_label_column_the_model_and_its_rows_are_those_of_before()
    {
        // The SHA-256 of 200 rows drawn with seed 6 from penguins fitted 30 steps with seed 5, computed with the code
        // before LabelColumn existed (commit 96d9bdc): the default draws the same numbers in the same order.
        var table = Tables.LoadPenguins();
        using var fit = new torch.Generator(5);
        using var model = TabularDiffusion.Fit(table, TabularDiffusionTests.Small with { Steps = 30 }, fit);
        using var sample = new torch.Generator(6);
        string csv = model.Sample(200, sample).ToCsv();
        string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(csv)));
        output.WriteLine(hash);
        hash.Should().Be(DefaultHash);
        model.Label.Should().BeNull();
        model.Network.ClassCount.Should().Be(0);
        model.Network.Module.named_parameters().Select(p => p.name).Should().NotContain(n => n.Contains("label", StringComparison.Ordinal));
    }

    private const string DefaultHash = "EA95520B760B9DDD8A81E067A88E23F451FDAE79A8AC45E8B72E5E5B709A7DF3";

    private static IEnumerable<string?> Categories(TableColumn column) =>
        Enumerable.Range(0, column.Count).Select(r => column.IsMissing(r) ? null : column.GetString(r)).Distinct();

    private static double Rate(TableColumn column, string? category) =>
        Enumerable.Range(0, column.Count).Count(r => category is null ? column.IsMissing(r) : !column.IsMissing(r) && column.GetString(r) == category) / (double)column.Count;

    private static double MeanMass(Table table)
    {
        var mass = table["Body Mass (g)"];
        return Enumerable.Range(0, table.RowCount).Where(r => !mass.IsMissing(r)).Average(mass.GetDouble);
    }

    /// <summary>Penguins fitted once with <c>LabelColumn = "Sex"</c> (a nullable category), seed 0, 1,500 steps.</summary>
    public sealed class SexLabelledPenguins : IDisposable
    {
        public SexLabelledPenguins()
        {
            using var generator = new torch.Generator(0);
            Model = TabularDiffusion.Fit(Tables.LoadPenguins(), TabularDiffusionTests.Small with { LabelColumn = "Sex" }, generator);
        }

        public TabularDiffusion Model { get; }

        public void Dispose() => Model.Dispose();
    }
}
