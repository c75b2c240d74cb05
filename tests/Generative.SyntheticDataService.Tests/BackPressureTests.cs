using System.Net;
using System.Text;
using System.Text.Json;
using Generative.Extensions.DependencyInjection.Tests;
using Generative.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using TorchSharp;

namespace Generative.SyntheticDataService.Tests;

/// <summary>With one sampling permit and no queue, a second request while the first samples gets 429, not a wait or a 500.</summary>
public sealed class BackPressureTests
{
    [Fact]
    public async Task Requests_beyond_the_sampling_limit_get_429_with_problem_details()
    {
        using var release = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        var slow = new GatedModel(started, release);
        await using var app = SyntheticDataServiceApp.Build(
            [
                "--urls=http://127.0.0.1:0",
                "--SyntheticDataService:ReadyModel:Enabled=false",
                "--SyntheticDataService:MaxConcurrentSampling=1",
                "--SyntheticDataService:MaxQueuedSampling=0",
                "--Logging:LogLevel:Default=Warning",
            ],
            builder => builder.Services.AddGenerative().AddModel("slow", _ => slow));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        StringContent Body() => new("""{ "count": 1, "seed": 1 }""", Encoding.UTF8, "application/json");

        var first = client.PostAsync("/models/slow/samples", Body());
        started.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue("the first request reaches the model");

        var second = await client.PostAsync("/models/slow/samples", Body());
        second.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        second.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString()
            .Should().Be("Too many sampling requests");
        (await client.GetAsync("/models")).StatusCode.Should().Be(HttpStatusCode.OK, "only sampling is limited");

        release.Set();
        (await first).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.PostAsync("/models/slow/samples", Body())).StatusCode.Should().Be(HttpStatusCode.OK, "the permit is returned");
        await app.StopAsync();
    }

    private sealed class GatedModel(ManualResetEventSlim started, ManualResetEventSlim release) : IGenerativeModel
    {
        private readonly FakeGenerativeModel _inner = FakeGenerativeModel.Points();

        public ModelFamily Family => _inner.Family;

        public TensorShape SampleShape => _inner.SampleShape;

        public int ClassCount => 0;

        public IReadOnlyList<string>? FeatureNames => null;

        public torch.Tensor Sample(int count, torch.Generator? generator = null, SamplingOptions? options = null, CancellationToken cancellationToken = default)
        {
            started.Set();
            release.Wait(TimeSpan.FromSeconds(60));
            return _inner.Sample(count, generator, options, cancellationToken);
        }

        public IEnumerable<torch.Tensor> SampleBatches(int count, torch.Generator? generator = null, SamplingOptions? options = null, CancellationToken cancellationToken = default) =>
            _inner.SampleBatches(count, generator, options, cancellationToken);

        public void Dispose() => _inner.Dispose();
    }
}
