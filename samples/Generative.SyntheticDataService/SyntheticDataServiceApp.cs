using System.Text.Json;
using System.Text.Json.Serialization;
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

        var generative = builder.Services.AddGenerative()
            .AddModelsFromConfiguration(builder.Configuration.GetSection("Generative:Models"));
        var readyModel = ReadyModel.Register(builder, generative);

        configure?.Invoke(builder);

        var app = builder.Build();
        readyModel.Log(app.Logger);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapSyntheticDataEndpoints();
        return app;
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
