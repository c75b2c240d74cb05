using System.Text.Json.Nodes;
using Generative.Checkpoints;
using Generative.Data.BuiltIn;
using Generative.Diffusion;
using Generative.Tabular;
using Generative.TabularSynthesis;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Generative.Tests.Tabular;

/// <summary>The mixed-type diffusion model: its Gaussian loss against the DDPM formula, a small table's joint frequencies
/// learned, penguins' missing rates, exact conditional sampling, save/load, determinism and option messages.</summary>
public sealed class TabularDiffusionTests(TabularDiffusionTests.PenguinsModel penguins, ITestOutputHelper output) : IClassFixture<TabularDiffusionTests.PenguinsModel>
{
    internal static readonly TabularDiffusionOptions Small = new()
    {
        Steps = 1_500,
        BatchSize = 256,
        Network = new TabularMlpDenoiserOptions { HiddenLayers = [128, 128, 128] },
    };

    [Fact]
    public void The_gaussian_loss_is_the_ddpm_noise_mse()
    {
        var rows = Enumerable.Range(0, 50).Select(i => (double?)(i * 0.37 % 5)).ToArray();
        var table = new Table([TableColumn.Continuous("x", rows), TableColumn.Continuous("y", rows.Select(v => v * v))]);
        using var fitGenerator = new torch.Generator(1);
        using var model = TabularDiffusion.Fit(table, Small with { Steps = 1 }, fitGenerator);
        using var data = model.ToModelOrder(model.Transformer.Transform(table));
        using var steps = model.Coefficients.TrainingSteps();
        using var g1 = new torch.Generator(9);
        var (loss, gaussian, _) = model.Loss(model.Network, data, steps, g1);

        // The same draws again, and the formula: ‖ε − ε_θ(√ᾱ_t·x₀ + √(1 − ᾱ_t)·ε, t)‖² / d.
        using var g2 = new torch.Generator(9);
        var t = randint(0, 100, [50], ScalarType.Int64, generator: g2);
        var noise = randn([50, 2], generator: g2);
        var abar = tensor(t.data<long>().ToArray().Select(s => Math.Exp(model.Coefficients.LogAbar((int)s))).ToArray(), ScalarType.Float32).unsqueeze(1);
        var noisy = (abar.sqrt() * data) + ((1 - abar).sqrt() * noise);
        var expected = (model.Network.Predict(noisy, t) - noise).square().mean([1]);
        gaussian.data<float>().ToArray().Should().Equal(expected.data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-4 * (1 + Math.Abs(b)));
        loss.item<float>().Should().BeApproximately(expected.mean().item<float>(), 1e-4f);
    }

    [Fact]
    public void A_small_table_of_two_correlated_categories_and_a_number_is_learned()
    {
        // colour decides shape 90 % of the time; size is larger for squares.
        using var source = new torch.Generator(2);
        var u = rand(600, generator: source).data<float>().ToArray();
        var v = rand(600, generator: source).data<float>().ToArray();
        string[] colour = [.. u.Select(x => x < 0.3 ? "red" : x < 0.7 ? "green" : "blue")];
        string[] shape = [.. colour.Select((c, i) => (v[i] < 0.9) == (c != "blue") ? "circle" : "square")];
        double?[] size = [.. shape.Select((s, i) => (double?)Math.Round((s == "square" ? 10 : 2) + v[i], 2))];
        var table = new Table([TableColumn.Categorical("colour", colour), TableColumn.Categorical("shape", shape), TableColumn.Continuous("size", size)]);
        using var fit = new torch.Generator(3);
        using var model = TabularDiffusion.Fit(table, Small, fit);
        using var draw = new torch.Generator(4);
        var sample = model.Sample(3_000, draw);

        var real = Joint(table);
        var synthetic = Joint(sample);
        foreach (var (key, p) in real)
        {
            output.WriteLine($"{key}: real {p:P1}, synthetic {synthetic.GetValueOrDefault(key):P1}");
            synthetic.GetValueOrDefault(key).Should().BeApproximately(p, 0.05, "P({0})", key);
        }

        // size follows shape: squares are above 9, circles below 4, in at least 90 % of rows.
        var sizes = sample["size"];
        var shapes = sample["shape"];
        double consistent = Enumerable.Range(0, sample.RowCount).Count(r => shapes.GetString(r) == "square" ? sizes.GetDouble(r) > 9 : sizes.GetDouble(r) < 4) / (double)sample.RowCount;
        consistent.Should().BeGreaterThan(0.9);
    }

    [Fact]
    public void Penguins_missing_rates_are_within_two_points_and_every_row_is_valid()
    {
        var real = Tables.LoadPenguins();
        using var generator = new torch.Generator(11);
        var sample = penguins.Model.Sample(4_000, generator);
        sample.RowCount.Should().Be(4_000);
        foreach (var column in real.Schema.Columns)
        {
            var synthetic = sample[column.Name];
            synthetic.Kind.Should().Be(column.Kind);
            double rate = (double)synthetic.MissingCount / sample.RowCount;
            output.WriteLine($"{column.Name}: missing {column.MissingRate:P2} real, {rate:P2} synthetic");
            // 4,000 draws: a binomial's sd at ≤ 3 % is ≤ 0.27 points, so ±2 points tests the model, not the draw.
            rate.Should().BeApproximately(column.MissingRate, 0.02, "column '{0}'", column.Name);
            var observed = ColumnSchema.Observe(synthetic);
            if (column.Categories is not null)
            {
                observed.Categories.Should().BeSubsetOf(column.Categories);
            }

            if (column.Minimum is double min)
            {
                observed.Minimum.Should().BeGreaterThanOrEqualTo(min);
                observed.Maximum.Should().BeLessThanOrEqualTo(column.Maximum!.Value);
            }
        }
    }

    [Fact]
    public void Conditional_samples_all_satisfy_categories_sets_integer_values_and_ranges()
    {
        var conditions = new[]
        {
            TableCondition.None.Where("Species", "Gentoo"),
            TableCondition.None.WhereIn("Island", ["Dream", "Torgersen"]).Where("Sex", "FEMALE"),
            TableCondition.None.Where("Flipper Length (mm)", 200L),
            TableCondition.None.WhereBetween("Body Mass (g)", 3000.5, 3600).Where("Species", "Adelie"),
            TableCondition.None.WhereBetween("Beak Length (mm)", 45.05, 46.04),
        };
        foreach (var condition in conditions)
        {
            using var generator = new torch.Generator(12);
            var sample = penguins.Model.Sample(777, condition, generator);
            sample.RowCount.Should().Be(777);
            condition.Matches(sample).Should().AllBeEquivalentTo(true, "every row satisfies {0}", condition);
        }

        // The rest of the row follows the condition: Gentoo penguins are heavy (5,076 g on average against 4,202 g for all),
        // and conditioned samples are heavier than unconditioned ones — by part of the real gap only (inpainting with an
        // unconditionally trained network; docs/tabular-diffusion.md reports the fidelity).
        using var g = new torch.Generator(13);
        double gentoo = MeanMass(penguins.Model.Sample(1_000, TableCondition.None.Where("Species", "Gentoo"), g));
        double all = MeanMass(penguins.Model.Sample(1_000, g));
        output.WriteLine($"body mass: {gentoo:F0} g in Gentoo-conditioned samples, {all:F0} g in unconditioned ones (real: 5076, 4202)");
        gentoo.Should().BeGreaterThan(all + 150);
    }

    private static double MeanMass(Table table)
    {
        var mass = table["Body Mass (g)"];
        return Enumerable.Range(0, table.RowCount).Where(r => !mass.IsMissing(r)).Average(mass.GetDouble);
    }

    [Fact]
    public void A_condition_is_validated_against_the_schema_first()
    {
        using var generator = new torch.Generator(1);
        var act = () => penguins.Model.Sample(10, TableCondition.None.Where("Species", "Emperor"), generator);
        act.Should().Throw<ArgumentException>().WithMessage("*'Species'*'Emperor'*never saw*");
    }

    [Fact]
    public void Save_then_load_gives_the_same_samples_for_the_same_seed()
    {
        string dir = Path.Combine(Path.GetTempPath(), "tabddpm-" + Guid.NewGuid().ToString("N"));
        try
        {
            penguins.Model.Save(dir);
            var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "synthesizer.json")))!;
            config["format"]!.GetValue<string>().Should().Be("generative-table-synthesizer");
            config["synthesizer"]!.GetValue<string>().Should().Be("tabddpm");
            using var loaded = TabularDiffusion.Load(dir);
            var condition = TableCondition.None.Where("Island", "Biscoe");
            using var g1 = new torch.Generator(21);
            using var g2 = new torch.Generator(21);
            loaded.Sample(300, condition, g1).ToCsv().Should().Be(penguins.Model.Sample(300, condition, g2).ToCsv());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Load_refuses_wrong_format_version_missing_files_and_mismatched_shapes_naming_file_and_key()
    {
        string dir = Path.Combine(Path.GetTempPath(), "tabddpm-" + Guid.NewGuid().ToString("N"));
        try
        {
            penguins.Model.Save(dir);
            string configPath = Path.Combine(dir, "synthesizer.json");
            string original = File.ReadAllText(configPath);
            void Edit(Action<JsonObject> change)
            {
                var json = JsonNode.Parse(original)!.AsObject();
                change(json);
                File.WriteAllText(configPath, json.ToJsonString());
            }

            Edit(j => j["format"] = "something-else");
            FluentActions.Invoking(() => TabularDiffusion.Load(dir)).Should().Throw<CheckpointFormatException>().WithMessage("*synthesizer.json*'format'*generative-table-synthesizer*");
            Edit(j => j["version"] = 2);
            FluentActions.Invoking(() => TabularDiffusion.Load(dir)).Should().Throw<CheckpointFormatException>().WithMessage("*synthesizer.json*'version'*[1, 1]*2*");
            Edit(j => j["synthesizer"] = "copula");
            FluentActions.Invoking(() => TabularDiffusion.Load(dir)).Should().Throw<CheckpointFormatException>().WithMessage("*'synthesizer'*tabddpm*copula*");
            Edit(j => j["network"]!["options"]!["hidden_layers"] = new JsonArray(128, 64, 128));
            FluentActions.Invoking(() => TabularDiffusion.Load(dir)).Should().Throw<CheckpointFormatException>().WithMessage("*synthesizer.json*'network'*denoiser.layers.linear1.weight*model.safetensors*");
            Edit(j => j["network"]!["features"] = 7);
            FluentActions.Invoking(() => TabularDiffusion.Load(dir)).Should().Throw<CheckpointFormatException>().WithMessage("*'network.features'*");
            File.WriteAllText(configPath, original);
            File.Delete(Path.Combine(dir, "model.safetensors"));
            FluentActions.Invoking(() => TabularDiffusion.Load(dir)).Should().Throw<FileNotFoundException>().WithMessage("*model.safetensors*");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_model_and_rows()
    {
        var table = Tables.LoadPenguins();
        string Draw()
        {
            using var fit = new torch.Generator(5);
            using var model = TabularDiffusion.Fit(table, Small with { Steps = 30 }, fit);
            using var sample = new torch.Generator(6);
            return model.Sample(200, sample).ToCsv();
        }

        Draw().Should().Be(Draw());
    }

    [Theory]
    [InlineData("Timesteps", "TabularDiffusionOptions.Timesteps must be an integer in [2, 100000], but is 1.*")]
    [InlineData("Steps", "TabularDiffusionOptions.Steps must be at least 1, but is 0.*")]
    [InlineData("LearningRate", "TabularDiffusionOptions.LearningRate must be a finite number above 0, but is -1.*")]
    [InlineData("EmaDecay", "TabularDiffusionOptions.EmaDecay must be in [0, 1), but is 1.*")]
    [InlineData("SamplingSteps", "TabularDiffusionOptions.SamplingSteps must be null or in [1, Timesteps = 100], but is 101.*")]
    [InlineData("HiddenLayers", "HiddenLayers must hold at least one width of 1 or more, but is [].*")]
    public void Options_are_validated_with_messages_naming_the_option_and_value(string option, string message)
    {
        var options = option switch
        {
            "Timesteps" => new TabularDiffusionOptions { Timesteps = 1 },
            "Steps" => new TabularDiffusionOptions { Steps = 0 },
            "LearningRate" => new TabularDiffusionOptions { LearningRate = -1 },
            "EmaDecay" => new TabularDiffusionOptions { EmaDecay = 1 },
            "SamplingSteps" => new TabularDiffusionOptions { SamplingSteps = 101 },
            _ => new TabularDiffusionOptions { Network = new TabularMlpDenoiserOptions { HiddenLayers = [] } },
        };
        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void The_network_is_a_registered_denoiser_type()
    {
        DenoiserRegistry.Default.TryGet(TabularMlpDenoiser.RegisteredType, out _).Should().BeTrue();
        var description = DenoiserRegistry.Default.Describe(penguins.Model.Network);
        description["type"]!.GetValue<string>().Should().Be("tabular-mlp");
        using var copy = (TabularMlpDenoiser)DenoiserRegistry.Default.Create(description);
        copy.Options.HiddenLayers.Should().Equal(128, 128, 128);
    }

    private static Dictionary<string, double> Joint(Table table)
    {
        var a = table["colour"];
        var b = table["shape"];
        return Enumerable.Range(0, table.RowCount).GroupBy(r => a.GetString(r) + "/" + b.GetString(r)).ToDictionary(g => g.Key, g => g.Count() / (double)table.RowCount);
    }

    /// <summary>One model of penguins shared by the tests of this class (fit seed 0, 1,500 steps).</summary>
    public sealed class PenguinsModel : IDisposable
    {
        public PenguinsModel()
        {
            using var generator = new torch.Generator(0);
            Model = TabularDiffusion.Fit(Tables.LoadPenguins(), Small, generator);
        }

        public TabularDiffusion Model { get; }

        public void Dispose() => Model.Dispose();
    }
}
