using Generative.Comparison.Tables;
using Generative.Tabular;
using TorchSharp;

namespace Generative.Compare.Tests.Tables;

/// <summary>The table report's figures against values computed by hand from the formulas (docs/table-report.md).</summary>
public sealed class TableReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gen-tablereport-").FullName;

    // real: x = 1..4, y = 2x (r = 1), c = a a b (missing); synthetic: x = 3..6, y reversed (r = −1), c = a b b b.
    private static Table Real() => new([
        TableColumn.Integer("x", [1, 2, 3, 4]),
        TableColumn.Continuous("y", [2.0, 4.0, 6.0, 8.0]),
        TableColumn.Categorical("c", ["a", "a", "b", null]),
    ]);

    private static Table Synthetic() => new([
        TableColumn.Integer("x", [3, 4, 5, 6]),
        TableColumn.Continuous("y", [8.0, 6.0, 4.0, 2.0]),
        TableColumn.Categorical("c", ["a", "b", "b", "b"]),
    ]);

    private static readonly TableReportOptions Fast = new() { Detection = false };

    [Fact]
    public void Column_shapes_are_the_KS_and_TV_complements_computed_by_hand()
    {
        var report = TableReport.Compute(Real(), Real(), Synthetic(), Fast);

        // x: the CDFs differ most at 2 (0.5 − 0) and 4 (1 − 0.5): KS = 0.5. y: the same values: KS = 0.
        // c: p = {a .5, b .25, missing .25}, q = {a .25, b .75}: TV = (.25 + .5 + .25) / 2 = .5.
        report.ColumnShapes.Select(s => s.Metric).Should().Equal("KSComplement", "KSComplement", "TVComplement");
        report.ColumnShapes.Select(s => s.Score).Should().Equal(0.5, 1.0, 0.5);
        report.ColumnShapes[2].RealMissingRate.Should().Be(0.25);
        report.ColumnShapes[2].SyntheticMissingRate.Should().Be(0);
        report.ColumnShapesScore.Should().BeApproximately(2.0 / 3, 1e-12);
    }

    [Fact]
    public void Pair_trends_follow_the_SDMetrics_rule_computed_by_hand()
    {
        var report = TableReport.Compute(Real(), Real(), Synthetic(), Fast);

        // x–y: r_real = 1, r_synthetic = −1: 1 − |1 − (−1)| / 2 = 0.
        // x–c: x cut into 10 equal-width bins of each table's own range → bins 1, 4, 7, 11 (np.digitize) in both;
        //      real pairs (1,a) (4,a) (7,b) (11,missing), synthetic (1,a) (4,b) (7,b) (11,b): TV = 4 × .25 / 2 → 0.5.
        // y–c: real (1,a) (4,a) (7,b) (11,missing), synthetic (11,a) (7,b) (4,b) (1,b): only (7,b) shared: TV = .75 → 0.25.
        report.PairTrends.Select(p => (p.First, p.Second, p.Metric)).Should().Equal(
            ("x", "y", "CorrelationSimilarity"), ("x", "c", "ContingencySimilarity"), ("y", "c", "ContingencySimilarity"));
        report.PairTrends[0].RealCorrelation.Should().BeApproximately(1, 1e-12);
        report.PairTrends[0].SyntheticCorrelation.Should().BeApproximately(-1, 1e-12);
        report.PairTrends.Select(p => p.Score).Should().Equal([0.0, 0.5, 0.25], (a, b) => Math.Abs(a - b) < 1e-12);
        report.PairTrendsScore.Should().BeApproximately(0.25, 1e-12);
        report.QualityScore.Should().BeApproximately(((2.0 / 3) + 0.25) / 2, 1e-12);
    }

    [Fact]
    public void Validity_counts_cells_out_of_range_and_rows_by_hand()
    {
        var report = TableReport.Compute(Real(), Real(), Synthetic(), Fast);

        // x = 3, 4, 5, 6 against the real 1..4: half in range; y and c all valid; so rows 1 and 2 only.
        report.Validity.Select(v => v.InRangeShare).Should().Equal(0.5, 1.0, 1.0);
        report.Validity.Select(v => v.ValidShare).Should().Equal(0.5, 1.0, 1.0);
        report.Validity.Should().OnlyContain(v => v.RightKindShare == 1);
        report.ValidRowShare.Should().Be(0.5);
    }

    [Fact]
    public void A_synthetic_column_of_another_kind_counts_its_unreadable_cells_as_wrong_kind()
    {
        var synthetic = new Table([
            TableColumn.Categorical("x", ["3", "four", "1", "2"]),
            TableColumn.Continuous("y", [8.0, 6.0, 4.0, 2.0]),
            TableColumn.Categorical("c", ["a", "b", "b", "z"]),
        ]);

        var report = TableReport.Compute(Real(), Real(), synthetic, Fast);

        report.Validity[0].RightKindShare.Should().Be(0.75);
        report.Validity[0].ValidShare.Should().Be(0.75);
        report.Validity[2].InRangeShare.Should().Be(0.75, "'z' is not a real category");
        report.ValidRowShare.Should().Be(0.5);
    }

    [Fact]
    public void Identical_tables_score_one_and_a_shifted_column_loses_exactly_its_KS_statistic()
    {
        var real = Random(400, seed: 1);
        var same = TableReport.Compute(real, real, real, Fast);
        same.ColumnShapes.Should().OnlyContain(s => s.Score == 1);
        same.PairTrends.Should().OnlyContain(p => p.Score == 1);
        same.QualityScore.Should().Be(1);

        // u is 0..399 in some order; shifted by 40 the CDFs differ by 40/400 = 0.1 at most.
        var shifted = new Table(real.Columns.Select(c => c.Name == "u"
            ? TableColumn.Integer("u", Enumerable.Range(0, real.RowCount).Select(r => (long?)(c.GetInt64(r) + 40)))
            : c));
        var report = TableReport.Compute(real, real, shifted, Fast);
        report.ColumnShapes.Single(s => s.Column == "u").Score.Should().BeApproximately(0.9, 1e-12);
        report.ColumnShapes.Where(s => s.Column != "u").Should().OnlyContain(s => s.Score == 1);
        report.ColumnShapesScore.Should().BeApproximately(1 - (0.1 / real.Columns.Count), 1e-12);
    }

    [Fact]
    public void Distance_to_closest_record_is_the_mean_per_column_distance_by_hand()
    {
        var train = new Table([TableColumn.Continuous("x", [0.0, 10.0]), TableColumn.Categorical("c", ["a", "b"])]);
        var query = new Table([TableColumn.Continuous("x", [2.0, null, 0.0, 30.0]), TableColumn.Categorical("c", ["b", "a", "a", "a"])]);
        var reference = train.Columns.Select(c => ReportColumnFor(c)).ToList();
        var queries = query.Columns.Select(c => ReportColumnFor(c)).ToList();

        double[] dcr = DistanceToClosestRecord.Distances(queries, reference, blockRows: 3);

        // (2, b): to (0, a) (0.2 + 1) / 2 = 0.6, to (10, b) (0.8 + 0) / 2 = 0.4. (missing, a): (1 + 0) / 2 = 0.5.
        // (0, a): an exact copy, 0. (30, a): |30 − 0| / 10 capped at 1, so (1 + 0) / 2 = 0.5.
        dcr.Should().Equal([0.4, 0.5, 0, 0.5], (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void Copies_of_training_rows_have_distance_zero_and_copy_share_one()
    {
        var real = Random(300, seed: 2);
        var copies = real.SelectRows(Enumerable.Range(0, 100));
        var report = TableReport.Compute(real, Random(100, seed: 3), copies, Fast);

        report.Privacy.SyntheticMedian.Should().Be(0);
        report.Privacy.SyntheticFifthPercentile.Should().Be(0);
        report.Privacy.SyntheticCopyShare.Should().Be(1);
        report.Privacy.HoldoutCopyShare.Should().Be(0);
        report.Privacy.HoldoutMedian.Should().BeGreaterThan(0);
        report.Privacy.SyntheticHistogram.Sum().Should().Be(100);
    }

    [Fact]
    public void Detection_is_near_half_on_two_halves_of_one_table_and_near_one_on_a_shifted_copy()
    {
        var table = Random(2400, seed: 4);
        var first = table.SelectRows(Enumerable.Range(0, 1200));
        var second = table.SelectRows(Enumerable.Range(1200, 1200));
        var options = new TableReportOptions { Seed = 5, Trees = 30 };

        var halves = TableReport.Compute(first, first, second, options).Detection!;
        halves.Folds.Should().Be(5);
        halves.LogisticAuc.Should().BeInRange(0.42, 0.58);
        halves.BoostedAuc.Should().BeInRange(0.42, 0.58);

        var shifted = new Table(second.Columns.Select(c => c.Name == "v"
            ? TableColumn.Continuous("v", Enumerable.Range(0, second.RowCount).Select(r => (double?)(c.GetDouble(r) + 4)))
            : c));
        var detected = TableReport.Compute(first, first, shifted, options).Detection!;
        detected.LogisticAuc.Should().BeGreaterThan(0.97);
        detected.BoostedAuc.Should().BeGreaterThan(0.97);
        detected.LogisticScore.Should().BeLessThan(0.06);
    }

    [Fact]
    public void Efficacy_ratio_is_near_one_when_the_synthetic_rows_are_a_real_subsample()
    {
        var train = Random(3000, seed: 6);
        var holdout = Random(1000, seed: 7);
        var subsample = train.SelectRows(Enumerable.Range(0, 1500));

        var efficacy = TableReport.Compute(train, holdout, subsample, new TableReportOptions { Target = "label", Detection = false, Trees = 50 }).Efficacy!;

        efficacy.Task.Should().Be("classification");
        efficacy.Metric.Should().Be("macro F1");
        efficacy.Classes.Should().Be(2);
        efficacy.BoostedReal.Should().BeGreaterThan(0.7, "the label follows v");
        efficacy.BoostedRatio.Should().BeInRange(0.95, 1.05);
        efficacy.SimpleRatio.Should().BeInRange(0.95, 1.05);

        var regression = TableReport.Compute(train, holdout, subsample, new TableReportOptions { Target = "v", Detection = false, Trees = 50 }).Efficacy!;
        regression.Metric.Should().Be("R²");
        regression.SimpleReal.Should().BeGreaterThan(0.3);
        regression.SimpleRatio.Should().BeInRange(0.9, 1.1);
    }

    [Fact]
    public void Macro_F1_and_R2_match_the_formulas()
    {
        // Class 0: TP 1, FP 1, FN 1 → 0.5; class 1: TP 1, FP 1, FN 1 → 0.5; class 2: TP 1 → 1. Mean 2/3.
        EfficacyCheck.MacroF1([0, 0, 1, 1, 2], [0, 1, 1, 0, 2]).Should().BeApproximately(2.0 / 3, 1e-12);
        EfficacyCheck.RSquared([1, 2, 3], [1, 2, 4]).Should().BeApproximately(1 - (1.0 / 2), 1e-12);
        DetectionClassifiers.RocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]).Should().BeApproximately(0.75, 1e-12);
        DetectionClassifiers.RocAuc([0.5, 0.5], [false, true]).Should().Be(0.5);
    }

    [Fact]
    public void Json_round_trips_and_the_page_files_exist()
    {
        var real = Random(300, seed: 8);
        var report = TableReport.Compute(real, Random(100, seed: 9), Random(150, seed: 10), new TableReportOptions { Target = "label", Trees = 10 });
        string json = report.ToJson();

        var back = TableReport.FromJson(json);
        back.ToJson().Should().Be(json);
        back.QualityScore.Should().Be(report.QualityScore);
        back.Detection!.BoostedAuc.Should().Be(report.Detection!.BoostedAuc);
        json.Should().StartWith("{\n  \"format\": \"generative-table-report\",\n  \"version\": 1,");

        string page = back.SavePage(_dir, "Random table");
        foreach (string file in new[] { "report.md", "report.json", "columns.png", "pairs.png", "dcr.png" })
        {
            new FileInfo(Path.Combine(_dir, file)).Length.Should().BeGreaterThan(1000, file);
        }

        File.ReadAllText(page).Should().Contain("| quality score").And.Contain("![Column pairs](pairs.png)");
        FluentActions.Invoking(() => TableReport.FromJson("{\"format\": \"other\"}", "x.json"))
            .Should().Throw<InvalidDataException>().WithMessage("x.json: 'format' is 'other'*");
    }

    [Fact]
    public void Bad_input_names_the_column()
    {
        var synthetic = new Table([TableColumn.Integer("x", [1, 2])]);
        FluentActions.Invoking(() => TableReport.Compute(Real(), Real(), synthetic, Fast))
            .Should().Throw<ArgumentException>().WithMessage("The synthetic rows have no column 'y'*");
        FluentActions.Invoking(() => TableReport.Compute(Real(), Real(), Synthetic(), new TableReportOptions { Target = "z" }))
            .Should().Throw<ArgumentException>().WithMessage("Target 'z' is not a compared column*");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static ReportColumn ReportColumnFor(TableColumn column) => ReportColumn.Read(column, column.Kind);

    // u: a permutation of 0..n−1; v ~ N(0, 1); w = v + noise; g: a category following v; flag: a Boolean;
    // label: "yes" when v + 0.5·noise > 0, 5 % missing in g.
    private static Table Random(int n, int seed)
    {
        using var generator = new torch.Generator((ulong)seed);
        using var scope = torch.NewDisposeScope();
        long[] u = torch.randperm(n, generator: generator).data<long>().ToArray();
        double[] v = torch.randn([n], dtype: torch.ScalarType.Float64, generator: generator).data<double>().ToArray();
        double[] e = torch.randn([n], dtype: torch.ScalarType.Float64, generator: generator).data<double>().ToArray();
        double[] m = torch.rand([n], dtype: torch.ScalarType.Float64, generator: generator).data<double>().ToArray();
        return new Table([
            TableColumn.Integer("u", u.Select(x => (long?)x)),
            TableColumn.Continuous("v", v.Select(x => (double?)x)),
            TableColumn.Continuous("w", v.Select((x, i) => (double?)(x + e[i]))),
            TableColumn.Categorical("g", v.Select((x, i) => m[i] < 0.05 ? null : x < -0.5 ? "low" : x < 0.5 ? "mid" : "high")),
            TableColumn.Boolean("flag", m.Select(x => (bool?)(x > 0.5))),
            TableColumn.Categorical("label", v.Select((x, i) => x + (0.5 * e[i]) > 0 ? "yes" : "no")),
        ]);
    }
}
