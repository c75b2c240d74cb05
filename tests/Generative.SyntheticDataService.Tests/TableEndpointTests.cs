using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Generative.Tabular;
using Generative.TabularSynthesis;
using TorchSharp;

namespace Generative.SyntheticDataService.Tests;

[Collection(TableServiceCollection.Name)]
public sealed class TableEndpointTests(TableServiceFixture service)
{
    private readonly HttpClient _client = service.Client;

    private async Task<HttpResponseMessage> PostSamples(string body) =>
        await _client.PostAsync("/models/penguins/samples", new StringContent(body, Encoding.UTF8, "application/json"));

    /// <summary>What the library draws from the saved folder for a seed and condition: what the service must answer.</summary>
    private Table Expected(int count, long seed, TableCondition condition)
    {
        var model = TableSynthesizers.Load(service.Directory);
        using var generator = new torch.Generator((ulong)seed);
        return condition.IsEmpty ? model.Sample(count, generator) : model.Sample(count, condition, generator);
    }

    private static Table ReadCsv(string csv, TableSchema schema) =>
        Table.ReadCsv(new StringReader(csv), new TableReadOptions { Schema = schema });

    [Fact]
    public async Task The_tabular_model_is_listed_with_its_synthesizer_columns_and_formats()
    {
        using var body = JsonDocument.Parse(await _client.GetStringAsync("/models"));
        var model = body.RootElement.EnumerateArray().Single();
        model.GetProperty("name").GetString().Should().Be("penguins");
        model.GetProperty("kind").GetString().Should().Be("table");
        model.GetProperty("synthesizer").GetString().Should().Be("copula");
        model.GetProperty("maxCount").GetInt32().Should().Be(2000);
        model.GetProperty("formats").EnumerateArray().Select(e => e.GetString()).Should().Equal("json", "csv");
        var columns = model.GetProperty("columns").EnumerateArray().ToList();
        columns.Select(c => c.GetProperty("name").GetString()).Should().Equal(
            "Species", "Island", "Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)", "Sex");
        columns[0].GetProperty("categories").EnumerateArray().Select(e => e.GetString()).Should().BeEquivalentTo(["Adelie", "Chinstrap", "Gentoo"]);
        columns[4].GetProperty("kind").GetString().Should().Be("integer");

        var health = JsonDocument.Parse(await _client.GetStringAsync("/health")).RootElement;
        health.GetProperty("models").GetInt32().Should().Be(1);
    }

    [Fact]
    public async Task Json_rows_are_objects_with_typed_values_and_null_for_missing_cells_equal_to_the_library_s_rows()
    {
        var response = await PostSamples("""{ "count": 600, "seed": 11 }""");
        string text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        response.Headers.GetValues("Generative-Seed").Should().Equal("11");
        using var body = JsonDocument.Parse(text);
        var root = body.RootElement;
        root.GetProperty("synthesizer").GetString().Should().Be("copula");
        root.GetProperty("count").GetInt32().Should().Be(600);
        var rows = root.GetProperty("rows").EnumerateArray().ToList();
        rows.Should().HaveCount(600);

        var expected = Expected(600, 11, TableCondition.None);
        for (int r = 0; r < rows.Count; r++)
        {
            foreach (var column in expected.Columns)
            {
                var cell = rows[r].GetProperty(column.Name);
                if (column.IsMissing(r))
                {
                    cell.ValueKind.Should().Be(JsonValueKind.Null);
                    continue;
                }

                switch (column.Kind)
                {
                    case ColumnKind.Categorical:
                        cell.GetString().Should().Be(column.GetString(r));
                        break;
                    case ColumnKind.Integer:
                        cell.GetInt64().Should().Be(column.GetInt64(r));
                        break;
                    default:
                        cell.GetDouble().Should().Be(column.GetDouble(r));
                        break;
                }
            }
        }

        expected["Sex"].MissingCount.Should().BeGreaterThan(0, "penguins' Sex is missing in 2.9 % of rows, so 600 rows hold some nulls to check");
    }

    [Fact]
    public async Task Conditioned_rows_all_satisfy_the_condition_and_csv_equals_the_library_s_conditional_sample()
    {
        var condition = TableCondition.None.Where("Species", "Gentoo").WhereBetween("Body Mass (g)", 4000, 5000).WhereIn("Sex", ["FEMALE"]);
        var response = await PostSamples("""
            { "count": 300, "seed": 4, "format": "csv",
              "where": { "Species": "Gentoo", "Body Mass (g)": { "min": 4000, "max": 5000 }, "Sex": ["FEMALE"] } }
            """);
        string csv = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, csv);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");

        var model = TableSynthesizers.Load(service.Directory);
        var rows = ReadCsv(csv, model.Schema);
        rows.RowCount.Should().Be(300);
        condition.Matches(rows).Should().AllBeEquivalentTo(true);
        csv.Should().Be(Expected(300, 4, condition).ToCsv());
    }

    [Fact]
    public async Task A_list_of_categories_and_an_open_range_are_conditions_too()
    {
        var response = await PostSamples("""{ "count": 200, "seed": 2, "format": "csv", "where": { "Island": ["Biscoe", "Dream"], "Flipper Length (mm)": { "min": 200 } } }""");
        string csv = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, csv);
        var rows = ReadCsv(csv, TableSynthesizers.Load(service.Directory).Schema);
        Enumerable.Range(0, rows.RowCount).Should().OnlyContain(r =>
            (rows["Island"].GetString(r) == "Biscoe" || rows["Island"].GetString(r) == "Dream") && rows["Flipper Length (mm)"].GetInt64(r) >= 200);
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_body_and_no_seed_reports_one_that_reproduces_it()
    {
        const string body = """{ "count": 50, "seed": 9, "where": { "Species": "Adelie" } }""";
        string a = await (await PostSamples(body)).Content.ReadAsStringAsync();
        string b = await (await PostSamples(body)).Content.ReadAsStringAsync();
        a.Should().Be(b);

        var unseeded = await PostSamples("""{ "count": 50, "format": "csv" }""");
        string seed = unseeded.Headers.GetValues("Generative-Seed").Single();
        string again = await (await PostSamples($$"""{ "count": 50, "format": "csv", "seed": {{seed}} }""")).Content.ReadAsStringAsync();
        again.Should().Be(await unseeded.Content.ReadAsStringAsync());
    }

    public static TheoryData<string, string, string[]> BadRequests => new()
    {
        { """{ "count": 5, "where": { "Colour": "blue" } }""", "Invalid condition", ["'Colour'", "not a column", "'Species'"] },
        { """{ "count": 5, "where": { "Species": "Emperor" } }""", "Invalid condition", ["'Species'", "'Emperor'", "'Adelie'"] },
        { """{ "count": 5, "where": { "Island": ["Dream", "Atlantis"] } }""", "Invalid condition", ["'Island'", "'Atlantis'"] },
        { """{ "count": 5, "where": { "Body Mass (g)": { "min": 9000, "max": 12000 } } }""", "Invalid condition", ["'Body Mass (g)'", "9000"] },
        { """{ "count": 5, "where": { "Body Mass (g)": [4000, 5000] } }""", "Invalid condition", ["'Body Mass (g)'", "4000"] },
        { """{ "count": 5, "where": { "Species": { "min": 1 } } }""", "Invalid condition", ["'Species'", "range"] },
        { """{ "count": 5, "where": { "Body Mass (g)": { "low": 1 } } }""", "Invalid condition", ["'Body Mass (g)'", "'low'"] },
        { """{ "count": 5, "where": { "Species": 3 } }""", "Invalid condition", ["'Species'", "3"] },
        { """{ "count": 0 }""", "Count out of range", ["between 1 and 2000"] },
        { """{ "count": 2001 }""", "Count out of range", ["2001"] },
        { """{ }""", "Missing count", ["'count'"] },
        { """{ "count": 5, "seed": -1 }""", "Invalid sampling settings", ["Seed"] },
        { """{ "count": 5, "steps": 10 }""", "Invalid sampling settings", ["'steps'", "tabular"] },
        { """{ "count": 5, "format": "png" }""", "Format does not fit the model", ["'png'"] },
        { """{ "count": 5, "format": "xml" }""", "Unknown format", ["'xml'"] },
        { """{ "count": 5, "where": [1] }""", "Malformed JSON", [] },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_conditions_and_counts_get_400_problem_details_naming_the_column_and_value(string body, string title, string[] named)
    {
        var response = await PostSamples(body);
        string text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, text);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = JsonDocument.Parse(text).RootElement;
        problem.GetProperty("title").GetString().Should().Be(title);
        foreach (string part in named)
        {
            problem.GetProperty("detail").GetString().Should().Contain(part);
        }
    }

    [Fact]
    public async Task Concurrent_conditioned_requests_all_succeed_and_equal_seeds_give_equal_bodies()
    {
        const int requests = 64;
        string[] conditions = ["""{ "Species": "Gentoo" }""", """{ "Island": ["Dream"], "Beak Length (mm)": { "min": 40, "max": 50 } }""", "{}"];
        var bodies = new ConcurrentDictionary<string, ConcurrentBag<string>>();
        var failures = new ConcurrentQueue<string>();
        using var gate = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, requests).Select(async i =>
        {
            string where = conditions[i % 3];
            int seed = i % 8;
            string format = (i / 3) % 2 == 0 ? "json" : "csv";
            string key = $"{i % 3}/{seed}/{format}";
            await gate.WaitAsync();
            using var response = await PostSamples($$"""{ "count": 100, "seed": {{seed}}, "format": "{{format}}", "where": {{where}} }""");
            string text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                failures.Enqueue($"{key}: {(int)response.StatusCode} {text}");
                return;
            }

            bodies.GetOrAdd(key, _ => []).Add(text);
        }).ToList();
        gate.Release(requests);
        await Task.WhenAll(tasks);

        failures.Should().BeEmpty();
        bodies.Values.Sum(b => b.Count).Should().Be(requests);
        bodies.Should().OnlyContain(pair => pair.Value.Distinct().Count() == 1, "the same condition, seed and format give the same bytes");
        bodies.Values.Should().Contain(b => b.Count > 1, "several requests share a key, so the check above compares something");
    }
}
