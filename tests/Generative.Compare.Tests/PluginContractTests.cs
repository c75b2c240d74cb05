using Generative.Samples.PluginExample;
using Generative.Testing;

namespace Generative.Compare.Tests;

/// <summary>The plugin example's network keeps the contract every denoiser keeps (Generative.Testing).</summary>
public sealed class PluginContractTests
{
    [Fact]
    public void The_plugin_denoiser_keeps_the_network_contract() =>
        NetworkContract.VerifyDenoiser(generator => new ExampleDenoiser(2, 16, generator));
}
