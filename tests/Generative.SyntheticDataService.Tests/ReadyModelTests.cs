using System.Net;
using System.Text;
using System.Text.Json;
using Generative.Extensions.DependencyInjection.Tests;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Generative.SyntheticDataService.Tests;

/// <summary>The ready model: trained from the wine table on first start (a few steps here), saved, loaded by the default
/// loader and served; on the second start the saved checkpoint is reused.</summary>
public sealed class ReadyModelTests
{
    [Fact]
    public async Task The_wine_model_is_trained_on_first_start_and_served_with_its_thirteen_columns()
    {
        using var directory = new TempCheckpoint(withConfig: false);
        string checkpoint = Path.Combine(directory.Path, "wine");
        string[] args =
        [
            "--urls=http://127.0.0.1:0",
            $"--SyntheticDataService:ReadyModel:Path={checkpoint}",
            "--SyntheticDataService:ReadyModel:TrainingSteps=20",
            "--Logging:LogLevel:Default=Warning",
        ];

        for (int start = 0; start < 2; start++)
        {
            DateTime written = File.Exists(Path.Combine(checkpoint, "config.json")) ? File.GetLastWriteTimeUtc(Path.Combine(checkpoint, "config.json")) : default;
            await using var app = SyntheticDataServiceApp.Build(args);
            await app.StartAsync();
            File.Exists(Path.Combine(checkpoint, "config.json")).Should().BeTrue();
            if (start == 1)
            {
                File.GetLastWriteTimeUtc(Path.Combine(checkpoint, "config.json")).Should().Be(written, "the second start reuses the checkpoint");
            }

            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            using var models = JsonDocument.Parse(await client.GetStringAsync("/models"));
            var wine = models.RootElement.EnumerateArray().Should().ContainSingle().Which;
            wine.GetProperty("name").GetString().Should().Be("wine");
            wine.GetProperty("family").GetString().Should().Be("diffusion");
            wine.GetProperty("featureNames").GetArrayLength().Should().Be(13);

            var response = await client.PostAsync("/models/wine/samples", new StringContent("""{ "count": 3, "seed": 1, "steps": 5, "format": "csv" }""", Encoding.UTF8, "application/json"));
            string csv = await response.Content.ReadAsStringAsync();
            response.StatusCode.Should().Be(HttpStatusCode.OK, csv);
            csv.Should().StartWith("alcohol,");
            csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(4);
            await app.StopAsync();
        }
    }
}
