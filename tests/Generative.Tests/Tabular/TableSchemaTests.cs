using System.Text.Json.Nodes;
using Generative.Data.BuiltIn;
using Generative.Tabular;

namespace Generative.Tests.Tabular;

/// <summary>The schema's JSON: saved next to a model, validated on load with messages that say where and why.</summary>
public sealed class TableSchemaTests
{
    [Fact]
    public void A_saved_schema_loads_equal()
    {
        var schema = TableTransformerTests.MixedTable(30).Schema;
        string path = Path.Combine(Path.GetTempPath(), "gen-schema-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            schema.Save(path);
            var loaded = TableSchema.Load(path);
            loaded.ToJson().ToJsonString().Should().Be(schema.ToJson().ToJsonString());
            loaded["day"].Earliest.Should().Be(schema["day"].Earliest);
            loaded["amount"].Maximum.Should().Be(schema["amount"].Maximum);
            loaded["colour"].Categories.Should().Equal("blue", "red", "green"); // 14, 13 and 3 of 30: most frequent first
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void An_unknown_kind_is_refused_naming_the_column_and_the_kinds()
    {
        var json = Tables.LoadPenguins().Schema.ToJson();
        json["columns"]![4]!["kind"] = "integr";
        Assert.Throws<InvalidDataException>(() => TableSchema.FromJson(json, "schema.json")).Message.Should().Be(
            "schema.json: column 'Flipper Length (mm)': kind 'integr' is not one of continuous, integer, categorical, boolean, datetime, id.");
    }

    [Fact]
    public void A_newer_version_another_format_or_a_wrong_field_type_is_refused()
    {
        var json = Tables.LoadPenguins().Schema.ToJson();
        var newer = JsonNode.Parse(json.ToJsonString())!.AsObject();
        newer["version"] = 3;
        Assert.Throws<InvalidDataException>(() => TableSchema.FromJson(newer, "schema.json")).Message.Should().StartWith(
            "schema.json: schema version 3 is newer than the versions this library reads (1 to 1)");

        var other = JsonNode.Parse(json.ToJsonString())!.AsObject();
        other["format"] = "something-else";
        Assert.Throws<InvalidDataException>(() => TableSchema.FromJson(other, "schema.json")).Message.Should().Be(
            "schema.json: 'format' is 'something-else'; a table schema has 'generative-table-schema'.");

        var wrong = JsonNode.Parse(json.ToJsonString())!.AsObject();
        wrong["columns"]![0]!["nullable"] = "no";
        Assert.Throws<InvalidDataException>(() => TableSchema.FromJson(wrong, "schema.json")).Message.Should().Be(
            "schema.json: column 'Species': 'nullable' must be true or false; found the text 'no'.");

        Assert.Throws<InvalidDataException>(() => TableSchema.FromJson(JsonNode.Parse("[1]"), "schema.json")).Message.Should().Be(
            "schema.json: a table schema is a JSON object; found an array.");
    }

    [Fact]
    public void Validating_a_table_names_the_missing_column_or_the_wrong_kind()
    {
        var penguins = Tables.LoadPenguins();
        var schema = penguins.Schema;
        var without = new Table(penguins.Columns.Where(c => c.Name != "Island"));
        Assert.Throws<TableFormatException>(() => schema.Validate(without)).Message.Should().Be(
            "The table has no column 'Island', which the schema names; its columns: Species, Beak Length (mm), Beak Depth (mm), Flipper Length (mm), Body Mass (g), Sex.");
        var retyped = penguins.WithKind("Body Mass (g)", ColumnKind.Continuous);
        Assert.Throws<TableFormatException>(() => schema.Validate(retyped)).Message.Should().Be(
            "Column 'Body Mass (g)' is continuous; the schema expects integer.");
    }

    [Fact]
    public void A_kind_set_in_code_reads_the_data_that_way()
    {
        var schema = Tables.LoadPenguins().Schema.With("Flipper Length (mm)", ColumnKind.Continuous);
        schema["Flipper Length (mm)"].Reason.Should().Be("set in code");
        using var reader = new StringReader(Tables.LoadPenguins().ToCsv());
        var table = Table.ReadCsv(reader, new TableReadOptions { Schema = schema });
        table["Flipper Length (mm)"].Kind.Should().Be(ColumnKind.Continuous);
        table["Flipper Length (mm)"].Nullable.Should().BeTrue();
    }
}
