using System.Text.Json.Nodes;
using Generative.Data.BuiltIn;
using Generative.Tabular;

namespace Generative.Tests.Tabular;

/// <summary>
/// inverse(transform(x)) == x for every column kind on real data (penguins, Adult) and on a table with the kinds those
/// lack (Boolean, dates, date-times, ids); the layout; the numbers against their formulas; save and load.
/// </summary>
public sealed class TableTransformerTests
{
    [Fact]
    public void Penguins_come_back_exactly_continuous_integer_categorical_and_missing()
    {
        var penguins = Tables.LoadPenguins();
        var transformer = TableTransformer.Fit(penguins);
        var matrix = transformer.Transform(penguins);
        TableInputTests.AssertSameTable(transformer.Inverse(matrix), penguins);

        // Species 3 + Island 3 one-hot; 4 numeric columns: a Gaussian value and a present/missing pair each; Sex: 3 + missing.
        matrix.Width.Should().Be(3 + 3 + (4 * 3) + 4);
        transformer.Layout.OneHotGroups.Select(g => g.Width).Should().Equal(3, 3, 2, 2, 2, 2, 4);
        transformer.Layout.MissingIndicators.Select(b => b.Column).Should().Equal("Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)");
        var sex = transformer.Layout.ForColumn("Sex").Single();
        sex.Labels.Should().Equal("MALE", "FEMALE", ".", "(missing)");
        sex.MissingSlot.Should().Be(3);
        transformer.TransformNames.Should().Equal("one-hot", "one-hot", "quantile-normal", "quantile-normal", "quantile-normal", "quantile-normal", "one-hot");
    }

    [Fact]
    public void A_float32_tensor_of_the_matrix_decodes_to_the_same_penguins()
    {
        // float32 keeps about 7 digits of a score: far finer than the data's 0.1 mm and 1 g, so rounding restores them.
        var penguins = Tables.LoadPenguins();
        var transformer = TableTransformer.Fit(penguins);
        using var scope = TorchSharp.torch.NewDisposeScope();
        var tensor = transformer.Transform(penguins).ToTensor();
        tensor.shape.Should().Equal(344, 22);
        tensor.dtype.Should().Be(TorchSharp.torch.float32);
        TableInputTests.AssertSameTable(transformer.Inverse(tensor), penguins);
    }

    [Fact]
    public void Adult_comes_back_exactly()
    {
        var adult = TabularAssets.Adult;
        var transformer = TableTransformer.Fit(adult);
        var matrix = transformer.Transform(adult);
        TableInputTests.AssertSameTable(transformer.Inverse(matrix), adult);
        transformer.Layout.Gaussian.Should().HaveCount(6);
        transformer.Layout.ForColumn("native-country").Single().Width.Should().Be(41 + 1, "41 countries (rare ones kept) and missing");
        transformer.Layout.MissingIndicators.Should().BeEmpty("the integer columns have no missing value");
    }

    [Fact]
    public void Booleans_dates_datetimes_and_ids_come_back_exactly()
    {
        var table = MixedTable(200);
        foreach (string dates in new[] { "datetime", "datetime-cyclic" })
        {
            var options = new TableTransformOptions();
            options.ByKind[ColumnKind.DateTime] = dates;
            var transformer = TableTransformer.Fit(table, options);
            TableInputTests.AssertSameTable(transformer.Inverse(transformer.Transform(table)), table);
            transformer.Layout.ForColumn("order").Should().BeEmpty("an id is not learned");
        }
    }

    [Fact]
    public void Ids_are_generated_unique_in_the_observed_form()
    {
        var table = new Table([TableColumn.Id("key", ["ORD-0007", "ORD-0009", "ORD-0012"]), TableColumn.Boolean("b", [true, false, true])]);
        var transformer = TableTransformer.Fit(table);
        var back = transformer.Inverse(transformer.Transform(table));
        Enumerable.Range(0, 3).Select(back["key"].GetString).Should().Equal("ORD-0007", "ORD-0008", "ORD-0009");
    }

    [Fact]
    public void Quantile_normal_scores_are_the_normal_quantiles_of_the_mid_ranks()
    {
        // n distinct values: the k-th smallest maps to Φ⁻¹((k + 0.5) / n), whatever the values' spacing.
        const int n = 50;
        var values = Enumerable.Range(0, n).Select(k => (double?)Math.Exp(k / 7.0)).Reverse().ToArray();
        var table = new Table([TableColumn.Continuous("x", values)]);
        var matrix = TableTransformer.Fit(table).Transform(table);
        for (int row = 0; row < n; row++)
        {
            int rank = n - 1 - row;
            matrix.Values[row].Should().BeApproximately(InverseNormal((rank + 0.5) / n), 1e-9);
        }

        // Ties share the mid-rank of their block: three 1s and a 2 of four values → Φ⁻¹(3/8) and Φ⁻¹(7/8).
        var ties = new Table([TableColumn.Integer("i", [1, 1, 1, 2])]);
        var tied = TableTransformer.Fit(ties).Transform(ties).Values;
        tied.Should().Equal(new[] { InverseNormal(0.375), InverseNormal(0.375), InverseNormal(0.375), InverseNormal(0.875) }, (a, b) => Math.Abs(a - b) < 1e-9);
    }

    [Fact]
    public void A_tied_value_decodes_from_its_whole_cdf_interval_and_interpolation_runs_across_the_gaps()
    {
        // Six 0s, a 5 and a 10 (n = 8): 0 spans the CDF interval [0, 6/8] at its mid-rank 3/8; 5 and 10 are points at
        // 6.5/8 and 7.5/8. Scores encode the mid-ranks; a score whose CDF falls anywhere in [0, 6/8] decodes to 0 (the
        // empirical quantile function, as scikit-learn's QuantileTransformer inverts a spike), one in the gap (6/8, 6.5/8)
        // interpolates from 0 to 5: u = 0.78 → 5·(0.78 − 0.75)/0.0625 = 2.4 → 2.
        var table = new Table([TableColumn.Integer("gain", [0, 0, 0, 0, 0, 0, 5, 10])]);
        var transformer = TableTransformer.Fit(table);
        transformer.Transform(table).Values.Should().Equal(
            new[] { 0.375, 0.375, 0.375, 0.375, 0.375, 0.375, 0.8125, 0.9375 }.Select(InverseNormal), (a, b) => Math.Abs(a - b) < 1e-12);
        double[] scores = [.. new[] { 0.01, 0.375, 0.7, 0.749, 0.78, 0.8125, 0.875, 0.99 }.Select(InverseNormal)];
        long[] expected = [0, 0, 0, 0, 2, 5, 8, 10];
        string path = Path.Combine(Path.GetTempPath(), "gen-table-ties-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            transformer.Save(path);
            foreach (var t in new[] { transformer, TableTransformer.Load(path) })
            {
                var back = t.Inverse(scores, scores.Length)["gain"];
                Enumerable.Range(0, scores.Length).Select(r => back.GetInt64(r)).Should().Equal(expected);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(1.959963984540054, 0.975)]
    [InlineData(-1.0, 0.15865525393145705)]
    [InlineData(-3.0, 0.0013498980316301035)]
    [InlineData(0.5, 0.6914624612740131)]
    public void The_normal_cdf_and_quantile_match_reference_values(double z, double p)
    {
        // References: scipy.stats.norm.cdf.
        NormalDistributionCdf(z).Should().BeApproximately(p, 1e-14);
        InverseNormal(p).Should().BeApproximately(z, 1e-12);
    }

    [Fact]
    public void A_model_output_decodes_within_bounds_rounded_and_with_the_largest_slot()
    {
        var penguins = Tables.LoadPenguins();
        var transformer = TableTransformer.Fit(penguins);
        var rng = new Random(5);
        double[] noise = [.. Enumerable.Range(0, 1000 * transformer.Layout.Width).Select(_ => 3 * ((rng.NextDouble() * 2) - 1))];
        var table = transformer.Inverse(noise, 1000);
        var mass = table["Body Mass (g)"];
        var present = Enumerable.Range(0, 1000).Where(r => !mass.IsMissing(r)).ToArray();
        present.Select(mass.GetInt64).Should().OnlyContain(v => v >= 2700 && v <= 6300);
        var beak = table["Beak Length (mm)"];
        Enumerable.Range(0, 1000).Where(r => !beak.IsMissing(r)).Select(beak.GetDouble)
            .Should().OnlyContain(v => v >= 32.1 && v <= 59.6 && Math.Round(v, 1) == v);
        table["Species"].MissingCount.Should().Be(0);
        mass.MissingCount.Should().BeInRange(400, 600, "uniform noise in the present/missing pair picks each about half the time");
    }

    [Fact]
    public void Saved_and_loaded_it_transforms_and_inverts_identically()
    {
        var table = MixedTable(60);
        var options = new TableTransformOptions();
        options.ByColumn["when"] = "datetime-cyclic";
        var transformer = TableTransformer.Fit(table, options);
        string path = Path.Combine(Path.GetTempPath(), "gen-table-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            transformer.Save(path);
            var loaded = TableTransformer.Load(path);
            loaded.Transform(table).Values.Should().Equal(transformer.Transform(table).Values);
            TableInputTests.AssertSameTable(loaded.Inverse(transformer.Transform(table)), table);
            loaded.Schema.ToJson().ToJsonString().Should().Be(transformer.Schema.ToJson().ToJsonString());
            loaded.Layout.Blocks.Select(b => b.ToString()).Should().Equal(transformer.Layout.Blocks.Select(b => b.ToString()));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_saved_transform_with_an_unknown_transform_or_a_bad_state_is_refused_naming_it()
    {
        var table = MixedTable(20);
        var json = TableTransformer.Fit(table).ToJson();
        var renamed = JsonNode.Parse(json.ToJsonString())!.AsObject();
        renamed["columns"]![1]!["transform"] = "spline";
        var unknown = Assert.Throws<InvalidDataException>(() => TableTransformer.FromJson(renamed, "table.json"));
        unknown.Message.Should().StartWith("table.json: columns[1]: No column transform is registered under the name 'spline'; registered: datetime, datetime-cyclic, id, mode-specific, one-hot, quantile-normal.");

        var broken = JsonNode.Parse(json.ToJsonString())!.AsObject();
        broken["columns"]![1]!["state"]!["map"]!["cdf"]![0] = 0.9;
        var state = Assert.Throws<InvalidDataException>(() => TableTransformer.FromJson(broken, "table.json"));
        state.Message.Should().Be("table.json: column 'amount' (quantile-normal): A quantile map's knots and CDF values must increase strictly; knot 1 does not.");

        var newer = JsonNode.Parse(json.ToJsonString())!.AsObject();
        newer["version"] = 2;
        Assert.Throws<InvalidDataException>(() => TableTransformer.FromJson(newer, "table.json")).Message
            .Should().StartWith("table.json: transform version 2 is newer than the versions this library reads (1 to 1)");
    }

    [Fact]
    public void Transforming_new_data_refuses_an_unseen_category_or_a_missing_column()
    {
        var table = MixedTable(20);
        var transformer = TableTransformer.Fit(table);
        var other = new Table([.. table.Columns.Select(c => c.Name == "colour" ? TableColumn.Categorical("colour", Enumerable.Range(0, 20).Select(i => i == 4 ? "teal" : "red")) : c)]);
        var unseen = Assert.Throws<TableFormatException>(() => transformer.Transform(other));
        unseen.Message.Should().Be("Row 5, column 'colour': the category 'teal' was not seen when the transform was fitted (3 categories).");
        var fewer = new Table(table.Columns.Where(c => c.Name != "amount"));
        Assert.Throws<TableFormatException>(() => transformer.Transform(fewer)).Column.Should().Be("amount");
    }

    [Fact]
    public void A_registered_transform_is_chosen_by_name_like_the_built_ins()
    {
        var registry = new ColumnTransformRegistry(ColumnTransformRegistry.Default);
        registry.Add("ordinal-test", new ColumnTransform([ColumnKind.Categorical], (c, s) => new OrdinalEncoder(s), (j, s) => new OrdinalEncoder(s)));
        var table = new Table([TableColumn.Categorical("size", ["S", "M", "L", "M"])]);
        var options = new TableTransformOptions { Registry = registry };
        options.ByColumn["size"] = "ordinal-test";
        var transformer = TableTransformer.Fit(table, options);
        transformer.Transform(table).Values.Should().Equal(0, 1, 2, 1);
        TableInputTests.AssertSameTable(TableTransformer.FromJson(transformer.ToJson(), registry: registry).Inverse(transformer.Transform(table)), table);
    }

    /// <summary>A table with every kind: Boolean (nullable), dates, date-times (nullable), an id, and a categorical.</summary>
    internal static Table MixedTable(int rows)
    {
        var rng = new Random(11);
        var start = new DateTime(2023, 1, 1);
        return new Table(
        [
            TableColumn.Id("order", Enumerable.Range(0, rows).Select(i => (1000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture))),
            TableColumn.Continuous("amount", Enumerable.Range(0, rows).Select(_ => (double?)Math.Round(rng.NextDouble() * 500, 2))),
            TableColumn.Boolean("paid", Enumerable.Range(0, rows).Select(i => i % 9 == 0 ? null : (bool?)(rng.Next(3) > 0))),
            TableColumn.DateTime("day", Enumerable.Range(0, rows).Select(_ => (DateTime?)start.AddDays(rng.Next(700)))),
            TableColumn.DateTime("when", Enumerable.Range(0, rows).Select(i => i % 7 == 3 ? null : (DateTime?)start.AddSeconds(rng.Next(90_000_000)))),
            TableColumn.Categorical("colour", Enumerable.Range(0, rows).Select(i => i % 13 == 0 ? "green" : i % 2 == 0 ? "red" : "blue")),
        ]);
    }

    private static double InverseNormal(double p) => NormalDistribution.InverseCdf(p);

    private static double NormalDistributionCdf(double z) => NormalDistribution.Cdf(z);

    /// <summary>A third party's transform: categories as 0, 1, 2 … in order of appearance (for the registry test).</summary>
    private sealed class OrdinalEncoder(ColumnSchema column) : IColumnEncoder
    {
        private readonly string[] _categories = [.. column.Categories!.Order(StringComparer.Ordinal).Reverse()];

        public ColumnSchema Column { get; } = column;

        public IReadOnlyList<TransformBlock> Blocks { get; } = [new TransformBlock(column.Name, BlockKind.Gaussian, BlockRole.Value, 0, 1)];

        public int Width => 1;

        public void Encode(TableColumn c, Span<double> output, int stride)
        {
            for (int r = 0; r < c.Count; r++)
            {
                output[r * stride] = Array.IndexOf(_categories, c.GetString(r));
            }
        }

        public TableColumn Decode(ReadOnlySpan<double> input, int rows, int stride)
        {
            var values = new string[rows];
            for (int r = 0; r < rows; r++)
            {
                values[r] = _categories[(int)Math.Round(input[r * stride])];
            }

            return TableColumn.Categorical(Column.Name, values);
        }

        public JsonObject Describe() => [];
    }
}
