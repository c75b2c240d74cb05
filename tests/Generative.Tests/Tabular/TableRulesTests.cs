using Generative.Data.BuiltIn;
using Generative.Tabular;
using TorchSharp;

namespace Generative.Tests.Tabular;

/// <summary>
/// Rules that hold in 100 % of sampled rows (ranges, a &lt;= b, allowed combinations) as reversible transforms around
/// the copula; exact on the real rows; conditions mapped through them; saved with the model.
/// </summary>
public sealed class TableRulesTests : IDisposable
{
    private static readonly TableRules PenguinRules = TableRules.None
        .AllowedCombinations("Species", "Island")
        .LessOrEqual("Beak Depth (mm)", "Beak Length (mm)")
        .Range("Body Mass (g)", 2700, 6300)
        .Range("Flipper Length (mm)", 170, 235);

    private static readonly TableRules OrderRules = TableRules.None
        .LessOrEqual("start", "end")
        .AllowedCombinations("region", "channel")
        .Range("quantity", 1, 20)
        .Range("amount", 0, 1_000)
        .Range("start", new DateTime(2024, 1, 1), new DateTime(2024, 12, 31));

    private readonly string _dir = Directory.CreateTempSubdirectory("gen-tabrules-").FullName;

    [Fact]
    public void Every_sampled_penguin_satisfies_every_rule_which_the_plain_copula_breaks()
    {
        var penguins = Tables.LoadPenguins();
        using var fit = new torch.Generator(0);
        var model = TableSynthesizerRegistry.Default.Fit("copula", penguins, PenguinRules, null, fit);
        using var generator = new torch.Generator(1);
        var sample = model.Sample(10_000, generator);

        sample.RowCount.Should().Be(10_000);
        sample.Columns.Select(c => c.Name).Should().Equal(penguins.Columns.Select(c => c.Name));
        sample.Columns.Select(c => c.Kind).Should().Equal(penguins.Columns.Select(c => c.Kind));
        foreach (var rule in model.Rules.Rules)
        {
            rule.Matches(sample).Should().OnlyContain(ok => ok, "every row satisfies {0}", rule);
        }

        // Without the rules the copula mixes species and islands freely (a Gentoo on Torgersen, …).
        using var fit2 = new torch.Generator(0);
        using var generator2 = new torch.Generator(1);
        var plain = GaussianCopula.Fit(penguins, fit2).Sample(10_000, generator2);
        PenguinRules.Rules[0].Fit(penguins).Matches(plain).Count(ok => !ok).Should().BeGreaterThan(500);

        // The combinations keep their frequencies roughly (Gentoo-Biscoe is 124 of 344 rows, 36 %).
        double gentoo = Enumerable.Range(0, sample.RowCount).Count(r => sample["Species"].GetString(r) == "Gentoo") / (double)sample.RowCount;
        gentoo.Should().BeApproximately(124 / 344.0, 0.02);
        ((double)sample["Sex"].MissingCount / sample.RowCount).Should().BeApproximately(penguins.Schema["Sex"].MissingRate, 0.02);
    }

    [Fact]
    public void Every_sampled_order_satisfies_every_rule_dates_included()
    {
        var orders = TabularFixtures.Orders();
        using var fit = new torch.Generator(0);
        var model = TableSynthesizerRegistry.Default.Fit("copula", orders, OrderRules, null, fit);
        using var generator = new torch.Generator(1);
        var sample = model.Sample(10_000, generator);

        model.Rules.Matches(sample).Should().OnlyContain(ok => ok);
        Enumerable.Range(0, sample.RowCount).Should().NotContain(r => sample["region"].GetString(r) == "east" && sample["channel"].GetString(r) == "phone");
        Enumerable.Range(0, sample.RowCount).Should().OnlyContain(r => sample["start"].GetDateTime(r) <= sample["end"].GetDateTime(r));
        double days = Enumerable.Range(0, sample.RowCount).Average(r => (sample["end"].GetDateTime(r) - sample["start"].GetDateTime(r)).TotalDays);
        days.Should().BeApproximately(30, 2, "the duration keeps its distribution (uniform 0-60 days)");
        ((double)sample["discount"].MissingCount / sample.RowCount).Should().BeApproximately(0.3, 0.03);
    }

    [Fact]
    public void The_reverse_transform_is_exact_on_the_real_rows()
    {
        foreach (var (table, rules) in new[] { (Tables.LoadPenguins(), PenguinRules), (TabularFixtures.Orders(), OrderRules) })
        {
            var fitted = rules.Fit(table);
            var forward = fitted.Forward(table);
            forward.Columns.Count.Should().Be(table.Columns.Count - 1, "two columns merge into one");
            TableInputTests.AssertSameTable(fitted.Reverse(forward, table.Schema), table);
        }
    }

    [Fact]
    public void A_table_that_breaks_a_rule_is_refused_naming_the_row()
    {
        var penguins = Tables.LoadPenguins();
        int row = Enumerable.Range(0, penguins.RowCount).First(r => !penguins["Body Mass (g)"].IsMissing(r) && penguins["Body Mass (g)"].GetInt64(r) < 3000);
        long mass = penguins["Body Mass (g)"].GetInt64(row);
        using var generator = new torch.Generator(0);
        var act = () => TableSynthesizerRegistry.Default.Fit("copula", penguins, TableRules.None.Range("Body Mass (g)", 3000, 7000), null, generator);
        act.Should().Throw<ArgumentException>().WithMessage($"Row {row + 1} breaks the rule Body Mass (g) in [3000, 7000]: Body Mass (g) = {mass}. Every row a model learns must satisfy its rules.*");

        var order = () => TableRules.None.LessOrEqual("Beak Length (mm)", "Beak Depth (mm)").Fit(penguins);
        order.Should().Throw<ArgumentException>().WithMessage("Row 1 breaks the rule Beak Length (mm) <= Beak Depth (mm): Beak Length (mm) = 39.1, Beak Depth (mm) = 18.7.*");

        var given = () => TableRules.None.AllowedCombinations(["Species", "Island"], [["Adelie", "Dream"]]).Fit(penguins);
        given.Should().Throw<ArgumentException>().WithMessage("Row 1 breaks the rule allowed combinations of (Species, Island): Species = Adelie, Island = Torgersen.*");

        var kind = () => TableRules.None.Range("Species", 0, 1).Fit(penguins);
        kind.Should().Throw<ArgumentException>().WithMessage("The rule Species in [0, 1] needs 'Species' to be continuous or integer; it is categorical.*");
        var unknown = () => TableRules.None.LessOrEqual("start", "Beak Length (mm)").Fit(penguins);
        unknown.Should().Throw<ArgumentException>().WithMessage("The rule start <= Beak Length (mm) names 'start', which is not a column*");
    }

    [Fact]
    public void Missing_cells_satisfy_an_order_but_the_low_side_is_needed_where_the_high_side_is_present()
    {
        var table = new Table([TableColumn.Integer("a", [1, null, 3, null]), TableColumn.Integer("b", [2, null, 5, 7])]);
        var rule = TableRules.None.LessOrEqual("a", "b");
        rule.Matches(table).Should().Equal(true, true, true, true);
        var act = () => rule.Fit(table);
        act.Should().Throw<ArgumentException>().WithMessage("Row 4: 'b' has a value but 'a' is missing; the rule a <= b learns 'b' as 'a' plus a difference, so it needs 'a' wherever 'b' is present.*");
        TableRules.None.Range("a", 2, 3).Matches(table).Should().Equal([false, true, true, true], "a missing cell satisfies a range");
    }

    [Fact]
    public void Rules_that_would_interfere_are_refused_when_combined()
    {
        var chain = () => TableRules.None.LessOrEqual("a", "b").LessOrEqual("b", "c");
        chain.Should().Throw<ArgumentException>().WithMessage("The rules cannot be combined: b <= c and a <= b chain or share a high side*");
        var mixed = () => TableRules.None.AllowedCombinations("x", "y").LessOrEqual("a", "y");
        mixed.Should().Throw<ArgumentException>().WithMessage("The rules cannot be combined: a <= y names a column of allowed combinations of (x, y)*");
        var twice = () => TableRules.None.Range("a", 0, 1).Range("a", 0, 2);
        twice.Should().Throw<ArgumentException>().WithMessage("The rules cannot be combined: 'a' already has the range a in [0, 1]*");
        TableRules.None.AllowedCombinations("x", "y").Range("a", 0, 1).LessOrEqual("a", "b").Range("b", 0, 5).Rules.Should().HaveCount(4);
    }

    [Fact]
    public void Conditions_are_mapped_through_the_rules_or_refused_with_a_reason()
    {
        var orders = TabularFixtures.Orders();
        using var fit = new torch.Generator(0);
        var model = TableSynthesizerRegistry.Default.Fit("copula", orders, OrderRules, null, fit);
        using var generator = new torch.Generator(2);

        var condition = TableCondition.None.Where("region", "east").WhereBetween("start", new DateTime(2024, 5, 1), new DateTime(2024, 5, 31)).Where("express", true);
        var sample = model.Sample(2_000, condition, generator);
        sample.RowCount.Should().Be(2_000);
        condition.Matches(sample).Should().OnlyContain(ok => ok);
        model.Rules.Matches(sample).Should().OnlyContain(ok => ok);
        Enumerable.Range(0, sample.RowCount).Select(r => sample["channel"].GetString(r)).Distinct().Order().Should().Equal("store", "web");

        var both = TableCondition.None.WhereIn("channel", ["phone"]).WhereIn("region", ["north", "east"]);
        var sample2 = model.Sample(1_000, both, generator);
        Enumerable.Range(0, sample2.RowCount).Should().OnlyContain(r => sample2["region"].GetString(r) == "north" && sample2["channel"].GetString(r) == "phone");

        var forbidden = () => model.Sample(10, TableCondition.None.Where("region", "east").Where("channel", "phone"), generator);
        forbidden.Should().Throw<ArgumentException>().WithMessage("No allowed combination of (region, channel) has region in {'east'} and channel in {'phone'} among those the model learned; the condition asks for rows the rules forbid.*");
        var high = () => model.Sample(10, TableCondition.None.WhereBetween("end", new DateTime(2024, 6, 1), new DateTime(2024, 6, 30)), generator);
        high.Should().Throw<ArgumentException>().WithMessage("A condition on 'end' is not supported under the rule start <= end: the model generates 'end' as 'start' plus a difference. Condition on 'start' instead, or fit without the rule.*");
        var unknown = () => model.Sample(10, TableCondition.None.Where("region + channel", "east | web"), generator);
        unknown.Should().Throw<ArgumentException>().WithMessage("The condition names 'region + channel', which is not a column*");
    }

    [Fact]
    public void A_model_with_rules_saves_and_loads_and_samples_identically()
    {
        var orders = TabularFixtures.Orders(800);
        using var fit = new torch.Generator(0);
        var model = TableSynthesizerRegistry.Default.Fit("copula", orders, OrderRules, null, fit);
        string dir = Path.Combine(_dir, "orders");
        model.Save(dir);
        Directory.GetFiles(dir).Select(Path.GetFileName).Should().BeEquivalentTo("synthesizer.json", "schema.json", "copula.json", "rules.json");

        var loaded = TableSynthesizers.Load(dir).Should().BeOfType<ConstrainedSynthesizer>().Subject;
        loaded.Name.Should().Be("copula");
        loaded.Rules.ToString().Should().Be(model.Rules.ToString());
        var condition = TableCondition.None.Where("channel", "phone");
        using var a = new torch.Generator(3);
        using var b = new torch.Generator(3);
        loaded.Sample(500, condition, b).ToCsv().Should().Be(model.Sample(500, condition, a).ToCsv());
        loaded.Sample(500, b).ToCsv().Should().Be(model.Sample(500, a).ToCsv());

        // The rules file is validated: an unknown rule is refused naming it.
        string rules = Path.Combine(dir, "rules.json");
        File.WriteAllText(rules, File.ReadAllText(rules).Replace("\"less-or-equal\"", "\"less-than\"", StringComparison.Ordinal));
        var act = () => TableSynthesizers.Load(dir);
        act.Should().Throw<InvalidDataException>().WithMessage($"{rules}: rules[0]: 'rule' is 'less-than'; the rules are range, less-or-equal and allowed-combinations.");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
