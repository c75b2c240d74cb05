using Generative.Extensions.DependencyInjection.Tests;
using Generative.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Generative.SyntheticDataService.Tests;

/// <summary>
/// The service, started in-process on a free loopback port (Kestrel picks it: port 0), with three fake models
/// registered from code: a table ("wine"), 2-D points ("moons", a GAN) and 4×4 grey images ("digits").
/// </summary>
public sealed class ServiceFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public HttpClient Client { get; private set; } = null!;

    public Uri Address { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _app = SyntheticDataServiceApp.Build(
            [
                "--urls=http://127.0.0.1:0",
                "--SyntheticDataService:ReadyModel:Enabled=false",
                "--Logging:LogLevel:Default=Warning",
            ],
            builder => builder.Services.AddGenerative()
                .AddModel("wine", _ => FakeGenerativeModel.Table(), o => { o.Sampler = "ddim"; o.Steps = 20; o.MaxCount = 50; })
                .AddModel("moons", _ => FakeGenerativeModel.Points())
                .AddModel("digits", _ => FakeGenerativeModel.Images(), o => { o.ImageMinimum = -3; o.ImageMaximum = 3; o.MaxCount = 64; }));
        await _app.StartAsync();
        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Address = new Uri(address);
        Client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(2) };
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ServiceCollection : ICollectionFixture<ServiceFixture>
{
    public const string Name = "Synthetic-data service";
}
