using Generative.Hosting;

namespace Generative.SyntheticDataService;

/// <summary>The body of <c>POST /models/{name}/samples</c>. Unknown properties are rejected.</summary>
/// <param name="Count">How many samples, from 1 to the model's maximum. Required.</param>
/// <param name="Seed">The random seed (≥ 0); omitted → a random one, returned in the response.</param>
/// <param name="Steps">Overrides the model's configured number of denoising steps (diffusion).</param>
/// <param name="Format"><c>json</c> (default), <c>csv</c> (tables and vectors) or <c>png</c> (images).</param>
/// <param name="Sampler">Overrides the configured sampler (diffusion): <c>ddpm</c>, <c>ddim</c> or a name the host registered with
/// <c>AddGenerative().AddSampler(name, factory)</c>; validated by <see cref="Generative.SamplingOptions.Validate"/> rules and the container's registry.</param>
/// <param name="Eta">Overrides the configured η in [0, 1] (DDIM).</param>
/// <param name="GuidanceScale">Overrides the configured guidance scale (conditional diffusion).</param>
/// <param name="ClassLabel">Draws every sample from this class (conditional models).</param>
/// <param name="Where">Tabular models only: what every row must satisfy, <c>{"column": value | [values] | {"min": a, "max": b}}</c>
/// (see <see cref="TableSamples.ParseWhere"/>).</param>
internal sealed record SampleRequest(
    int? Count,
    long? Seed = null,
    int? Steps = null,
    string? Format = null,
    string? Sampler = null,
    double? Eta = null,
    double? GuidanceScale = null,
    int? ClassLabel = null,
    IReadOnlyDictionary<string, System.Text.Json.JsonElement>? Where = null);

/// <summary>The JSON answer of <c>POST /models/{name}/samples</c>: rows (samples of rank above 1 flattened row-major) with column names.</summary>
internal sealed record SampleResponse(
    string Model,
    long Seed,
    int Count,
    IReadOnlyList<long> SampleShape,
    IReadOnlyList<string> Columns,
    float[][] Rows,
    SamplingSettings Settings)
{
    public static SampleResponse From(GeneratedSamples samples)
    {
        var table = samples.ToTable();
        return new SampleResponse(
            samples.ModelName, samples.Seed, samples.Count, samples.SampleShape.Dimensions, table.Columns, table.ToRows(),
            SamplingSettings.From(samples.Options));
    }
}

/// <summary>Sampling settings as served (unset members are the model's own defaults and omitted).</summary>
internal sealed record SamplingSettings(string? Sampler, int? Steps, double? Eta, double? GuidanceScale, int? BatchSize)
{
    public static SamplingSettings From(SamplingOptions options) =>
        new(options.Sampler, options.Steps, options.Eta, options.GuidanceScale, options.BatchSize);
}

/// <summary>One entry of <c>GET /models</c>.</summary>
internal sealed record ModelInfo(
    string Name,
    ModelFamily Family,
    SampleKind Kind,
    IReadOnlyList<long> SampleShape,
    IReadOnlyList<string>? FeatureNames,
    int ClassCount,
    SamplingSettings Defaults,
    int MaxCount,
    IReadOnlyList<string> Formats)
{
    public static ModelInfo From(GenerativeModelDescriptor d) =>
        new(d.Name, d.Family, d.Kind, d.SampleShape.Dimensions, d.FeatureNames, d.ClassCount, SamplingSettings.From(d.Defaults),
            d.MaxCount, [.. OutputFormats.For(d.Kind).Select(OutputFormats.Name)]);
}

/// <summary>Response formats.</summary>
internal enum OutputFormat
{
    Json,
    Csv,
    Png,
}

/// <summary>Which formats fit which samples, and their names.</summary>
internal static class OutputFormats
{
    public static readonly IReadOnlyList<OutputFormat> All = [OutputFormat.Json, OutputFormat.Csv, OutputFormat.Png];

    public static IReadOnlyList<OutputFormat> For(SampleKind kind) => kind switch
    {
        SampleKind.Table or SampleKind.Vector => [OutputFormat.Json, OutputFormat.Csv],
        SampleKind.Image => [OutputFormat.Json, OutputFormat.Png],
        _ => [OutputFormat.Json],
    };

    public static bool TryParse(string? text, out OutputFormat format)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "" or "json":
                format = OutputFormat.Json;
                return true;
            case "csv":
                format = OutputFormat.Csv;
                return true;
            case "png":
                format = OutputFormat.Png;
                return true;
            default:
                format = default;
                return false;
        }
    }

    public static string Name(OutputFormat format) => format.ToString().ToLowerInvariant();

    public static string Describe(IEnumerable<OutputFormat> formats) => string.Join(", ", formats.Select(f => $"'{Name(f)}'"));
}
