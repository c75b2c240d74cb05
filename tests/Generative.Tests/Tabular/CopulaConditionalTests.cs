using System.Diagnostics;
using Generative.Data.BuiltIn;
using Generative.Tabular;
using TorchSharp;
using Xunit.Abstractions;

namespace Generative.Tests.Tabular;

/// <summary>
/// The copula's conditional sampling: exactly n rows, all satisfying the condition, by conditioning — checked against
/// rejection sampling from the copula's own unconditional rows (done here, in the test, as the reference).
/// </summary>
public sealed class CopulaConditionalTests(ITestOutputHelper output)
{
    private static readonly Lazy<(Table Table, GaussianCopula Copula)> LazyOrders = new(() =>
    {
        var table = TabularFixtures.Orders();
        using var generator = new torch.Generator(0);
        return (table, GaussianCopula.Fit(table, generator));
    });

    private static readonly Lazy<(Table Table, GaussianCopula Copula, Table Reference)> LazyDependent = new(() =>
    {
        var table = TabularFixtures.Dependent();
        using var generator = new torch.Generator(0);
        var copula = GaussianCopula.Fit(table, generator);
        using var reference = new torch.Generator(99);
        return (table, copula, copula.Sample(400_000, reference));
    });

    public static TheoryData<string> Conditions => new()
    {
        "category", "boolean", "integer range", "set", "date range", "nullable range", "all at once",
    };

    [Theory]
    [MemberData(nameof(Conditions))]
    public void Exactly_n_rows_all_satisfy_the_condition_and_no_conditioned_cell_is_missing(string which)
    {
        var (_, copula) = LazyOrders.Value;
        var all = TableCondition.None.Where("region", "east").Where("express", true).WhereBetween("quantity", 5, 8)
            .WhereIn("channel", ["web", "store"]).WhereBetween("start", new DateTime(2024, 3, 1), new DateTime(2024, 3, 31))
            .WhereBetween("discount", 0.05, 0.1);
        var condition = which switch
        {
            "category" => TableCondition.None.Where("region", "east"),
            "boolean" => TableCondition.None.Where("express", true),
            "integer range" => TableCondition.None.WhereBetween("quantity", 5, 8),
            "set" => TableCondition.None.WhereIn("channel", ["web", "store"]),
            "date range" => TableCondition.None.WhereBetween("start", new DateTime(2024, 3, 1), new DateTime(2024, 3, 31)),
            "nullable range" => TableCondition.None.WhereBetween("discount", 0.05, 0.1),
            _ => all,
        };
        using var generator = new torch.Generator(5);
        var sample = copula.Sample(3_000, condition, generator);

        sample.RowCount.Should().Be(3_000);
        condition.Matches(sample).Should().AllSatisfy(ok => ok.Should().BeTrue());
        foreach (var c in condition.Columns)
        {
            sample[c.Column].MissingCount.Should().Be(0, "a conditioned cell is never missing ('{0}')", c.Column);
        }

        // The other columns keep their kinds and their values stay within the observed ones.
        sample["discount"].Kind.Should().Be(ColumnKind.Continuous);
        sample["order_id"].GetString(0).Should().Be("ORD-00001");
        if (condition.For("discount") is null)
        {
            ((double)sample["discount"].MissingCount / sample.RowCount).Should().BeInRange(0.2, 0.4, "the unconditioned nullable column keeps missing cells");
        }

        // Every value the condition allows appears: the whole range is reachable (here, all four quantities).
        if (which == "integer range")
        {
            Enumerable.Range(0, sample.RowCount).Select(r => sample["quantity"].GetInt64(r)).Distinct().Order().Should().Equal(5, 6, 7, 8);
        }
    }

    [Fact]
    public void Penguins_condition_on_a_nullable_category_and_a_nullable_integer()
    {
        var penguins = Tables.LoadPenguins();
        using var fit = new torch.Generator(0);
        var copula = GaussianCopula.Fit(penguins, fit);
        var condition = TableCondition.None.Where("Sex", "FEMALE").WhereBetween("Flipper Length (mm)", 190, 200);
        using var generator = new torch.Generator(1);
        var sample = copula.Sample(2_000, condition, generator);
        sample.RowCount.Should().Be(2_000);
        condition.Matches(sample).Should().OnlyContain(ok => ok);
        sample["Sex"].MissingCount.Should().Be(0);
        sample["Flipper Length (mm)"].MissingCount.Should().Be(0);
    }

    [Fact]
    public void One_conditioned_column_matches_rejection_sampling()
    {
        var (_, copula, reference) = LazyDependent.Value;
        var condition = TableCondition.None.Where("c", "high");
        using var generator = new torch.Generator(3);
        var sample = copula.Sample(40_000, condition, generator);
        CompareWithRejection(sample, reference, condition);
    }

    [Fact]
    public void Two_conditioned_columns_match_rejection_sampling()
    {
        var (_, copula, reference) = LazyDependent.Value;
        var condition = TableCondition.None.Where("c", "high").WhereBetween("y", 0, 1);
        using var generator = new torch.Generator(4);
        var sample = copula.Sample(40_000, condition, generator);
        CompareWithRejection(sample, reference, condition);
    }

    [Fact]
    public void Three_conditioned_columns_with_a_set_match_rejection_sampling()
    {
        var (_, copula, reference) = LazyDependent.Value;
        var condition = TableCondition.None.WhereIn("c", ["low", "high"]).WhereBetween("y", -0.5, 1.5).WhereBetween("k", 9, 12);
        using var generator = new torch.Generator(6);
        var sample = copula.Sample(40_000, condition, generator);
        CompareWithRejection(sample, reference, condition);
    }

    [Fact]
    public void A_range_finer_than_the_data_is_refused_naming_the_column()
    {
        var (_, copula, _) = LazyDependent.Value;
        using var generator = new torch.Generator(0);
        var act = () => copula.Sample(10, TableCondition.None.WhereBetween("y", 0.51, 0.54), generator);
        act.Should().Throw<ArgumentException>().WithMessage("The condition y in [0.51, 0.54] holds no value the model generates: at the data's precision no value of 'y' lies in it.*");
        var unknown = () => copula.Sample(10, TableCondition.None.Where("colour", "red"), generator);
        unknown.Should().Throw<ArgumentException>().WithMessage("The condition names 'colour', which is not a column*");
    }

    [Fact]
    public void The_same_seed_gives_the_same_conditional_rows_and_no_condition_is_the_plain_sample()
    {
        var (_, copula) = LazyOrders.Value;
        var condition = TableCondition.None.Where("region", "west").WhereBetween("amount", 100, 200);
        Table Draw(TableCondition c)
        {
            using var generator = new torch.Generator(8);
            return c.IsEmpty ? copula.Sample(300, generator) : copula.Sample(300, c, generator);
        }

        Draw(condition).ToCsv().Should().Be(Draw(condition).ToCsv());
        using var g = new torch.Generator(8);
        copula.Sample(300, TableCondition.None, g).ToCsv().Should().Be(Draw(TableCondition.None).ToCsv());
    }

    [Fact]
    public void Adult_conditional_and_unconditional_speed()
    {
        // A figure for docs/tables.md, not an assertion: rows per second with and without a condition.
        var adult = TabularAssets.Adult;
        using var fit = new torch.Generator(0);
        var copula = GaussianCopula.Fit(adult, fit);
        int n = adult.RowCount;
        var one = TableCondition.None.Where("sex", " Female");
        var two = TableCondition.None.Where("workclass", " Private").WhereBetween("age", 30, 40);
        double Rate(TableCondition condition)
        {
            using var generator = new torch.Generator(1);
            _ = condition.IsEmpty ? copula.Sample(2_000, generator) : copula.Sample(2_000, condition, generator); // warm-up
            double best = double.PositiveInfinity;
            for (int run = 0; run < 3; run++)
            {
                var clock = Stopwatch.StartNew();
                var sample = condition.IsEmpty ? copula.Sample(n, generator) : copula.Sample(n, condition, generator);
                best = Math.Min(best, clock.Elapsed.TotalSeconds);
                sample.RowCount.Should().Be(n);
                condition.Matches(sample).Should().OnlyContain(ok => ok);
            }

            return n / best; // the best of three runs: the machine is shared
        }

        double plain = Rate(TableCondition.None), single = Rate(one), pair = Rate(two);
        output.WriteLine($"Adult, {n:N0} rows: unconditional {plain:N0} rows/s; {one}: {single:N0} rows/s ({single / plain:F2}x); {two}: {pair:N0} rows/s ({pair / plain:F2}x)");
    }

    /// <summary>The conditional sample against the reference rows that satisfy the condition: means of every numeric
    /// column and the frequency of every category, within about four standard errors.</summary>
    private void CompareWithRejection(Table sample, Table reference, TableCondition condition)
    {
        bool[] keep = condition.Matches(reference);
        var accepted = reference.SelectRows(Enumerable.Range(0, reference.RowCount).Where(r => keep[r]));
        output.WriteLine($"{condition}: {accepted.RowCount:N0} of {reference.RowCount:N0} reference rows accepted");
        accepted.RowCount.Should().BeGreaterThan(10_000, "the reference needs enough accepted rows");
        condition.Matches(sample).Should().OnlyContain(ok => ok);
        foreach (string name in new[] { "x", "y", "k" })
        {
            double[] a = Values(sample[name]), b = Values(accepted[name]);
            double meanA = a.Average(), meanB = b.Average();
            double sd = Math.Sqrt(b.Select(v => (v - meanB) * (v - meanB)).Average());
            double tolerance = 4 * sd * Math.Sqrt((1.0 / a.Length) + (1.0 / b.Length));
            output.WriteLine($"  mean {name}: conditional {meanA:F4}, rejection {meanB:F4} (tolerance {tolerance:F4})");
            meanA.Should().BeApproximately(meanB, tolerance, "the mean of '{0}' given {1}", name, condition);
            double sdA = Math.Sqrt(a.Select(v => (v - meanA) * (v - meanA)).Average());
            sdA.Should().BeApproximately(sd, 0.03 * sd + tolerance, "the spread of '{0}'", name);
        }

        foreach (string category in new[] { "low", "mid", "high" })
        {
            double p = Share(accepted["c"], category), q = Share(sample["c"], category);
            double tolerance = 4 * Math.Sqrt(p * (1 - p) * ((1.0 / sample.RowCount) + (1.0 / accepted.RowCount))) + 1e-9;
            output.WriteLine($"  P(c = {category}): conditional {q:F4}, rejection {p:F4}");
            q.Should().BeApproximately(p, tolerance, "the frequency of c = '{0}' given {1}", category, condition);
        }
    }

    private static double[] Values(TableColumn column) => [.. Enumerable.Range(0, column.Count).Select(column.GetDouble)];

    private static double Share(TableColumn column, string value) =>
        Enumerable.Range(0, column.Count).Count(r => column.GetString(r) == value) / (double)column.Count;
}
