using Generative.Data.BuiltIn;
using Generative.Tabular;

namespace Generative.Tests.Tabular;

/// <summary>TableCondition itself: what Validate refuses (and how it says so), and Matches on each kind of condition.</summary>
public sealed class TableConditionTests
{
    private static readonly TableSchema Orders = TabularFixtures.Orders(200).Schema;

    [Fact]
    public void An_unknown_column_is_refused_naming_it_and_the_columns()
    {
        var act = () => TableCondition.None.Where("colour", "red").Validate(Orders);
        act.Should().Throw<ArgumentException>().WithMessage("The condition names 'colour', which is not a column; the columns are: 'order_id', 'start', 'end', *");
    }

    [Fact]
    public void An_unknown_category_is_refused_naming_the_value_and_the_known_ones()
    {
        var act = () => TableCondition.None.WhereIn("region", ["north", "mars"]).Validate(Orders);
        act.Should().Throw<ArgumentException>().WithMessage("The condition asks 'region' to be 'mars', which the model never saw; its values are: *'east'*'north'*");
        var boolean = () => TableCondition.None.WhereIn("express", ["yes"]).Validate(Orders);
        boolean.Should().Throw<ArgumentException>().WithMessage("*'express' to be 'yes'*its values are: 'false', 'true'.*");
    }

    [Fact]
    public void An_integer_range_without_a_whole_number_is_refused()
    {
        var act = () => TableCondition.None.WhereBetween("quantity", 3.2, 3.8).Validate(Orders);
        act.Should().Throw<ArgumentException>().WithMessage("The condition asks 'quantity' to be in [3.2, 3.8], which holds no value the model can generate; observed values are in [1, 20] (whole numbers).*");
    }

    [Fact]
    public void A_range_outside_the_observed_bounds_is_refused()
    {
        var act = () => TableCondition.None.WhereBetween("amount", 10_000, 20_000).Validate(Orders);
        act.Should().Throw<ArgumentException>().WithMessage("The condition asks 'amount' to be in [10000, 20000], which holds no value*observed values are in [*");
        var dates = () => TableCondition.None.WhereBetween("start", new DateTime(2030, 1, 1), new DateTime(2030, 2, 1)).Validate(Orders);
        dates.Should().Throw<ArgumentException>().WithMessage("The condition asks 'start' to be in [2030-01-01T00:00:00.0000000, 2030-02-01T00:00:00.0000000], outside the observed [2024-*");
    }

    [Fact]
    public void A_range_on_a_categorical_a_category_on_a_number_and_any_condition_on_an_id_are_refused()
    {
        var range = () => TableCondition.None.WhereBetween("region", 1, 2).Validate(Orders);
        range.Should().Throw<ArgumentException>().WithMessage("The condition asks a range of 'region', a categorical column; categorical and Boolean columns take categories, continuous, integer and date columns take ranges, and id columns cannot be conditioned.*");
        var category = () => TableCondition.None.Where("amount", "12.5").Validate(Orders);
        category.Should().Throw<ArgumentException>().WithMessage("The condition asks a category of 'amount', a continuous column;*");
        var id = () => TableCondition.None.Where("order_id", "ORD-00001").Validate(Orders);
        id.Should().Throw<ArgumentException>().WithMessage("The condition asks a category of 'order_id', an id column;*id columns cannot be conditioned.*");
    }

    [Fact]
    public void Building_refuses_an_empty_set_an_inverted_range_and_two_conditions_on_one_column()
    {
        var empty = () => TableCondition.None.WhereIn("region", []);
        empty.Should().Throw<ArgumentException>().WithMessage("A condition on 'region' needs at least one category.*");
        var inverted = () => TableCondition.None.WhereBetween("amount", 5, 1);
        inverted.Should().Throw<ArgumentException>().WithMessage("The range of 'amount' must be finite with minimum <= maximum, but is [5, 1].*");
        var twice = () => TableCondition.None.Where("region", "east").Where("region", "west");
        twice.Should().Throw<ArgumentException>().WithMessage("'region' already has a condition (region in {'east'}); give each column one.*");
    }

    [Fact]
    public void A_valid_condition_passes_and_reads_back()
    {
        var condition = TableCondition.None.Where("region", "east").Where("express", true).Where("quantity", 5L)
            .WhereBetween("amount", 50, 150.5).WhereBetween("start", new DateTime(2024, 3, 1), new DateTime(2024, 3, 31));
        condition.Validate(Orders);
        condition.Columns.Select(c => c.Column).Should().Equal("region", "express", "quantity", "amount", "start");
        condition.For("express")!.Categories.Should().Equal("true");
        condition.For("quantity")!.Minimum.Should().Be(5);
        condition.For("quantity")!.Maximum.Should().Be(5);
        condition.For("discount").Should().BeNull();
        condition.ToString().Should().Be("region in {'east'} and express in {'true'} and quantity in [5, 5] and amount in [50, 150.5] and start in [2024-03-01T00:00:00.0000000, 2024-03-31T00:00:00.0000000]");
        TableCondition.None.IsEmpty.Should().BeTrue();
        TableCondition.None.ToString().Should().Be("(no condition)");
    }

    [Fact]
    public void Matches_checks_each_kind_and_a_missing_cell_never_matches()
    {
        var table = new Table(
        [
            TableColumn.Categorical("c", ["a", "b", null, "c"]),
            TableColumn.Boolean("f", [true, false, true, null]),
            TableColumn.Integer("n", [1, 5, 10, null]),
            TableColumn.Continuous("x", [0.5, 1.5, null, 2.5]),
            TableColumn.DateTime("d", [new DateTime(2024, 1, 1), new DateTime(2024, 2, 1), new DateTime(2024, 3, 1), null]),
        ]);
        TableCondition.None.WhereIn("c", ["a", "c"]).Matches(table).Should().Equal(true, false, false, true);
        TableCondition.None.Where("f", true).Matches(table).Should().Equal(true, false, true, false);
        TableCondition.None.Where("f", false).Matches(table).Should().Equal(false, true, false, false);
        TableCondition.None.WhereBetween("n", 2, 10).Matches(table).Should().Equal(false, true, true, false);
        TableCondition.None.Where("n", 1L).Matches(table).Should().Equal(true, false, false, false);
        TableCondition.None.WhereBetween("x", 0.5, 1.5).Matches(table).Should().Equal(true, true, false, false);
        TableCondition.None.WhereBetween("d", new DateTime(2024, 1, 15), new DateTime(2024, 3, 1)).Matches(table).Should().Equal(false, true, true, false);
        TableCondition.None.WhereIn("c", ["a", "b"]).WhereBetween("x", 1, 2).Matches(table).Should().Equal(false, true, false, false);
        TableCondition.None.Matches(table).Should().Equal(true, true, true, true);
        var missing = () => TableCondition.None.Where("zz", "a").Matches(table);
        missing.Should().Throw<KeyNotFoundException>();
    }

    [Fact]
    public void Penguins_validate_with_their_own_categories()
    {
        var schema = Tables.LoadPenguins().Schema;
        TableCondition.None.Where("Species", "Gentoo").WhereBetween("Body Mass (g)", 4000, 5000).Validate(schema);
        var act = () => TableCondition.None.Where("Sex", "(missing)").Validate(schema);
        act.Should().Throw<ArgumentException>().WithMessage("*'Sex' to be '(missing)', which the model never saw*");
    }
}
