using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Generative.Hosting;

namespace Generative.SyntheticDataService;

/// <summary>Builds the web application: configuration, the Generative models, problem details and the endpoints.</summary>
public static class SyntheticDataServiceApp
{
    /// <summary>Builds the application without starting it.</summary>
    /// <param name="args">Command-line arguments (configuration overrides such as <c>--urls=http://127.0.0.1:0</c>).</param>
    /// <param name="configure">Last-minute changes to the builder before it is built (tests register models from code here).</param>
    /// <returns>The application; the caller starts and disposes it.</returns>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // appsettings.json and the models directory live beside the binaries, wherever `dotnet run` is started from.
            ContentRootPath = AppContext.BaseDirectory,
        });

        // Loopback only unless configured otherwise ("Urls" in appsettings.json, --urls, ASPNETCORE_URLS).
        if (string.IsNullOrEmpty(builder.Configuration["Urls"]))
        {
            builder.WebHost.UseUrls("http://127.0.0.1:5080");
        }

        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(options => Configure(options.SerializerOptions));
        builder.Services.AddHealthChecks().AddCheck<ModelsHealthCheck>("models");
        AddSamplingLimiter(builder);
        ApplyNativeMemoryPolicy(builder.Configuration.GetSection("SyntheticDataService:NativeMemory"));
        LoadPlugins(builder.Configuration.GetSection("SyntheticDataService:Plugins"));

        var generative = builder.Services.AddGenerative()
            .AddModelsFromConfiguration(builder.Configuration.GetSection("Generative:Models"))
            .AddTableModelsFromConfiguration(builder.Configuration.GetSection("Generative:Tables"));
        var readyModel = ReadyModel.Register(builder, generative);

        configure?.Invoke(builder);

        var app = builder.Build();
        readyModel.Log(app.Logger);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRateLimiter();
        app.MapSyntheticDataEndpoints();
        return app;
    }

    /// <summary>
    /// Loads the extension assemblies listed in "SyntheticDataService:Plugins" (paths, relative to the binaries' folder)
    /// before any model is built, so that their samplers (and families) can be named in configuration and requests:
    /// <c>"Plugins": ["plugins/Generative.PluginExample.dll"]</c> lets a request say <c>"sampler": "euler"</c>.
    /// </summary>
    private static void LoadPlugins(IConfigurationSection section)
    {
        foreach (string? path in section.GetChildren().Select(c => c.Value))
        {
            if (!string.IsNullOrWhiteSpace(path))
            {
                GenerativePlugins.LoadFrom(Path.IsPathRooted(path) ? path : Path.Combine(AppContext.BaseDirectory, path));
            }
        }
    }

    /// <summary>
    /// Bounds the sampling requests that run at once ("SyntheticDataService:MaxConcurrentSampling", default: the number
    /// of processors) and those that wait ("SyntheticDataService:MaxQueuedSampling", default 1000); beyond that a
    /// request gets 429 with a problem-details body. Sampling is CPU-bound: running more at once only thrashes.
    /// </summary>
    private static void AddSamplingLimiter(WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("SyntheticDataService");
        int permits = Math.Max(1, section.GetValue("MaxConcurrentSampling", Environment.ProcessorCount));
        int queue = Math.Max(0, section.GetValue("MaxQueuedSampling", 1000));
        builder.Services.AddRateLimiter(options =>
        {
            options.AddConcurrencyLimiter(SyntheticDataEndpoints.SamplingLimiter, limiter =>
            {
                limiter.PermitLimit = permits;
                limiter.QueueLimit = queue;
                limiter.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, cancellationToken) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "1";
                return new ValueTask(Results.Problem(
                        statusCode: StatusCodes.Status429TooManyRequests,
                        title: "Too many sampling requests",
                        detail: $"{permits} sampling requests are running and {queue} are waiting; retry later.")
                    .ExecuteAsync(context.HttpContext));
            };
        });
    }

    /// <summary>
    /// Opts the process in to the library's memory policy (off by default; <see cref="NativeMemoryPolicy"/>):
    /// "SyntheticDataService:NativeMemory:IdleTrimSeconds" (default 2: the heap is trimmed once sampling has paused that
    /// long, which costs a burst of requests nothing; empty never), "SamplingTrimIntervalSeconds" (default empty, never:
    /// a trim at most once per interval while sampling, 0 after every batch) and "CollectEveryTrainingSteps" (default
    /// 1000, for the ready model's training; 0 never collects). Invalid values stop the start-up with a message naming
    /// the setting.
    /// </summary>
    private static void ApplyNativeMemoryPolicy(IConfigurationSection section)
    {
        NativeMemoryPolicy.Current = new NativeMemoryPolicy
        {
            IdleTrimDelay = Seconds(section, "IdleTrimSeconds", TimeSpan.FromSeconds(2), "more than 0"),
            SamplingTrimInterval = Seconds(section, "SamplingTrimIntervalSeconds", null, "0 = after every batch"),
            CollectEveryTrainingSteps = section.GetValue("CollectEveryTrainingSteps", 1000),
        };
    }

    // A number of seconds from the configuration; absent: the default; an empty value: never (null).
    private static TimeSpan? Seconds(IConfigurationSection section, string key, TimeSpan? absent, string hint)
    {
        string? seconds = section[key];
        if (seconds is null)
        {
            return absent;
        }

        return seconds.Length == 0 ? null
            : double.TryParse(seconds, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
                ? TimeSpan.FromSeconds(value)
                : throw new InvalidOperationException($"SyntheticDataService:NativeMemory:{key} is '{seconds}'; use a number of seconds ({hint}) or an empty value (never).");
    }

    /// <summary>The JSON settings of requests and responses: camelCase, enums as strings, NaN and infinities as
    /// strings (a diverged model must not turn into a 500), unknown request properties rejected.</summary>
    internal static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = true;
        options.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
    }
}
