using System.Diagnostics;
using Generative.Data.BuiltIn;
using Generative.Tabular;
using TorchSharp;
using Xunit.Abstractions;

namespace Generative.Tests.Tabular;

/// <summary>The Gaussian copula baseline: marginals and missing rates as observed, correlations of the normal scores,
/// valid typed rows, seeded.</summary>
public sealed class GaussianCopulaTests(ITestOutputHelper output)
{
    [Fact]
    public void Penguins_missing_rates_are_within_two_points_and_every_row_is_valid()
    {
        var penguins = Tables.LoadPenguins();
        using var fitGenerator = new torch.Generator(0);
        var copula = GaussianCopula.Fit(penguins, fitGenerator);
        using var generator = new torch.Generator(1);
        var sample = copula.Sample(10_000, generator);

        sample.RowCount.Should().Be(10_000);
        foreach (var real in penguins.Schema.Columns)
        {
            var column = sample[real.Name];
            column.Kind.Should().Be(real.Kind);
            double rate = (double)column.MissingCount / sample.RowCount;
            output.WriteLine($"{real.Name}: missing {real.MissingRate:P2} real, {rate:P2} synthetic");
            rate.Should().BeApproximately(real.MissingRate, 0.02, "column '{0}' keeps its missing rate", real.Name);
            var observed = ColumnSchema.Observe(column);
            if (real.Categories is not null)
            {
                observed.Categories.Should().BeSubsetOf(real.Categories);
            }

            if (real.Minimum is double min)
            {
                observed.Minimum.Should().BeGreaterThanOrEqualTo(min);
                observed.Maximum.Should().BeLessThanOrEqualTo(real.Maximum!.Value);
            }
        }

        // The numeric columns, 2 missing rows of 344 (0.58 %), go missing together as in the data: one correlation.
        copula.Correlation("Beak Length (mm)", "Flipper Length (mm)").Should().BeGreaterThan(0.6);
    }

    [Fact]
    public void The_same_seeds_give_the_same_rows()
    {
        var penguins = Tables.LoadPenguins();
        Table Draw()
        {
            using var fit = new torch.Generator(3);
            using var sample = new torch.Generator(4);
            return GaussianCopula.Fit(penguins, fit).Sample(500, sample);
        }

        Draw().ToCsv().Should().Be(Draw().ToCsv());
    }

    [Fact]
    public void Correlations_and_marginals_of_Adult_are_reproduced_in_seconds()
    {
        var adult = TabularAssets.Adult;
        var clock = Stopwatch.StartNew();
        using var fitGenerator = new torch.Generator(0);
        var copula = GaussianCopula.Fit(adult, fitGenerator);
        var fitTime = clock.Elapsed;
        clock.Restart();
        using var generator = new torch.Generator(1);
        var sample = copula.Sample(adult.RowCount, generator);
        var sampleTime = clock.Elapsed;
        output.WriteLine($"Adult: fit {fitTime.TotalSeconds:F2} s, sample {adult.RowCount:N0} rows {sampleTime.TotalSeconds:F2} s");
        fitTime.Should().BeLessThan(TimeSpan.FromSeconds(60), "a baseline fits in seconds (the bound is loose for a shared CI machine)");

        // Dependence between numbers is kept; between a number and a binary category (more education, more often >50K:
        // 0.335 in the data) it is kept in sign but attenuated, about halved (0.16): the scores of a two-valued column
        // are spread over their intervals, which weakens their correlation at fitting and again at sampling. A known
        // limit of this baseline (docs/tables.md), which the learned models must beat.
        Pearson(sample["age"], sample["hours-per-week"]).Should().BeApproximately(Pearson(adult["age"], adult["hours-per-week"]), 0.05);
        double real = Pearson(adult["education-num"], Rich(adult));
        real.Should().BeApproximately(0.335, 0.001);
        Pearson(sample["education-num"], Rich(sample)).Should().BeInRange(0.12, 0.22);
        copula.Correlation("education-num", "income").Should().BeInRange(0.2, real);

        // Marginals: the income share and the missing rates of the three columns that have them.
        double Share(Table t) => Enumerable.Range(0, t.RowCount).Count(r => t["income"].GetString(r) == " >50K") / (double)t.RowCount;
        Share(sample).Should().BeApproximately(Share(adult), 0.01);
        foreach (string name in new[] { "workclass", "occupation", "native-country" })
        {
            ((double)sample[name].MissingCount / sample.RowCount).Should().BeApproximately(adult.Schema[name].MissingRate, 0.01);
        }

        // Integers stay whole and within bounds; capital-gain keeps its spike at 0 (91.7 % of rows).
        double zeros = Enumerable.Range(0, sample.RowCount).Count(r => sample["capital-gain"].GetInt64(r) == 0) / (double)sample.RowCount;
        zeros.Should().BeApproximately(0.917, 0.01);
    }

    private static TableColumn Rich(Table t) =>
        TableColumn.Integer("rich", Enumerable.Range(0, t.RowCount).Select(r => (long?)(t["income"].GetString(r) == " >50K" ? 1 : 0)));

    private static double Pearson(TableColumn a, TableColumn b)
    {
        double[] x = [.. Enumerable.Range(0, a.Count).Select(a.GetDouble)];
        double[] y = [.. Enumerable.Range(0, b.Count).Select(b.GetDouble)];
        double mx = x.Average(), my = y.Average();
        double sxy = x.Zip(y).Sum(p => (p.First - mx) * (p.Second - my));
        return sxy / Math.Sqrt(x.Sum(v => (v - mx) * (v - mx)) * y.Sum(v => (v - my) * (v - my)));
    }
}
