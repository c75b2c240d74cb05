using Generative.Data.BuiltIn;
using Generative.Tabular;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using TorchSharp;

namespace Generative.SyntheticDataService.Tests;

/// <summary>
/// The service on a free loopback port serving one tabular model, <c>penguins</c>: a Gaussian copula fitted on the
/// built-in penguins (seed 0), saved to a folder and registered by that folder, so it is loaded through the tabular
/// synthesizer registry as a deployed model would be. <see cref="Directory"/> is the folder (tests load it themselves
/// to compute the expected rows).
/// </summary>
public sealed class TableServiceFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public HttpClient Client { get; private set; } = null!;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "generative-table-service-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        using (var generator = new torch.Generator(0))
        {
            GaussianCopula.Fit(Tables.LoadPenguins(), generator).Save(Directory);
        }

        _app = SyntheticDataServiceApp.Build(
            [
                "--urls=http://127.0.0.1:0",
                "--SyntheticDataService:ReadyModel:Enabled=false",
                "--Logging:LogLevel:Default=Warning",
                $"--Generative:Tables:penguins:Path={Directory}",
                "--Generative:Tables:penguins:MaxCount=2000",
            ]);
        await _app.StartAsync();
        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(2) };
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class TableServiceCollection : ICollectionFixture<TableServiceFixture>
{
    public const string Name = "Synthetic-data service with a tabular model";
}
