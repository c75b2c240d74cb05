using System.Text.Json;
using Generative.Compare;
using Generative.Comparison.Tables;
using Generative.Data.BuiltIn;
using Generative.Tabular;
using TorchSharp;

namespace Generative.Compare.Tests.Tables;

/// <summary>The comparison command on a business table: penguins with the copula (seconds), two seeds.</summary>
public sealed class TableCompareCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "generative-table-compare-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private (int Code, string Output, string Error) Invoke(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = CommandLine.Invoke(args, output, error, options =>
            TableData.IsTable(options) ? TableCommand.Run(options, args, output, error) : throw new InvalidOperationException("not a table"));
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Penguins_with_the_copula_writes_a_report_per_seed_and_a_summary_whose_figures_are_the_reports_mean()
    {
        var (code, output, error) = Invoke("--dataset", "penguins", "--contenders", "copula", "--seeds", "0,1", "--output", _folder);

        code.Should().Be(0, error);
        foreach (int seed in new[] { 0, 1 })
        {
            string run = Path.Combine(_folder, "copula", $"seed-{seed}");
            File.Exists(Path.Combine(run, "report.md")).Should().BeTrue();
            File.Exists(Path.Combine(run, "columns.png")).Should().BeTrue();
        }

        var reports = new[] { 0, 1 }.Select(s => TableReport.LoadJson(Path.Combine(_folder, "copula", $"seed-{s}", "report.json"))).ToList();
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder, "summary.json")));
        var root = summary.RootElement;
        root.GetProperty("dataset").GetString().Should().Be("penguins");
        root.GetProperty("target").GetString().Should().Be("Species");
        (root.GetProperty("trainRows").GetInt32(), root.GetProperty("holdoutRows").GetInt32()).Should().Be((275, 69), "80/20 of 344 rows");
        var copula = root.GetProperty("contenders").EnumerateArray().Single();
        copula.GetProperty("name").GetString().Should().Be("copula");
        var quality = copula.GetProperty("metrics").GetProperty("quality");
        double mean = reports.Average(r => r.QualityScore);
        double sd = Math.Abs(reports[0].QualityScore - reports[1].QualityScore) / Math.Sqrt(2);
        quality.GetProperty("mean").GetDouble().Should().BeApproximately(mean, 1e-12);
        quality.GetProperty("sd").GetDouble().Should().BeApproximately(sd, 1e-12);
        copula.GetProperty("metrics").GetProperty("f1RatioBoosted").GetProperty("mean").GetDouble()
            .Should().BeApproximately(reports.Average(r => r.Efficacy!.BoostedRatio), 1e-12);
        copula.GetProperty("metrics").GetProperty("trainSeconds").GetProperty("values").GetArrayLength().Should().Be(2);

        string markdown = File.ReadAllText(Path.Combine(_folder, "summary.md"));
        markdown.Should().Contain("| copula |").And.Contain("275 training rows, 69 held-out rows").And.Contain("copula/seed-1/report.md");
        output.Should().Contain("| copula |");
    }

    [Fact]
    public void The_report_of_a_seed_is_the_table_report_of_the_copula_fitted_and_sampled_with_that_seed()
    {
        Invoke("--dataset", "penguins", "--contenders", "copula", "--seeds", "3", "--output", _folder).Code.Should().Be(0);
        var data = TableData.Load("penguins", null);
        using var fit = new torch.Generator(3);
        var model = GaussianCopula.Fit(data.Train, fit);
        using var sample = new torch.Generator(1003);
        var expected = TableReport.Compute(data.Train, data.Holdout, model.Sample(data.Train.RowCount, sample), new TableReportOptions { Target = "Species", Seed = 3 });
        var actual = TableReport.LoadJson(Path.Combine(_folder, "copula", "seed-3", "report.json"));
        actual.QualityScore.Should().Be(expected.QualityScore);
        actual.Privacy.SyntheticMedian.Should().Be(expected.Privacy.SyntheticMedian);
        data.Train.RowCount.Should().Be(275);
        Generative.Data.BuiltIn.Tables.LoadPenguins().RowCount.Should().Be(data.Train.RowCount + data.Holdout.RowCount);
    }

    [Fact]
    public void A_condition_times_a_conditional_sample_whose_rows_all_satisfy_it_and_a_bad_one_is_refused()
    {
        var (code, output, error) = Invoke("--dataset", "penguins", "--contenders", "copula", "--seeds", "0", "--condition", "Species = Gentoo", "--output", _folder);

        code.Should().Be(0, error);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder, "summary.json")));
        var metrics = summary.RootElement.GetProperty("contenders").EnumerateArray().Single().GetProperty("metrics");
        metrics.GetProperty("conditionalMatchShare").GetProperty("mean").GetDouble().Should().Be(1.0, "the copula samples a category condition exactly");
        metrics.GetProperty("conditionalSampleSeconds").GetProperty("mean").GetDouble().Should().BePositive();
        output.Should().Contain("satisfy it");

        (code, _, error) = Invoke("--dataset", "penguins", "--contenders", "copula", "--condition", "Species=Emperor", "--output", _folder);
        code.Should().Be(2);
        error.Should().Contain("'Emperor' is not a category of 'Species'").And.Contain("Gentoo");

        (code, _, error) = Invoke("--dataset", "penguins", "--contenders", "copula", "--condition", "Species", "--output", _folder);
        code.Should().Be(2);
        error.Should().Contain("expected COLUMN=VALUE");

        // Without --condition the figures are absent (null), not zero.
        Invoke("--dataset", "penguins", "--contenders", "copula", "--seeds", "0", "--output", _folder).Code.Should().Be(0);
        using var plain = JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder, "summary.json")));
        plain.RootElement.GetProperty("contenders").EnumerateArray().Single().GetProperty("metrics")
            .GetProperty("conditionalSampleSeconds").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public void Adult_is_embedded_and_split_as_TabDDPM_does()
    {
        var data = TableData.Load("adult", null);
        (data.Train.RowCount, data.Holdout.RowCount, data.Target).Should().Be((26_048, 6_513, "income"));
    }

    [Fact]
    public void Tabddpm_is_conditioned_on_a_categorical_target_through_the_options_map_and_the_others_get_their_defaults()
    {
        var adult = TableData.Load("adult", null);
        var options = TableContenderOptions.Default.For("tabddpm", adult).Should().BeOfType<Generative.TabularSynthesis.TabularDiffusionOptions>().Subject;
        options.LabelColumn.Should().Be("income");
        options.Should().BeEquivalentTo(new Generative.TabularSynthesis.TabularDiffusionOptions { LabelColumn = "income" }, "only the label differs from the defaults");
        TableContenderOptions.Default.For("ctgan", adult).Should().BeNull();
        TableContenderOptions.Default.For("copula", adult).Should().BeNull();

        var penguins = TableData.Load("penguins", null);
        ((Generative.TabularSynthesis.TabularDiffusionOptions)TableContenderOptions.Default.For("tabddpm", penguins)!).LabelColumn.Should().Be("Species");
        var numericTarget = TableData.Load("penguins", "Body Mass (g)");
        ((Generative.TabularSynthesis.TabularDiffusionOptions)TableContenderOptions.Default.For("tabddpm", numericTarget)!).LabelColumn.Should().BeNull("a numeric target is not a class label");

        // A third party's entry is added the same way.
        var map = new TableContenderOptions().Add("my-model", data => data.Target);
        map.For("my-model", penguins).Should().Be("Species");
        map.For("tabddpm", penguins).Should().BeNull();
    }

    [Fact]
    public void A_csv_with_text_or_a_target_is_a_table_an_unknown_contender_or_target_is_refused()
    {
        Directory.CreateDirectory(_folder);
        string csv = Path.Combine(_folder, "orders.csv");
        Generative.Data.BuiltIn.Tables.LoadPenguins().SaveCsv(csv);

        var (code, _, error) = Invoke("--dataset", csv, "--contenders", "copula", "--target", "Colour", "--output", _folder);
        code.Should().Be(2);
        error.Should().Contain("--target: 'Colour' is not a column of orders.csv");

        (code, _, error) = Invoke("--dataset", "penguins", "--contenders", "copula,diffusion", "--output", _folder);
        code.Should().Be(2);
        error.Should().Contain("diffusion");

        (code, _, error) = Invoke("--dataset", csv, "--contenders", "copula", "--target", "Island", "--output", Path.Combine(_folder, "out"));
        code.Should().Be(0, error);
        File.ReadAllText(Path.Combine(_folder, "out", "summary.md")).Should().Contain("target `Island`");
    }
}
