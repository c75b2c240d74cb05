using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TorchSharp;

namespace Generative.SyntheticDataService.Tests;

[Collection(ServiceCollection.Name)]
public sealed class EndpointTests(ServiceFixture service)
{
    private readonly HttpClient _client = service.Client;

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private async Task<HttpResponseMessage> PostSamples(string model, string body) =>
        await _client.PostAsync($"/models/{model}/samples", Json(body));

    /// <summary>The fake's samples for a seed: randn from a generator with that seed, plus the steps.</summary>
    private static float[] Expected(long seed, int count, int width, int steps)
    {
        using var generator = new torch.Generator((ulong)seed);
        using var noise = torch.randn([count, width], generator: generator);
        return [.. noise.data<float>().ToArray().Select(v => v + steps)];
    }

    [Fact]
    public void The_service_listens_on_loopback_only()
    {
        service.Address.Host.Should().Be("127.0.0.1");
        using var app = SyntheticDataServiceApp.Build(["--SyntheticDataService:ReadyModel:Enabled=false"]);
        app.Configuration["Urls"].Should().StartWith("http://127.0.0.1:", "appsettings.json binds to loopback by default");
    }

    [Fact]
    public async Task Health_reports_healthy_with_the_number_of_models()
    {
        var response = await _client.GetAsync("/health");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        body.RootElement.GetProperty("status").GetString().Should().Be("Healthy");
        body.RootElement.GetProperty("models").GetInt32().Should().Be(3);
    }

    [Fact]
    public async Task Models_lists_names_families_kinds_shapes_columns_defaults_and_formats()
    {
        var response = await _client.GetAsync("/models");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var models = body.RootElement.EnumerateArray().ToList();

        models.Select(m => m.GetProperty("name").GetString()).Should().Equal("wine", "moons", "digits");
        var wine = models[0];
        wine.GetProperty("family").GetString().Should().Be("diffusion");
        wine.GetProperty("kind").GetString().Should().Be("table");
        wine.GetProperty("sampleShape").EnumerateArray().Select(e => e.GetInt64()).Should().Equal(3);
        wine.GetProperty("featureNames").EnumerateArray().Select(e => e.GetString()).Should().Equal("alcohol", "malic_acid", "ash");
        wine.GetProperty("defaults").GetProperty("sampler").GetString().Should().Be("ddim");
        wine.GetProperty("defaults").GetProperty("steps").GetInt32().Should().Be(20);
        wine.GetProperty("maxCount").GetInt32().Should().Be(50);
        wine.GetProperty("formats").EnumerateArray().Select(e => e.GetString()).Should().Equal("json", "csv");
        models[1].GetProperty("family").GetString().Should().Be("gan");
        models[1].GetProperty("kind").GetString().Should().Be("vector");
        models[2].GetProperty("kind").GetString().Should().Be("image");
        models[2].GetProperty("formats").EnumerateArray().Select(e => e.GetString()).Should().Equal("json", "png");
    }

    [Fact]
    public async Task One_model_is_described_by_name_case_insensitively()
    {
        var response = await _client.GetAsync("/models/WINE");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        body.RootElement.GetProperty("name").GetString().Should().Be("wine");
    }

    [Fact]
    public async Task Json_samples_are_rows_with_column_names_drawn_with_the_configured_defaults_and_the_seed()
    {
        var response = await PostSamples("wine", """{ "count": 5, "seed": 42 }""");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.GetValues("Generative-Seed").Should().Equal("42");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        root.GetProperty("model").GetString().Should().Be("wine");
        root.GetProperty("seed").GetInt64().Should().Be(42);
        root.GetProperty("count").GetInt32().Should().Be(5);
        root.GetProperty("columns").EnumerateArray().Select(e => e.GetString()).Should().Equal("alcohol", "malic_acid", "ash");
        root.GetProperty("settings").GetProperty("steps").GetInt32().Should().Be(20);
        var values = root.GetProperty("rows").EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => v.GetSingle())).ToArray();
        values.Should().Equal(Expected(42, 5, 3, steps: 20), "the fake adds the configured 20 steps to randn drawn with seed 42");
    }

    [Fact]
    public async Task Steps_in_the_request_override_the_configured_default()
    {
        var response = await PostSamples("wine", """{ "count": 2, "seed": 7, "steps": 3 }""");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var values = body.RootElement.GetProperty("rows").EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => v.GetSingle()));
        values.Should().Equal(Expected(7, 2, 3, steps: 3));
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_response_and_no_seed_reports_a_seed_that_reproduces_it()
    {
        string a = await (await PostSamples("moons", """{ "count": 10, "seed": 5 }""")).Content.ReadAsStringAsync();
        string b = await (await PostSamples("moons", """{ "count": 10, "seed": 5 }""")).Content.ReadAsStringAsync();
        a.Should().Be(b);

        var unseeded = await PostSamples("moons", """{ "count": 10 }""");
        string seed = unseeded.Headers.GetValues("Generative-Seed").Single();
        string again = await (await PostSamples("moons", $$"""{ "count": 10, "seed": {{seed}} }""")).Content.ReadAsStringAsync();
        again.Should().Be(await unseeded.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Csv_samples_have_a_header_and_one_line_per_sample_in_invariant_numbers()
    {
        var response = await PostSamples("wine", """{ "count": 4, "seed": 9, "format": "CSV" }""");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");
        response.Headers.GetValues("Generative-Seed").Should().Equal("9");
        string[] lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().Be("alcohol,malic_acid,ash");
        lines.Should().HaveCount(5);
        lines.Skip(1).SelectMany(l => l.Split(',')).Select(v => float.Parse(v, CultureInfo.InvariantCulture))
            .Should().Equal(Expected(9, 4, 3, steps: 20));
    }

    [Fact]
    public async Task Vectors_come_as_csv_with_numbered_columns()
    {
        var response = await PostSamples("moons", """{ "count": 3, "seed": 1, "format": "csv" }""");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().StartWith("x0,x1\r\n");
    }

    [Fact]
    public async Task Images_come_as_a_png_grid()
    {
        var response = await PostSamples("digits", """{ "count": 9, "seed": 3, "format": "png" }""");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("image/png");
        byte[] png = await response.Content.ReadAsByteArrayAsync();
        png.Take(8).Should().Equal(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A);
        int width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16));
        int height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20));
        (width, height).Should().Be((3 * 4 + 4, 3 * 4 + 4), "nine 4×4 images in a 3×3 grid with 1-pixel padding");
    }

    [Fact]
    public async Task Images_as_json_are_flattened_rows()
    {
        var response = await PostSamples("digits", """{ "count": 2, "seed": 3 }""");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        body.RootElement.GetProperty("sampleShape").EnumerateArray().Select(e => e.GetInt64()).Should().Equal(1, 4, 4);
        body.RootElement.GetProperty("rows").EnumerateArray().Should().OnlyContain(r => r.GetArrayLength() == 16);
    }

    public static TheoryData<string, string, HttpStatusCode, string> BadRequests => new()
    {
        { "wine", """{ "count": 0 }""", HttpStatusCode.BadRequest, "Count out of range" },
        { "wine", """{ "count": -1 }""", HttpStatusCode.BadRequest, "Count out of range" },
        { "wine", """{ "count": 51 }""", HttpStatusCode.BadRequest, "Count out of range" },
        { "wine", """{ }""", HttpStatusCode.BadRequest, "Missing count" },
        { "wine", "null", HttpStatusCode.BadRequest, "Missing body" },
        { "wine", "", HttpStatusCode.BadRequest, "Malformed JSON" },
        { "wine", """{ "count": 5 """, HttpStatusCode.BadRequest, "Malformed JSON" },
        { "wine", "[1, 2]", HttpStatusCode.BadRequest, "Malformed JSON" },
        { "wine", """{ "count": "many" }""", HttpStatusCode.BadRequest, "Malformed JSON" },
        { "wine", """{ "count": 99999999999 }""", HttpStatusCode.BadRequest, "Malformed JSON" },
        { "wine", """{ "count": 5, "cuont": 1 }""", HttpStatusCode.BadRequest, "Malformed JSON" },
        { "wine", """{ "count": 5, "format": "xml" }""", HttpStatusCode.BadRequest, "Unknown format" },
        { "wine", """{ "count": 5, "format": "png" }""", HttpStatusCode.BadRequest, "Format does not fit the model" },
        { "digits", """{ "count": 5, "format": "csv" }""", HttpStatusCode.BadRequest, "Format does not fit the model" },
        { "wine", """{ "count": 5, "steps": 0 }""", HttpStatusCode.BadRequest, "Invalid sampling settings" },
        { "wine", """{ "count": 5, "seed": -1 }""", HttpStatusCode.BadRequest, "Invalid sampling settings" },
        { "wine", """{ "count": 5, "sampler": "plms" }""", HttpStatusCode.BadRequest, "Invalid sampling settings" },
        { "wine", """{ "count": 5, "eta": 2 }""", HttpStatusCode.BadRequest, "Invalid sampling settings" },
        { "wine", """{ "count": 5, "classLabel": 1 }""", HttpStatusCode.BadRequest, "Invalid sampling settings" },
        { "beer", """{ "count": 5 }""", HttpStatusCode.NotFound, "Unknown model" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_requests_get_a_problem_details_body_never_a_500(string model, string body, HttpStatusCode status, string title)
    {
        var response = await PostSamples(model, body);
        await ShouldBeProblem(response, status, title);
    }

    [Fact]
    public async Task Count_errors_name_the_configured_maximum()
    {
        var response = await PostSamples("wine", """{ "count": 51 }""");
        var problem = await ShouldBeProblem(response, HttpStatusCode.BadRequest, "Count out of range");
        problem.GetProperty("detail").GetString().Should().Be("'count' must be between 1 and 50 for model 'wine', but is 51.");
    }

    [Fact]
    public async Task Unknown_models_list_the_known_ones()
    {
        var problem = await ShouldBeProblem(await _client.GetAsync("/models/beer"), HttpStatusCode.NotFound, "Unknown model");
        problem.GetProperty("detail").GetString().Should().Be("No model is named 'beer'. Models: wine, moons, digits.");
    }

    [Fact]
    public async Task Unknown_routes_and_wrong_methods_also_get_problem_details()
    {
        await ShouldBeProblem(await _client.GetAsync("/nowhere"), HttpStatusCode.NotFound, "Not Found");
        await ShouldBeProblem(await _client.GetAsync("/models/wine/samples"), HttpStatusCode.MethodNotAllowed, "Method Not Allowed");
    }

    private static async Task<JsonElement> ShouldBeProblem(HttpResponseMessage response, HttpStatusCode status, string title)
    {
        string text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, text);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        problem.GetProperty("status").GetInt32().Should().Be((int)status);
        problem.GetProperty("title").GetString().Should().Be(title);
        return problem;
    }
}
