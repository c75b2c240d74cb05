using Generative.Tabular;
using Generative.TabularSynthesis;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Generative.Tests.Tabular;

/// <summary>A small CTGAN-style model trained once for the tests that only sample from it.</summary>
public sealed class TinyGanFixture : IDisposable
{
    public TinyGanFixture()
    {
        Table = TabularGanTests.TinyTable(1_000, 11);
        using var generator = new Generator(5);
        Model = TabularGan.Fit(Table, TabularGanTests.TinyOptions(150), generator);
    }

    public Table Table { get; }

    public TabularGan Model { get; }

    public void Dispose() => Model.Dispose();
}

/// <summary>
/// The CTGAN-style GAN: training-by-sampling's probabilities, the Gumbel-softmax and conditional-vector layout, the
/// conditional loss on a hand case, a tiny table learned, exact conditional sampling, save and load, determinism and the
/// options' messages.
/// </summary>
[Collection("Sequential")]
public sealed class TabularGanTests(TinyGanFixture tiny, ITestOutputHelper output) : IClassFixture<TinyGanFixture>
{
    /// <summary>A (a 60 %, b 40 %); B follows A 90 % of the time (a → x, b → y); n ~ N(−10, 1) when A = a, N(10, 1) when b;
    /// a nullable flag, missing in 10 % of rows.</summary>
    internal static Table TinyTable(int rows, ulong seed)
    {
        using var generator = new Generator(seed);
        double[] u = rand([rows * 3], float64, generator: generator).data<double>().ToArray();
        double[] e = randn([rows], float64, generator: generator).data<double>().ToArray();
        var a = Enumerable.Range(0, rows).Select(r => u[r] < 0.6 ? "a" : "b").ToArray();
        var b = Enumerable.Range(0, rows).Select(r => (a[r] == "a") == (u[rows + r] < 0.9) ? "x" : "y").ToArray();
        var n = Enumerable.Range(0, rows).Select(r => (double?)Math.Round((a[r] == "a" ? -10 : 10) + e[r], 2)).ToArray();
        var flag = Enumerable.Range(0, rows).Select(r => u[(2 * rows) + r] < 0.1 ? (bool?)null : u[(2 * rows) + r] < 0.55).ToArray();
        return new Table([TableColumn.Categorical("A", a), TableColumn.Categorical("B", b), TableColumn.Continuous("n", n), TableColumn.Boolean("flag", flag)]);
    }

    internal static TabularGanOptions TinyOptions(int epochs) => new() { Epochs = epochs, BatchSize = 100, PackSize = 10, LatentDimension = 32, GeneratorWidth = 64, CriticWidth = 64, LearningRate = 1e-3 };

    [Fact]
    public void Training_by_sampling_picks_a_column_uniformly_and_a_category_by_log_frequency()
    {
        var table = TinyTable(1_000, 11);
        var transformer = TableTransformer.Fit(table, TabularGan.TransformOptions());
        var matrix = transformer.Transform(table);
        var conditions = ConditionalVector.FromData(transformer.Layout, matrix.Values, matrix.Rows, logFrequency: true);

        conditions.Groups.Select(g => g.Column).Should().Equal("A", "B", "flag");
        for (int g = 0; g < conditions.Groups.Length; g++)
        {
            var column = table[conditions.Groups[g].Column];
            var labels = conditions.Groups[g].Labels;
            double[] counts = [.. labels.Select(l => (double)Enumerable.Range(0, column.Count).Count(r => Label(column, r) == l))];
            conditions.Counts[g].Should().Equal(counts);
            double[] expected = [.. counts.Select(c => Math.Log(1 + c) / counts.Sum(k => Math.Log(1 + k)))];
            conditions.TrainingProbabilities[g].Should().Equal(expected, (x, y) => Math.Abs(x - y) < 1e-12);
            conditions.Frequencies[g].Should().Equal(counts.Select(c => c / counts.Sum()), (x, y) => Math.Abs(x - y) < 1e-12);
        }

        // 60,000 draws: groups ~ 1/3 each, slots ~ the log-frequency formula, and every real row holds its slot.
        using var generator = new Generator(1);
        var (groups, slots, rows) = conditions.SampleForTraining(60_000, generator, withRealRows: true);
        for (int g = 0; g < conditions.Groups.Length; g++)
        {
            int[] mine = [.. Enumerable.Range(0, groups.Length).Where(i => groups[i] == g)];
            ((double)mine.Length / groups.Length).Should().BeApproximately(1.0 / 3, 0.01);
            for (int s = 0; s < conditions.Groups[g].Width; s++)
            {
                ((double)mine.Count(i => slots[i] == s) / mine.Length).Should().BeApproximately(conditions.TrainingProbabilities[g][s], 0.015);
            }

            var block = conditions.Groups[g];
            mine.Should().OnlyContain(i => matrix.Values[(rows[i] * matrix.Width) + block.Offset + slots[i]] == 1);
        }
    }

    [Fact]
    public void The_output_is_tanh_for_alpha_gumbel_softmax_per_group_and_the_conditional_vector_covers_discrete_columns()
    {
        var layout = tiny.Model.Transformer.Layout;
        var conditions = ConditionalVector.FromCounts(layout, [[600, 400], [550, 450], [450, 450, 100]], true, "test");
        conditions.Width.Should().Be(2 + 2 + 3, "A, B and flag (false, true, missing); not n's modes nor its missing indicator");
        conditions.Offsets.Should().Equal(0, 2, 4);
        using (var scope = NewDisposeScope())
        {
            conditions.ToTensor([0, 2, 1], [1, 2, 0]).data<float>().ToArray().Should().Equal(
                0, 1, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 1,
                0, 0, 1, 0, 0, 0, 0);
        }

        using var scope2 = NewDisposeScope();
        using var g1 = new Generator(3);
        var raw = randn([5, layout.Width], generator: g1).mul(3);
        using var g2 = new Generator(4);
        var activated = new TabularGanOutput(layout).Activate(raw, 0.2, g2);
        foreach (var block in layout.Blocks)
        {
            var part = activated.narrow(1, block.Offset, block.Width);
            var input = raw.narrow(1, block.Offset, block.Width);
            if (block.Kind == BlockKind.Gaussian)
            {
                part.allclose(input.tanh()).Should().BeTrue("the α of mode-specific '{0}' goes through tanh", block.Column);
            }
            else
            {
                part.sum(1).allclose(ones(5)).Should().BeTrue("group {0} sums to 1", block);
                part.ge(0).all().item<bool>().Should().BeTrue();
            }
        }

        // The Gumbel-softmax itself: softmax((logits − log(−log U)) / τ) with U from the generator.
        using var g3 = new Generator(9);
        using var g4 = new Generator(9);
        var logits = tensor(new float[] { 1, 2, 0.5f, -1, 0, 3 }, [2, 3]);
        var soft = TabularGanOutput.GumbelSoftmax(logits, 0.2, g3);
        var uniform = rand([2, 3], generator: g4).clamp(1e-10, 1 - 1e-7);
        var expected = nn.functional.softmax((logits - uniform.log().neg().log()) / 0.2, 1);
        soft.allclose(expected, 1e-5, 1e-6).Should().BeTrue();
    }

    [Fact]
    public void The_conditional_loss_is_the_cross_entropy_of_the_conditioned_group()
    {
        var layout = tiny.Model.Transformer.Layout;
        var conditions = ConditionalVector.FromCounts(layout, [[600, 400], [550, 450], [450, 450, 100]], true, "test");
        using var scope = NewDisposeScope();
        var values = new float[2 * layout.Width];
        var a = conditions.Groups[0];
        var flag = conditions.Groups[2];
        values[a.Offset] = 1f;
        values[a.Offset + 1] = 3f; // row 0: A's logits (1, 3), conditioned on slot 0
        values[layout.Width + flag.Offset] = 0.5f;
        values[layout.Width + flag.Offset + 1] = -1f;
        values[layout.Width + flag.Offset + 2] = 2f; // row 1: flag's logits (0.5, −1, 2), conditioned on slot 2
        var raw = tensor(values, [2, layout.Width]);

        double loss = TabularGanOutput.ConditionalLoss(raw, conditions, [0, 2], [0, 2]).item<float>();

        double row0 = -Math.Log(Math.Exp(1) / (Math.Exp(1) + Math.Exp(3)));
        double row1 = -Math.Log(Math.Exp(2) / (Math.Exp(0.5) + Math.Exp(-1) + Math.Exp(2)));
        loss.Should().BeApproximately((row0 + row1) / 2, 1e-5);
    }

    [Fact]
    public void A_tiny_table_is_learned_joint_frequencies_both_modes_and_missing_rate()
    {
        using var generator = new Generator(21);
        var sample = tiny.Model.Sample(4_000, generator);
        sample.RowCount.Should().Be(4_000);
        foreach (var (a, b) in new[] { ("a", "x"), ("a", "y"), ("b", "x"), ("b", "y") })
        {
            double real = Joint(tiny.Table, a, b), synthetic = Joint(sample, a, b);
            output.WriteLine($"P(A={a}, B={b}): real {real:F3}, synthetic {synthetic:F3}");
            synthetic.Should().BeApproximately(real, 0.08, "the joint frequency of ({0}, {1}) is learned", a, b);
        }

        var n = sample["n"];
        double low = Enumerable.Range(0, n.Count).Count(r => n.GetDouble(r) < 0) / (double)n.Count;
        output.WriteLine($"P(n < 0): real 0.6, synthetic {low:F3}; P(n < 0 | A = a) synthetic {Conditional(sample, "a"):F3}, real {Conditional(tiny.Table, "a"):F3}");
        low.Should().BeInRange(0.2, 0.8, "both modes are present");
        Conditional(sample, "a").Should().BeGreaterThan(0.8, "n's mode follows A (real: all of A = a below 0)");
        Enumerable.Range(0, n.Count).Count(r => Math.Abs(Math.Abs(n.GetDouble(r)) - 10) < 3).Should().BeGreaterThan(n.Count / 2, "most values lie near one of the modes ±10");
        double missing = (double)sample["flag"].MissingCount / sample.RowCount;
        output.WriteLine($"flag missing: real {tiny.Table.Schema["flag"].MissingRate:P1}, synthetic {missing:P1}");
        missing.Should().BeApproximately(tiny.Table.Schema["flag"].MissingRate, 0.05);
    }

    [Fact]
    public void Conditional_samples_all_satisfy_the_condition_and_number_exactly_n()
    {
        using var generator = new Generator(8);
        var conditions = new[]
        {
            TableCondition.None.Where("A", "b"),
            TableCondition.None.Where("A", "b").Where("B", "x"),
            TableCondition.None.Where("flag", true),
            TableCondition.None.WhereBetween("n", 9.5, 10.5),
            TableCondition.None.WhereBetween("n", -30, -9).Where("B", "y").WhereIn("A", ["a", "b"]),
            TableCondition.None.WhereBetween("n", 1.234, 1.234), // inside no mode's ±4σ span: the nearest mode, α outside [−1, 1]
        };
        foreach (var condition in conditions)
        {
            var rows = tiny.Model.Sample(777, condition, generator);
            rows.RowCount.Should().Be(777);
            condition.Matches(rows).Should().AllSatisfy(m => m.Should().BeTrue(), "every row satisfies {0}", condition);
        }

        // Conditioning on A = b through the conditional vector carries the dependence: B and n follow A.
        var b = tiny.Model.Sample(2_000, TableCondition.None.Where("A", "b"), generator);
        double positive = Enumerable.Range(0, b.RowCount).Count(r => b["n"].GetDouble(r) > 0) / (double)b.RowCount;
        double y = Enumerable.Range(0, b.RowCount).Count(r => b["B"].GetString(r) == "y") / (double)b.RowCount;
        output.WriteLine($"given A = b: P(n > 0) {positive:F3} (real 1.0), P(B = y) {y:F3} (real 0.9)");
        y.Should().BeGreaterThan(0.75);
        positive.Should().BeGreaterThan(0.8);

        var unknown = () => tiny.Model.Sample(10, TableCondition.None.Where("C", "a"), generator);
        unknown.Should().Throw<ArgumentException>().WithMessage("*'C', which is not a column*");
        var impossible = () => tiny.Model.Sample(10, TableCondition.None.Where("A", "c"), generator);
        impossible.Should().Throw<ArgumentException>().WithMessage("*'A' to be 'c', which the model never saw*");
    }

    [Fact]
    public void Saved_and_loaded_it_samples_identically_and_damage_is_refused()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ctgan-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            tiny.Model.Save(dir);
            File.Exists(Path.Combine(dir, "synthesizer.json")).Should().BeTrue();
            File.ReadAllText(Path.Combine(dir, "synthesizer.json")).Should().Contain("\"synthesizer\": \"ctgan\"");
            using var loaded = TabularGan.Load(dir);
            loaded.Options.Should().Be(tiny.Model.Options);
            var condition = TableCondition.None.Where("B", "y").WhereBetween("n", 0, 12);
            using (var g1 = new Generator(4))
            using (var g2 = new Generator(4))
            {
                loaded.Sample(500, g1).ToCsv().Should().Be(tiny.Model.Sample(500, g2).ToCsv());
                loaded.Sample(500, condition, g1).ToCsv().Should().Be(tiny.Model.Sample(500, condition, g2).ToCsv());
            }

            string config = Path.Combine(dir, "synthesizer.json");
            string text = File.ReadAllText(config);
            File.WriteAllText(config, text.Replace("\"synthesizer\": \"ctgan\"", "\"synthesizer\": \"tvae\"", StringComparison.Ordinal));
            var wrongName = () => TabularGan.Load(dir);
            wrongName.Should().Throw<InvalidDataException>().WithMessage("*synthesizer.json: 'synthesizer' is 'tvae'; this loader reads 'ctgan'.");
            File.WriteAllText(config, text.Replace("\"packSize\": 10", "\"packSize\": 7", StringComparison.Ordinal));
            var badOption = () => TabularGan.Load(dir);
            badOption.Should().Throw<InvalidDataException>().WithMessage("*synthesizer.json (options): TabularGanOptions.BatchSize must be a positive multiple of PackSize (7); got 100.*");
            File.WriteAllText(config, text.Replace("\"generatorWidth\": 64", "\"generatorWidth\": 65", StringComparison.Ordinal));
            var badWeights = () => TabularGan.Load(dir);
            badWeights.Should().Throw<InvalidDataException>().WithMessage("*generator.safetensors: tensor 'body.0.weight' is Float32 [64, *]; the generator's options need Float32 [65, *].");
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_model_and_rows()
    {
        var table = TinyTable(300, 2);
        var options = TinyOptions(2);
        using var g1 = new Generator(13);
        using var g2 = new Generator(13);
        using var first = TabularGan.Fit(table, options, g1);
        using var second = TabularGan.Fit(table, options, g2);
        using var s1 = new Generator(1);
        using var s2 = new Generator(1);
        first.Sample(300, s1).ToCsv().Should().Be(second.Sample(300, s2).ToCsv());
    }

    [Theory]
    [InlineData("Epochs", "TabularGanOptions.Epochs must be at least 1; got 0.*")]
    [InlineData("BatchSize", "TabularGanOptions.BatchSize must be a positive multiple of PackSize (10); got 505.*")]
    [InlineData("CriticDropout", "TabularGanOptions.CriticDropout must be in [0, 1); got 1.*")]
    [InlineData("GumbelTemperature", "TabularGanOptions.GumbelTemperature must be positive and finite; got 0.*")]
    public void Options_are_validated_before_training_with_messages_naming_them(string option, string message)
    {
        var options = option switch
        {
            "Epochs" => new TabularGanOptions { Epochs = 0 },
            "BatchSize" => new TabularGanOptions { BatchSize = 505 },
            "CriticDropout" => new TabularGanOptions { CriticDropout = 1 },
            _ => new TabularGanOptions { GumbelTemperature = 0 },
        };
        using var generator = new Generator(0);
        var act = () => TabularGan.Fit(tiny.Table, options, generator);
        act.Should().Throw<ArgumentException>().WithMessage(message);
    }

    private static string Label(TableColumn column, int row) =>
        column.IsMissing(row) ? "(missing)" : column.Kind == ColumnKind.Boolean ? (column.GetBoolean(row) ? "true" : "false") : column.GetString(row);

    private static double Joint(Table table, string a, string b) =>
        Enumerable.Range(0, table.RowCount).Count(r => table["A"].GetString(r) == a && table["B"].GetString(r) == b) / (double)table.RowCount;

    private static double Conditional(Table table, string a)
    {
        int[] rows = [.. Enumerable.Range(0, table.RowCount).Where(r => table["A"].GetString(r) == a)];
        return rows.Count(r => table["n"].GetDouble(r) < 0) / (double)Math.Max(1, rows.Length);
    }
}
