using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Generative.Data;
using Generative.Diffusion;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using TorchSharp;

namespace Generative.SyntheticDataService.Tests;

/// <summary>
/// The service with the plugin example listed in "SyntheticDataService:Plugins" (an assembly neither src/ nor the service
/// references): a request naming the plugin's sampler, <c>"sampler": "euler"</c>, is sampled with it through the
/// library's loop — the same numbers as the model sampled by name in process.
/// </summary>
public sealed class PluginSamplerTests
{
    [Fact]
    public async Task A_request_samples_with_a_sampler_from_a_plugin_named_in_configuration()
    {
        string plugin = PluginPath();
        File.Exists(plugin).Should().BeTrue($"{plugin} is built by the solution before this project's tests (dotnet build Generative.sln)");
        DiffusionModel Model() => new(
            new MlpDenoiser(2, new MlpDenoiserOptions { Width = 16, Depth = 1, TimeEmbeddingDimension = 8 }, new torch.Generator(1)),
            new NoiseSchedule(new NoiseScheduleOptions { TrainTimesteps = 50 }),
            new DiffusionModelOptions { Steps = 5 },
            standardization: new DataStandardization([3, -1], [2, 0.5], ["x", "y"]));

        await using var app = SyntheticDataServiceApp.Build(
            ["--urls=http://127.0.0.1:0", "--SyntheticDataService:ReadyModel:Enabled=false", "--Logging:LogLevel:Default=Warning",
             "--SyntheticDataService:Plugins:0=" + plugin],
            builder => builder.Services.AddGenerative().AddModel("points", _ => Model()));
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(2) };

        using var response = await client.PostAsync("/models/points/samples",
            new StringContent("""{ "count": 4, "seed": 7, "sampler": "euler", "steps": 5 }""", Encoding.UTF8, "application/json"));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        response.StatusCode.Should().Be(HttpStatusCode.OK, json.RootElement.ToString());
        json.RootElement.GetProperty("settings").GetProperty("sampler").GetString().Should().Be("euler");
        float[] served = json.RootElement.GetProperty("rows").EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => v.GetSingle())).ToArray();

        // The same model sampled in process by the plugin's name, with the request's seed.
        SamplerRegistry.Default.Contains("euler").Should().BeTrue("the service loaded the plugin, which registered it");
        using var model = Model();
        using var expected = model.Sample(4, new torch.Generator(7), new SamplingOptions { Sampler = "euler", Steps = 5 });
        served.Should().Equal(expected.data<float>().ToArray());
        await app.StopAsync();
    }

    private static string PluginPath([CallerFilePath] string path = "")
    {
        string framework = new DirectoryInfo(AppContext.BaseDirectory).Name;
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        string root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
        return Path.Combine(root, "samples", "Generative.PluginExample", "bin", configuration, framework, "Generative.PluginExample.dll");
    }
}
