using System.Net;
using System.Text;
using System.Text.Json;
using Generative.Checkpoints;
using Generative.Data.BuiltIn;
using Generative.Diffusion;
using Generative.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using TorchSharp;

namespace Generative.SyntheticDataService.Tests;

/// <summary>
/// The other direction (docs/scaling.md §3): a model trained in PyTorch from scratch with python/train_ddp.py (no .NET
/// involved in training) is served by the unchanged service, configured by path only. Skipped without python3-torch.
/// </summary>
public sealed class PyTorchTrainedModelTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gen-torch-served-").FullName;

    [SkippableFact]
    public async Task A_model_trained_from_scratch_in_pytorch_is_served_unchanged()
    {
        Skip.IfNot(PyTorchPackage.HasTorchrun, PyTorchPackage.SkipReason);
        using (var moons = Mixtures.Moons(2048, new torch.Generator(0)))
        {
            SafeTensors.Save(Path.Combine(_dir, "moons.safetensors"), new Dictionary<string, torch.Tensor> { ["samples"] = moons.Samples });
        }

        string model = Path.Combine(_dir, "from-pytorch");
        var (code, stdout, stderr) = PyTorchPackage.Run(PyTorchPackage.Torchrun, "--standalone", "--redirects", "2", "--tee", "2", "--nproc_per_node=1",
            Path.Combine(PyTorchPackage.Folder, "train_ddp.py"), "--family", "diffusion", "--to", model, "--data", Path.Combine(_dir, "moons.safetensors"),
            "--steps", "400", "--batch-size", "128", "--width", "32", "--depth", "2");
        code.Should().Be(0, $"{stdout}\n{stderr}");

        await using var app = SyntheticDataServiceApp.Build(
            ["--urls=http://127.0.0.1:0", "--SyntheticDataService:ReadyModel:Enabled=false", "--Logging:LogLevel:Default=Warning",
             "--Generative:Models:torch:Path=" + model]);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(2) };
        using var response = await client.PostAsync("/models/torch/samples",
            new StringContent("""{ "count": 6, "seed": 5, "steps": 10 }""", Encoding.UTF8, "application/json"));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        response.StatusCode.Should().Be(HttpStatusCode.OK, json.RootElement.ToString());
        float[] served = json.RootElement.GetProperty("rows").EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => v.GetSingle())).ToArray();
        await app.StopAsync();

        // The same numbers as the model loaded in process (its EMA network, in the data's units).
        using var loaded = DiffusionModel.Load(model);
        using var expected = loaded.Sample(6, new torch.Generator(5), new SamplingOptions { Steps = 10 });
        served.Should().HaveCount(12).And.Equal(expected.data<float>().ToArray());
        served.Should().OnlyContain(v => float.IsFinite(v));
        served.Count(v => v > -3 && v < 3).Should().BeGreaterThanOrEqualTo(10, "moons lie within about [-1.5, 2.5]: the samples are in the data's units");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
