using System.Text;
using System.Text.Json;
using Generative.Hosting;
using Generative.Tabular;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Generative.SyntheticDataService;

/// <summary>The HTTP API: <c>GET /health</c>, <c>GET /models</c>, <c>GET /models/{name}</c>, <c>POST /models/{name}/samples</c>.</summary>
internal static class SyntheticDataEndpoints
{
    /// <summary>The response header that carries the seed a response was drawn with (for every format).</summary>
    public const string SeedHeader = "Generative-Seed";

    /// <summary>The concurrency limiter of the sampling endpoint.</summary>
    public const string SamplingLimiter = "sampling";

    public static void MapSyntheticDataEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteHealthAsync });
        app.MapGet("/models", (IGenerativeModelRegistry registry, ITableModelRegistry tables) =>
            Results.Ok(registry.DescribeAll().Select(object (d) => ModelInfo.From(d)).Concat(tables.DescribeAll().Select(TableSamples.Describe))));
        app.MapGet("/models/{name}", (string name, IGenerativeModelRegistry registry, ITableModelRegistry tables) =>
            registry.Contains(name) ? Results.Ok(ModelInfo.From(registry.Describe(name)))
            : tables.Contains(name) ? Results.Ok(TableSamples.Describe(tables.Describe(name)))
            : UnknownModel(name, registry, tables));
        app.MapPost("/models/{name}/samples", PostSamplesAsync).RequireRateLimiting(SamplingLimiter);
    }

    private static async Task<IResult> PostSamplesAsync(
        string name,
        HttpRequest http,
        IGenerativeModelRegistry registry,
        ISyntheticDataGenerator generator,
        ITableModelRegistry tables,
        ITableDataGenerator tableGenerator,
        IOptions<JsonOptions> json,
        CancellationToken cancellationToken)
    {
        bool isTable = tables.Contains(name);
        if (!isTable && !registry.Contains(name))
        {
            return UnknownModel(name, registry, tables);
        }

        SampleRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<SampleRequest>(http.Body, json.Value.SerializerOptions, cancellationToken);
        }
        catch (JsonException ex)
        {
            return BadRequest("Malformed JSON", $"The request body is not a valid sample request: {ex.Message}");
        }

        if (request is null)
        {
            return BadRequest("Missing body", "Send a JSON object such as { \"count\": 10, \"seed\": 1, \"format\": \"json\" }.");
        }

        if (isTable)
        {
            return PostTableSamples(name, request, http, tables, tableGenerator, cancellationToken);
        }

        if (request.Where is not null)
        {
            return BadRequest("Conditions need a tabular model",
                $"Model '{name}' is not a tabular model; 'where' applies to tabular models only (GET /models lists each model's kind).");
        }

        var descriptor = registry.Describe(name);
        if (request.Count is not { } count)
        {
            return BadRequest("Missing count", "'count' is required: the number of samples, from 1 to " + descriptor.MaxCount + ".");
        }

        if (count < 1 || count > descriptor.MaxCount)
        {
            return BadRequest("Count out of range",
                $"'count' must be between 1 and {descriptor.MaxCount} for model '{descriptor.Name}', but is {count}.");
        }

        if (!OutputFormats.TryParse(request.Format, out var format))
        {
            return BadRequest("Unknown format", $"'format' is '{request.Format}'; use one of {OutputFormats.Describe(OutputFormats.All)}.");
        }

        var formats = OutputFormats.For(descriptor.Kind);
        if (!formats.Contains(format))
        {
            return BadRequest("Format does not fit the model",
                $"Model '{descriptor.Name}' makes {descriptor.Kind.ToString().ToLowerInvariant()} samples of shape {descriptor.SampleShape}; " +
                $"'{OutputFormats.Name(format)}' does not fit them. Use one of {OutputFormats.Describe(formats)}.");
        }

        var generation = new GenerationRequest(count)
        {
            Seed = request.Seed,
            Steps = request.Steps,
            Sampler = request.Sampler,
            Eta = request.Eta,
            GuidanceScale = request.GuidanceScale,
            ClassLabel = request.ClassLabel,
        };

        // Sampling is synchronous CPU work with TorchSharp dispose scopes inside: keep it on one thread, no await inside.
        GeneratedSamples samples;
        try
        {
            samples = generator.Generate(descriptor.Name, generation, cancellationToken);
        }
        catch (ArgumentException ex)
        {
            return BadRequest("Invalid sampling settings", FirstLine(ex.Message));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Results.Empty; // the client has gone; nobody reads the answer
        }

        using (samples)
        {
            http.HttpContext.Response.Headers[SeedHeader] = samples.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return format switch
            {
                OutputFormat.Csv => Results.Text(samples.ToTable().ToCsv(), "text/csv", Encoding.UTF8),
                OutputFormat.Png => Results.File(samples.ToPngGrid(), "image/png"),
                _ => Results.Ok(SampleResponse.From(samples)),
            };
        }
    }

    /// <summary>Rows of a tabular model: count and seed as for the other models, <c>where</c> read against its schema,
    /// JSON objects or CSV. The diffusion settings do not apply and are refused.</summary>
    private static IResult PostTableSamples(
        string name, SampleRequest request, HttpRequest http, ITableModelRegistry tables, ITableDataGenerator generator, CancellationToken cancellationToken)
    {
        var descriptor = tables.Describe(name);
        if (request.Count is not { } count)
        {
            return BadRequest("Missing count", "'count' is required: the number of rows, from 1 to " + descriptor.MaxCount + ".");
        }

        if (count < 1 || count > descriptor.MaxCount)
        {
            return BadRequest("Count out of range",
                $"'count' must be between 1 and {descriptor.MaxCount} for model '{descriptor.Name}', but is {count}.");
        }

        if (!OutputFormats.TryParse(request.Format, out var format))
        {
            return BadRequest("Unknown format", $"'format' is '{request.Format}'; use one of {OutputFormats.Describe(OutputFormats.All)}.");
        }

        if (format == OutputFormat.Png)
        {
            return BadRequest("Format does not fit the model",
                $"Model '{descriptor.Name}' makes table rows; 'png' does not fit them. Use one of {OutputFormats.Describe(OutputFormats.For(SampleKind.Table))}.");
        }

        string? setting = request.Steps is not null ? "steps" : request.Sampler is not null ? "sampler" : request.Eta is not null ? "eta"
            : request.GuidanceScale is not null ? "guidanceScale" : request.ClassLabel is not null ? "classLabel" : null;
        if (setting is not null)
        {
            return BadRequest("Invalid sampling settings",
                $"'{setting}' does not apply to tabular model '{descriptor.Name}' ({descriptor.Synthesizer}); it takes 'count', 'seed', 'where' and 'format'.");
        }

        GeneratedTable result;
        try
        {
            var condition = TableSamples.ParseWhere(request.Where, descriptor.Schema);
            result = generator.Generate(descriptor.Name, new TableGenerationRequest(count) { Seed = request.Seed, Where = condition }, cancellationToken);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            return BadRequest("Invalid sampling settings", FirstLine(ex.Message));
        }
        catch (ArgumentException ex)
        {
            return BadRequest("Invalid condition", FirstLine(ex.Message));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Results.Empty;
        }

        http.HttpContext.Response.Headers[SeedHeader] = result.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return format == OutputFormat.Csv
            ? Results.Text(result.Rows.ToCsv(), "text/csv", Encoding.UTF8)
            : Results.Json(TableSamples.ToJson(result));
    }

    private static IResult UnknownModel(string name, IGenerativeModelRegistry registry, ITableModelRegistry tables)
    {
        var names = registry.Names.Concat(tables.Names).ToList();
        return Results.Problem(
            statusCode: StatusCodes.Status404NotFound,
            title: "Unknown model",
            detail: names.Count == 0
                ? $"No model is named '{name}'; no models are registered."
                : $"No model is named '{name}'. Models: {string.Join(", ", names)}.");
    }

    private static IResult BadRequest(string title, string detail) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, detail: detail);

    // ArgumentException appends " (Parameter 'x')" and the actual value on new lines; keep the sentence.
    private static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\r', '\n']);
        string line = end < 0 ? message : message[..end];
        int parameter = line.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return parameter < 0 ? line : line[..parameter];
    }

    private static Task WriteHealthAsync(HttpContext context, Microsoft.Extensions.Diagnostics.HealthChecks.HealthReport report)
    {
        var entry = report.Entries.Values.FirstOrDefault();
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            description = entry.Description,
            models = entry.Data?.TryGetValue("models", out var models) == true ? models : 0,
        });
    }
}
