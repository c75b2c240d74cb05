using System.Text.Json.Nodes;
using Generative.Data.BuiltIn;
using Generative.Tabular;
using Generative.TabularSynthesis;
using TorchSharp;

namespace Generative.Tests.Tabular;

/// <summary>
/// The registry of tabular synthesizers: a third party's synthesizer, registered in the test like the built-in copula,
/// fits, saves and loads through the same calls; Load validates the header and dispatches on its name.
/// </summary>
public sealed class TableSynthesizerRegistryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gen-tabreg-").FullName;

    static TableSynthesizerRegistryTests() =>
        TableSynthesizerRegistry.Default.TryAdd(BootstrapSynthesizer.RegisteredName, TableSynthesizerType.WithOptions<BootstrapOptions>(BootstrapSynthesizer.Fit, BootstrapSynthesizer.Load));

    [Fact]
    public void The_default_registry_holds_the_copula_registered_like_anyone_else()
    {
        TableSynthesizerRegistry.Default.Keys.Should().Contain([GaussianCopula.RegisteredName, TabularDiffusion.RegisteredName, TabularGan.RegisteredName, TabularFlow.RegisteredName], "the built-ins are registered as a third party registers its own");
        var type = TableSynthesizerRegistry.Default.Get("COPULA");
        type.OptionsType.Should().BeNull();
        var penguins = Tables.LoadPenguins();
        using var generator = new torch.Generator(0);
        var model = TableSynthesizerRegistry.Default.Fit("copula", penguins, null, generator);
        model.Should().BeOfType<GaussianCopula>();
        model.Name.Should().Be("copula");
        var options = () => TableSynthesizerRegistry.Default.Fit("copula", penguins, new BootstrapOptions(), generator);
        options.Should().Throw<ArgumentException>().WithMessage("This synthesizer takes no options, but BootstrapOptions was given; pass null.*");
    }

    [Fact]
    public void A_third_party_synthesizer_fits_saves_and_loads_like_the_built_in()
    {
        var penguins = Tables.LoadPenguins();
        using var fit = new torch.Generator(0);
        var model = TableSynthesizerRegistry.Default.Fit(BootstrapSynthesizer.RegisteredName, penguins, new BootstrapOptions { Label = "mine" }, fit);
        string dir = Path.Combine(_dir, "bootstrap");
        model.Save(dir);

        var loaded = TableSynthesizers.Load(dir);
        loaded.Should().BeOfType<BootstrapSynthesizer>().Which.Label.Should().Be("mine");
        using var a = new torch.Generator(1);
        using var b = new torch.Generator(1);
        loaded.Sample(50, b).ToCsv().Should().Be(model.Sample(50, a).ToCsv());

        var wrong = () => TableSynthesizerRegistry.Default.Fit(BootstrapSynthesizer.RegisteredName, penguins, "options", fit);
        wrong.Should().Throw<ArgumentException>().WithMessage("This synthesizer takes options of type BootstrapOptions, but String was given.*");
    }

    [Fact]
    public void A_third_party_synthesizer_with_rules_saves_and_loads_its_rules()
    {
        var penguins = Tables.LoadPenguins();
        var rules = TableRules.None.AllowedCombinations("Species", "Island");
        using var fit = new torch.Generator(0);
        var model = TableSynthesizerRegistry.Default.Fit(BootstrapSynthesizer.RegisteredName, penguins, rules, null, fit);
        model.Name.Should().Be(BootstrapSynthesizer.RegisteredName);
        model.Model.Schema.Columns.Select(c => c.Name).Should().Contain("Species + Island");
        string dir = Path.Combine(_dir, "bootstrap-rules");
        model.Save(dir);
        JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "synthesizer.json")))!["rules"]!.GetValue<string>().Should().Be("rules.json");

        var loaded = TableSynthesizers.Load(dir).Should().BeOfType<ConstrainedSynthesizer>().Subject;
        loaded.Model.Should().BeOfType<BootstrapSynthesizer>();
        loaded.Schema.Columns.Select(c => c.Name).Should().Equal(penguins.Schema.Columns.Select(c => c.Name));
        using var a = new torch.Generator(2);
        using var b = new torch.Generator(2);
        var condition = TableCondition.None.Where("Island", "Dream");
        var sample = loaded.Sample(40, condition, b);
        sample.ToCsv().Should().Be(model.Sample(40, condition, a).ToCsv());
        condition.Matches(sample).Should().OnlyContain(ok => ok);
    }

    [Fact]
    public void Load_refuses_a_bad_header_naming_file_key_and_value()
    {
        var penguins = Tables.LoadPenguins();
        using var generator = new torch.Generator(0);
        string dir = Path.Combine(_dir, "copula");
        GaussianCopula.Fit(penguins, generator).Save(dir);
        string header = Path.Combine(dir, "synthesizer.json");
        string original = File.ReadAllText(header);

        void Write(string key, JsonNode value)
        {
            var json = JsonNode.Parse(original)!.AsObject();
            json[key] = value;
            File.WriteAllText(header, json.ToJsonString());
        }

        Write("format", "generative-model");
        var act = () => TableSynthesizers.Load(dir);
        act.Should().Throw<InvalidDataException>().WithMessage($"{header}: 'format' is 'generative-model'; a saved tabular synthesizer has 'generative-table-synthesizer'.");
        Write("version", 2);
        act.Should().Throw<InvalidDataException>().WithMessage($"{header}: 'version' is 2, newer than the versions this library reads (1 to 1)*");
        Write("synthesizer", "tvae");
        act.Should().Throw<InvalidDataException>().WithMessage($"{header}: 'synthesizer' is 'tvae'. No tabular synthesizer is registered under the name 'tvae'; registered: *copula*");
        Write("synthesizer", BootstrapSynthesizer.RegisteredName);
        act.Should().Throw<Exception>("a copula's folder is not a bootstrap's");
        File.Delete(header);
        act.Should().Throw<FileNotFoundException>().WithMessage($"{header} does not exist*");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A third party's options.</summary>
    public sealed class BootstrapOptions
    {
        /// <summary>A label kept in the saved files, to check options reach the model.</summary>
        public string Label { get; init; } = "default";
    }

    /// <summary>A third party's synthesizer: draws the fitted table's rows with replacement (conditioned: among the
    /// rows that satisfy the condition). Saved as its rows in CSV with the schema.</summary>
    public sealed class BootstrapSynthesizer : ITableSynthesizer
    {
        public const string RegisteredName = "test-bootstrap";
        private readonly Table _rows;

        private BootstrapSynthesizer(Table rows, string label)
        {
            _rows = rows;
            Label = label;
        }

        public string Name => RegisteredName;

        public string Label { get; }

        public TableSchema Schema => _rows.Schema;

        public static BootstrapSynthesizer Fit(Table table, BootstrapOptions? options, torch.Generator generator) => new(table, options?.Label ?? "default");

        public static BootstrapSynthesizer Load(string directory)
        {
            var header = TableSynthesizerFile.ReadHeader(directory, RegisteredName);
            var schema = TableSchema.Load(Path.Combine(directory, "schema.json"));
            var rows = Table.LoadCsv(Path.Combine(directory, "rows.csv"), new TableReadOptions { Schema = schema });
            return new BootstrapSynthesizer(rows, header["label"]!.GetValue<string>());
        }

        public Table Sample(int count, torch.Generator generator) => Sample(count, TableCondition.None, generator);

        public Table Sample(int count, TableCondition condition, torch.Generator generator)
        {
            condition.Validate(Schema);
            bool[] ok = condition.Matches(_rows);
            int[] allowed = [.. Enumerable.Range(0, _rows.RowCount).Where(r => ok[r])];
            using var scope = torch.NewDisposeScope();
            long[] picks = torch.randint(allowed.Length, [count], torch.int64, generator: generator).data<long>().ToArray();
            return _rows.SelectRows(picks.Select(p => allowed[p]));
        }

        public void Save(string directory)
        {
            var header = TableSynthesizerFile.CreateHeader(RegisteredName);
            header["label"] = Label;
            TableSynthesizerFile.Save(directory, header, folder =>
            {
                Schema.Save(Path.Combine(folder, "schema.json"));
                _rows.SaveCsv(Path.Combine(folder, "rows.csv"));
            });
        }
    }
}
