using System.Net;
using System.Text;
using System.Text.Json;
using Generative.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using TorchSharp;

namespace Generative.SyntheticDataService.Tests;

/// <summary>A diverged model's NaN and ∞ are served as such (JSON strings, CSV words), not turned into a 500.</summary>
public sealed class NonFiniteSampleTests
{
    [Fact]
    public async Task Nan_and_infinity_are_served_in_json_and_csv()
    {
        await using var app = SyntheticDataServiceApp.Build(
            ["--urls=http://127.0.0.1:0", "--SyntheticDataService:ReadyModel:Enabled=false", "--Logging:LogLevel:Default=Warning"],
            builder => builder.Services.AddGenerative().AddModel("diverged", _ => new DivergedModel()));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var client = new HttpClient { BaseAddress = new Uri(address) };

        var json = await client.PostAsync("/models/diverged/samples", new StringContent("""{ "count": 2 }""", Encoding.UTF8, "application/json"));
        string jsonText = await json.Content.ReadAsStringAsync();
        json.StatusCode.Should().Be(HttpStatusCode.OK, jsonText);
        JsonDocument.Parse(jsonText).RootElement.GetProperty("rows")[0].EnumerateArray().Select(e => e.ToString())
            .Should().Equal("NaN", "Infinity", "-Infinity");

        var csv = await client.PostAsync("/models/diverged/samples", new StringContent("""{ "count": 1, "format": "csv" }""", Encoding.UTF8, "application/json"));
        csv.StatusCode.Should().Be(HttpStatusCode.OK);
        (await csv.Content.ReadAsStringAsync()).Should().Be("x0,x1,x2\r\nNaN,Infinity,-Infinity\r\n");
        await app.StopAsync();
    }

    private sealed class DivergedModel : IGenerativeModel
    {
        public ModelFamily Family => ModelFamily.Gan;

        public TensorShape SampleShape { get; } = new(3);

        public int ClassCount => 0;

        public IReadOnlyList<string>? FeatureNames => null;

        public torch.Tensor Sample(int count, torch.Generator? generator = null, SamplingOptions? options = null, CancellationToken cancellationToken = default)
        {
            float[] row = [float.NaN, float.PositiveInfinity, float.NegativeInfinity];
            return torch.tensor(Enumerable.Repeat(row, count).SelectMany(r => r).ToArray(), [count, 3]);
        }

        public IEnumerable<torch.Tensor> SampleBatches(int count, torch.Generator? generator = null, SamplingOptions? options = null, CancellationToken cancellationToken = default) =>
            [Sample(count, generator, options, cancellationToken)];

        public void Dispose()
        {
        }
    }
}
