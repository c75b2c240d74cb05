using System.Data;
using System.Globalization;
using System.Security.Cryptography;
using Generative.Data.BuiltIn;
using Generative.Tabular;

namespace Generative.Tests.Tabular;

/// <summary>Reading tables (CSV, data readers, records), inferring their kinds with reasons, and writing them back.</summary>
public sealed class TableInputTests
{
    [Fact]
    public void Penguins_are_embedded_byte_for_byte()
    {
        using var stream = EmbeddedData.Open(EmbeddedData.PenguinsResource);
        Convert.ToHexStringLower(SHA256.HashData(stream)).Should().Be("9a15badbd5e78a83dd5dbe50ef180d784476669ca43a83de341e6f3332eebce8");
    }

    [Fact]
    public void Penguins_kinds_nullability_and_counts_are_inferred_with_reasons()
    {
        var penguins = Tables.LoadPenguins();
        penguins.RowCount.Should().Be(344);
        var schema = penguins.Schema;
        schema.Columns.Select(c => c.Kind).Should().Equal(
            ColumnKind.Categorical, ColumnKind.Categorical, ColumnKind.Continuous, ColumnKind.Continuous,
            ColumnKind.Integer, ColumnKind.Integer, ColumnKind.Categorical);
        schema.Columns.Select(c => c.Missing).Should().Equal(0, 0, 2, 2, 2, 2, 10);
        schema.Columns.Select(c => c.Nullable).Should().Equal(false, false, true, true, true, true, true);
        schema["Species"].Categories.Should().Equal("Adelie", "Gentoo", "Chinstrap"); // 152, 124, 68: most frequent first
        schema["Sex"].Categories.Should().Equal("MALE", "FEMALE", ".");
        schema["Body Mass (g)"].Minimum.Should().Be(2700);
        schema["Body Mass (g)"].Maximum.Should().Be(6300);
        schema["Beak Length (mm)"].Minimum.Should().Be(32.1);
        schema["Flipper Length (mm)"].Reason.Should().Be("integer: all 342 values whole, 55 distinct, 2 missing");
        schema["Beak Length (mm)"].Reason.Should().StartWith("continuous: 342 numbers, 164 distinct, not all whole (e.g. 39.1)");
        schema["Island"].Reason.Should().Be("categorical: text (e.g. 'Torgersen'), 3 categories in 344 values");
        schema.Describe().Should().Contain("Sex: categorical, nullable — categorical: text");
    }

    [Fact]
    public void Adult_reads_as_6_integer_and_9_categorical_columns_with_question_marks_missing()
    {
        var adult = TabularAssets.Adult;
        adult.RowCount.Should().Be(32_561);
        var schema = adult.Schema;
        schema.Columns.Count(c => c.Kind == ColumnKind.Integer).Should().Be(6);
        schema.Columns.Count(c => c.Kind == ColumnKind.Categorical).Should().Be(9);
        schema["age"].Reason.Should().Be("integer: all 32,561 values whole, 73 distinct");
        schema["workclass"].Missing.Should().Be(1836);
        schema["occupation"].Missing.Should().Be(1843);
        schema["native-country"].Missing.Should().Be(583);
        schema["workclass"].Categories.Should().HaveCount(8).And.Contain(" State-gov", "categories keep their leading space");
        schema["income"].Categories.Should().Equal(" <=50K", " >50K");
        schema.Columns.Where(c => c.Missing == 0).Should().OnlyContain(c => !c.Nullable);
    }

    [Fact]
    public void Csv_follows_RFC_4180_quoting_and_reads_missing_markers()
    {
        const string csv = "name,note,score\n\"Smith, J.\",\"said \"\"hi\"\"\nthen left\",1.5\nLee,NA,?\n\"\",plain,2\n";
        var table = Table.ReadCsv(new StringReader(csv), new TableReadOptions { Kinds = { ["name"] = ColumnKind.Categorical } });
        table.RowCount.Should().Be(3);
        table["name"].GetString(0).Should().Be("Smith, J.");
        table["note"].GetString(0).Should().Be("said \"hi\"\nthen left");
        table["note"].IsMissing(1).Should().BeTrue();
        table["score"].Kind.Should().Be(ColumnKind.Continuous);
        table["score"].IsMissing(1).Should().BeTrue();
        table["name"].IsMissing(2).Should().BeTrue("an empty field, quoted or not, is missing by default");
        table["score"].GetDouble(2).Should().Be(2);
    }

    [Fact]
    public void Delimiter_culture_and_headerless_files_are_options()
    {
        const string csv = "1,5;rouge;2024-03-01\n2,25;bleu;2024-03-02\n-0,75;rouge;2024-12-31\n";
        var options = new TableReadOptions { Delimiter = ';', HasHeader = false, Culture = CultureInfo.GetCultureInfo("fr-FR") };
        var table = Table.ReadCsv(new StringReader(csv), options);
        table.Columns.Select(c => c.Name).Should().Equal("column1", "column2", "column3");
        table.Columns.Select(c => c.Kind).Should().Equal(ColumnKind.Continuous, ColumnKind.Categorical, ColumnKind.DateTime);
        table["column1"].GetDouble(2).Should().Be(-0.75);
        table["column3"].GetDateTime(2).Should().Be(new DateTime(2024, 12, 31));

        string written = table.ToCsv(new TableWriteOptions { Delimiter = ';', WriteHeader = false, Culture = CultureInfo.GetCultureInfo("fr-FR") });
        written.Should().Be(csv);
    }

    [Fact]
    public void A_value_that_does_not_fit_names_row_column_and_value()
    {
        const string csv = "age,city\n31,Oslo\n4x,Rome\n";
        var error = Assert.Throws<TableFormatException>(() =>
            Table.ReadCsv(new StringReader(csv), new TableReadOptions { Kinds = { ["age"] = ColumnKind.Integer } }));
        error.Row.Should().Be(2);
        error.Column.Should().Be("age");
        error.Value.Should().Be("4x");
        error.Message.Should().Be("Row 2, column 'age': '4x' is not a whole number, which the column's kind needs.");
    }

    [Fact]
    public void Ragged_rows_and_broken_quotes_are_errors_naming_the_row()
    {
        var ragged = Assert.Throws<TableFormatException>(() => Table.ReadCsv(new StringReader("a,b\n1,2\n3,4,5\n")));
        ragged.Row.Should().Be(2);
        ragged.Message.Should().Contain("Row 2 has 3 fields; the header has 2");

        var quote = Assert.Throws<TableFormatException>(() => Table.ReadCsv(new StringReader("a,b\n1,\"2\n3,4\n")));
        quote.Message.Should().Contain("malformed");
    }

    [Fact]
    public void A_schema_to_read_with_must_be_met()
    {
        var schema = new TableSchema([new ColumnSchema("age", ColumnKind.Integer, nullable: false), new ColumnSchema("city", ColumnKind.Categorical, nullable: true)]);
        var missing = Assert.Throws<TableFormatException>(() =>
            Table.ReadCsv(new StringReader("age,town\n1,Oslo\n"), new TableReadOptions { Schema = schema }));
        missing.Message.Should().Be("The input has no column 'city', which the schema names; its columns: age, town.");

        var nulls = Assert.Throws<TableFormatException>(() =>
            Table.ReadCsv(new StringReader("age,city\n1,Oslo\n,Rome\n"), new TableReadOptions { Schema = schema }));
        nulls.Message.Should().Be("Row 2, column 'age': the value is missing, but the column is declared not nullable.");

        var table = Table.ReadCsv(new StringReader("age,city\n1,Oslo\n2,Rome\n"), new TableReadOptions { Schema = schema });
        table["city"].Nullable.Should().BeTrue("the schema says so, although no value is missing");
        table.Schema["age"].Reason.Should().Be("integer: from the schema");
    }

    [Fact]
    public void Kinds_set_in_code_override_inference()
    {
        var table = Table.ReadCsv(new StringReader("zip,n\n02134,1\n10001,2\n"));
        table["zip"].Kind.Should().Be(ColumnKind.Categorical, "a number with a leading zero is a code");
        table.Schema["zip"].Reason.Should().Contain("leading zero");
        var codes = table.WithKind("n", ColumnKind.Categorical);
        codes["n"].GetString(1).Should().Be("2");
        codes.Schema["n"].Reason.Should().Be("categorical: set in code");
    }

    [Fact]
    public void DataTable_round_trip_keeps_every_value_and_missing_cell()
    {
        var penguins = Tables.LoadPenguins();
        using var data = penguins.ToDataTable();
        data.Columns["Body Mass (g)"]!.DataType.Should().Be(typeof(long));
        data.Columns["Beak Depth (mm)"]!.AllowDBNull.Should().BeTrue();
        data.Rows[3]["Sex"].Should().Be(DBNull.Value);
        var back = Table.FromDataTable(data);
        AssertSameTable(back, penguins);
        back.Schema["Beak Depth (mm)"].Reason.Should().Be("continuous: 342 values of type Double, 2 missing");
    }

    [Fact]
    public void Csv_round_trip_keeps_every_value_and_missing_cell()
    {
        var adult = TabularAssets.Adult;
        var back = Table.ReadCsv(new StringReader(adult.ToCsv()));
        AssertSameTable(back, adult);
        var penguins = Tables.LoadPenguins();
        AssertSameTable(Table.ReadCsv(new StringReader(penguins.ToCsv())), penguins);
    }

    [Fact]
    public void Records_round_trip_maps_properties_and_nullability()
    {
        Order[] orders =
        [
            new() { Id = 1, Customer = "ACME", Total = 12.5m, Quantity = 3, Express = true, Placed = new DateOnly(2024, 1, 2), Note = null, Status = Status.Open },
            new() { Id = 2, Customer = "Initech", Total = 7m, Quantity = null, Express = false, Placed = new DateOnly(2024, 1, 3), Note = "rush", Status = Status.Shipped },
        ];
        var table = Table.FromRecords(orders);
        table.Columns.Select(c => c.Kind).Should().Equal(
            ColumnKind.Id, ColumnKind.Categorical, ColumnKind.Continuous, ColumnKind.Integer, ColumnKind.Boolean, ColumnKind.DateTime, ColumnKind.Categorical, ColumnKind.Categorical);
        table.Columns.Select(c => c.Nullable).Should().Equal(false, false, false, true, false, false, true, false);
        table["Placed"].GetDateTime(1).Should().Be(new DateTime(2024, 1, 3));

        var back = table.ToRecords<Order>();
        back.Should().BeEquivalentTo(orders, o => o.WithStrictOrdering());

        var positional = Table.FromRecords([new Point(1.5, "a"), new Point(-2, null)]).ToRecords<Point>();
        positional.Should().Equal(new Point(1.5, "a"), new Point(-2, null));
    }

    [Fact]
    public void A_missing_cell_for_a_non_nullable_property_is_an_error_naming_row_and_column()
    {
        var table = Table.ReadCsv(new StringReader("X,Label\n1,a\n,b\n"));
        var error = Assert.Throws<InvalidOperationException>(() => table.ToRecords<Strict>());
        error.Message.Should().Be("Row 2, column 'X' is missing, but X (Double) cannot hold null; make it nullable.");
    }

    [Fact]
    public void Data_readers_with_typed_columns_keep_their_types()
    {
        using var data = new DataTable { Locale = CultureInfo.InvariantCulture };
        data.Columns.Add("when", typeof(DateTime));
        data.Columns.Add("ok", typeof(bool));
        data.Columns.Add("count", typeof(int));
        data.Columns.Add("label", typeof(string));
        data.Rows.Add(new DateTime(2020, 5, 6, 7, 8, 9), true, 3, "x");
        data.Rows.Add(DBNull.Value, false, 4, "NA");
        using var reader = data.CreateDataReader();
        var table = Table.FromDataReader(reader);
        table.Columns.Select(c => c.Kind).Should().Equal(ColumnKind.DateTime, ColumnKind.Boolean, ColumnKind.Integer, ColumnKind.Categorical);
        table["when"].IsMissing(1).Should().BeTrue();
        table["label"].IsMissing(1).Should().BeTrue("'NA' is a missing-value marker");
        table.ToCsv().Should().Be("when,ok,count,label\n2020-05-06T07:08:09,true,3,x\n,false,4,\n");
    }

    internal static void AssertSameTable(Table actual, Table expected)
    {
        actual.Columns.Select(c => c.Name).Should().Equal(expected.Columns.Select(c => c.Name));
        actual.RowCount.Should().Be(expected.RowCount);
        foreach (var e in expected.Columns)
        {
            var a = actual[e.Name];
            if (e.Kind != ColumnKind.Id)
            {
                a.Kind.Should().Be(e.Kind, "column '{0}' keeps its kind", e.Name);
            }

            for (int r = 0; r < expected.RowCount; r++)
            {
                var want = e.GetValue(r);
                var got = a.GetValue(r);
                if (!Equals(want, got))
                {
                    Assert.Fail($"Column '{e.Name}', row {r + 1}: expected {want ?? "(missing)"}, found {got ?? "(missing)"}.");
                }
            }
        }
    }

    private enum Status
    {
        Open,
        Shipped,
    }

    private sealed class Order
    {
        public long Id { get; set; }

        public string Customer { get; set; } = string.Empty;

        public decimal Total { get; set; }

        public int? Quantity { get; set; }

        public bool Express { get; set; }

        public DateOnly Placed { get; set; }

        public string? Note { get; set; }

        public Status Status { get; set; }
    }

    private sealed record Point(double X, string? Label);

    private sealed class Strict
    {
        public double X { get; set; }

        public string Label { get; set; } = string.Empty;
    }
}
