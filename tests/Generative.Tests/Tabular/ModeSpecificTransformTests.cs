using System.Text.Json.Nodes;
using Generative.Data.BuiltIn;
using Generative.Tabular;
using Generative.TabularSynthesis;
using TorchSharp;

namespace Generative.Tests.Tabular;

/// <summary>
/// The <c>mode-specific</c> transform (CTGAN's mode-specific normalisation): the mixture recovers known modes, a value's
/// numbers follow α = (x − μ_k) / (4σ_k) with k the most responsible mode, inverse(transform(x)) == x on penguins and
/// Adult, missing values go through the missing indicator, and the fitted state saves and loads with validation.
/// </summary>
public sealed class ModeSpecificTransformTests
{
    private static TableTransformOptions ModeSpecific() => TabularGan.TransformOptions();

    [Fact]
    public void A_three_component_mixture_recovers_its_means_and_weights()
    {
        // 0.5 N(−5, 1) + 0.3 N(0, 0.5²) + 0.2 N(6, 1.5²), 4,000 draws, values with 3 decimals.
        using var generator = new torch.Generator(7);
        double[] u = torch.rand([4_000], torch.float64, generator: generator).data<double>().ToArray();
        double[] e = torch.randn([4_000], torch.float64, generator: generator).data<double>().ToArray();
        var values = u.Select((p, i) => Math.Round(p < 0.5 ? -5 + e[i] : p < 0.8 ? 0.5 * e[i] : 6 + (1.5 * e[i]), 3)).ToArray();
        var table = new Table([TableColumn.Continuous("x", values.Select(v => (double?)v))]);

        var transformer = TableTransformer.Fit(table, ModeSpecific());
        var state = transformer.Encoders[0].Describe();
        double[] weights = Doubles(state, "weights"), means = Doubles(state, "means"), deviations = Doubles(state, "deviations");

        means.Should().HaveCount(3, "BIC picks the three components");
        means.Should().BeInAscendingOrder();
        means[0].Should().BeApproximately(-5, 0.15);
        means[1].Should().BeApproximately(0, 0.1);
        means[2].Should().BeApproximately(6, 0.25);
        weights[0].Should().BeApproximately(0.5, 0.03);
        weights[1].Should().BeApproximately(0.3, 0.03);
        weights[2].Should().BeApproximately(0.2, 0.03);
        deviations[0].Should().BeApproximately(1, 0.1);
        deviations[1].Should().BeApproximately(0.5, 0.07);
        deviations[2].Should().BeApproximately(1.5, 0.15);
        TableInputTests.AssertSameTable(transformer.Inverse(transformer.Transform(table)), table);
    }

    [Fact]
    public void A_value_becomes_its_most_responsible_mode_and_alpha_over_four_sigma()
    {
        var penguins = Tables.LoadPenguins();
        var transformer = TableTransformer.Fit(penguins, ModeSpecific());
        var matrix = transformer.Transform(penguins);
        var blocks = transformer.Layout.ForColumn("Body Mass (g)");
        blocks.Select(b => (b.Kind, b.Role)).Should().Equal((BlockKind.Gaussian, BlockRole.Value), (BlockKind.OneHot, BlockRole.Mode), (BlockKind.OneHot, BlockRole.Missing));
        var state = transformer.Encoders[transformer.Schema.Columns.ToList().FindIndex(c => c.Name == "Body Mass (g)")].Describe();
        double[] w = Doubles(state, "weights"), mu = Doubles(state, "means"), sigma = Doubles(state, "deviations");
        blocks[1].Width.Should().Be(w.Length).And.BeInRange(1, 10);
        blocks[1].Labels[0].Should().Be("mode 1");
        w.Should().OnlyContain(x => x >= 0.005);
        w.Sum().Should().BeApproximately(1, 1e-9);

        var column = penguins["Body Mass (g)"];
        for (int r = 0; r < penguins.RowCount; r++)
        {
            var row = matrix.Values.AsSpan(r * matrix.Width, matrix.Width);
            if (column.IsMissing(r))
            {
                row[blocks[0].Offset].Should().Be(0);
                row[blocks[2].Offset + 1].Should().Be(1, "a missing cell sets the 'missing' slot");
                continue;
            }

            double x = column.GetDouble(r);
            int k = Enumerable.Range(0, w.Length).MaxBy(j => Math.Log(w[j]) - Math.Log(sigma[j]) - (0.5 * Math.Pow((x - mu[j]) / sigma[j], 2)));
            row[blocks[0].Offset].Should().BeApproximately((x - mu[k]) / (4 * sigma[k]), 1e-12);
            row.Slice(blocks[1].Offset, blocks[1].Width).ToArray().Should().Equal(Enumerable.Range(0, w.Length).Select(j => j == k ? 1.0 : 0.0));
            row[blocks[2].Offset].Should().Be(1, "a present cell sets the 'present' slot");
        }
    }

    [Fact]
    public void Penguins_come_back_exactly_with_missing_values()
    {
        var penguins = Tables.LoadPenguins();
        var transformer = TableTransformer.Fit(penguins, ModeSpecific());
        transformer.TransformNames.Should().Equal("one-hot", "one-hot", "mode-specific", "mode-specific", "mode-specific", "mode-specific", "one-hot");
        transformer.Layout.MissingIndicators.Should().HaveCount(4);
        transformer.Layout.ModeGroups.Should().HaveCount(4);
        TableInputTests.AssertSameTable(transformer.Inverse(transformer.Transform(penguins)), penguins);
    }

    [Fact]
    public void Adult_comes_back_exactly()
    {
        var adult = TabularAssets.Adult;
        var transformer = TableTransformer.Fit(adult, ModeSpecific());
        transformer.Layout.ModeGroups.Select(g => g.Column).Should().Equal("age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week");
        TableInputTests.AssertSameTable(transformer.Inverse(transformer.Transform(adult)), adult);

        // capital-gain is 0 in 91.7 % of rows: one narrow mode holds them all, with α = (0 − μ) / (4σ) for every one.
        var gain = transformer.Layout.ForColumn("capital-gain");
        var matrix = transformer.Transform(adult);
        var zeroModes = Enumerable.Range(0, adult.RowCount).Where(r => adult["capital-gain"].GetInt64(r) == 0)
            .Select(r => Enumerable.Range(0, gain[1].Width).First(j => matrix.Values[(r * matrix.Width) + gain[1].Offset + j] == 1)).Distinct();
        zeroModes.Should().HaveCount(1);
    }

    [Fact]
    public void Saved_and_loaded_it_transforms_identically_and_bad_state_is_refused()
    {
        var penguins = Tables.LoadPenguins();
        var transformer = TableTransformer.Fit(penguins, ModeSpecific());
        var json = transformer.ToJson();
        var loaded = TableTransformer.FromJson(JsonNode.Parse(json.ToJsonString()));
        loaded.Transform(penguins).Values.Should().Equal(transformer.Transform(penguins).Values);

        var broken = JsonNode.Parse(json.ToJsonString())!.AsObject();
        broken["columns"]![2]!["state"]!["weights"] = new JsonArray([.. Enumerable.Repeat(1.0 / 11, 11).Select(w => (JsonNode?)w)]);
        var act = () => TableTransformer.FromJson(broken, "table.json");
        act.Should().Throw<InvalidDataException>().WithMessage("table.json: column 'Beak Length (mm)' (mode-specific): 'weights', 'means' and 'deviations' must have the same number of modes*");
    }

    private static double[] Doubles(JsonObject state, string key) => [.. state[key]!.AsArray().Select(n => n!.GetValue<double>())];
}
