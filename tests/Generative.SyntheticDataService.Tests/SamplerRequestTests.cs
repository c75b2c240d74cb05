using System.Net;
using System.Text;
using System.Text.Json;
using Generative.Data;
using Generative.Diffusion;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.SyntheticDataService.Tests;

/// <summary>
/// <c>POST /models/{name}/samples</c> with <c>"sampler": "&lt;registered name&gt;"</c>: a sampler registered by the host
/// application (<c>AddSampler</c>) samples a real diffusion model through the library's loop.
/// </summary>
public sealed class SamplerRequestTests : IAsyncLifetime
{
    private WebApplication? _app;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = SyntheticDataServiceApp.Build(
            ["--urls=http://127.0.0.1:0", "--SyntheticDataService:ReadyModel:Enabled=false", "--Logging:LogLevel:Default=Warning"],
            builder => builder.Services.AddGenerative()
                .AddModel("points", _ => new DiffusionModel(
                    new MlpDenoiser(2, new MlpDenoiserOptions { Width = 16, Depth = 1, TimeEmbeddingDimension = 8 }, new Generator(1)),
                    new NoiseSchedule(new NoiseScheduleOptions { TrainTimesteps = 50 }),
                    new DiffusionModelOptions { Steps = 5 },
                    standardization: new DataStandardization([3, -1], [2, 0.5], ["x", "y"])))
                .AddSampler("half", context => new ConstantSampler(context.Schedule, 0.5)));
        await _app.StartAsync();
        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(2) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Post(string body)
    {
        using var response = await _client.PostAsync("/models/points/samples", new StringContent(body, Encoding.UTF8, "application/json"));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, json.RootElement.Clone());
    }

    [Fact]
    public async Task A_registered_sampler_named_in_the_request_draws_the_samples()
    {
        var (status, body) = await Post("""{ "count": 3, "seed": 4, "sampler": "half" }""");
        status.Should().Be(HttpStatusCode.OK, body.ToString());
        body.GetProperty("settings").GetProperty("sampler").GetString().Should().Be("half");
        // 0.5 in standardised units, back in data units: mean + 0.5·std = (3 + 1, −1 + 0.25).
        var rows = body.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        rows.Should().HaveCount(3).And.OnlyContain(r => r.SequenceEqual(new[] { 4f, -0.75f }));

        // The built-in sampler still draws different (noisy) samples from the same model.
        var (ddimStatus, ddim) = await Post("""{ "count": 3, "seed": 4, "sampler": "ddim" }""");
        ddimStatus.Should().Be(HttpStatusCode.OK);
        ddim.GetProperty("rows")[0][0].GetSingle().Should().NotBe(4f);
    }

    [Fact]
    public async Task An_unregistered_sampler_is_a_bad_request_naming_the_registered_ones()
    {
        // (A plugin test in this process may have added "euler" to the process-wide registry: a name nobody registers.)
        var (status, body) = await Post("""{ "count": 3, "sampler": "plms" }""");
        status.Should().Be(HttpStatusCode.BadRequest);
        body.GetProperty("detail").GetString().Should().MatchRegex(@"^Sampler 'plms' is unknown; known samplers: ddim, ddpm, (euler, )?half\.");
    }

    /// <summary>One step at timestep 0 that returns <c>value</c> everywhere: trivially checkable samples.</summary>
    private sealed class ConstantSampler(INoiseSchedule schedule, double value) : ISampler
    {
        private long[] _timesteps = [];

        public INoiseSchedule Schedule { get; } = schedule;

        public IReadOnlyList<long> Timesteps => _timesteps;

        public double InitNoiseSigma => 1.0;

        public void SetTimesteps(int inferenceSteps) => _timesteps = [0];

        public Tensor ScaleModelInput(Tensor sample, long timestep) => sample;

        public SamplerStepOutput Step(Tensor modelOutput, long timestep, Tensor sample, Generator? generator = null) =>
            new(torch.full_like(sample, value), null);
    }
}
