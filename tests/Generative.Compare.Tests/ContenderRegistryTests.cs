using Generative.Comparison;

namespace Generative.Compare.Tests;

/// <summary>Contenders by name: the built-ins and anyone's, through the same registry and the plugin entry point.</summary>
public sealed class ContenderRegistryTests
{
    [Fact]
    public void The_built_ins_are_registered_like_anyone_else()
    {
        ContenderRegistry.Default.Keys.Should().Contain(["gan", "wgan-gp", "wgan-gp-sn", "diffusion", "ddpm", "flow", "flow-reflow", "flow-ot", "ddgan", "ddgan-4", "ddgan-2", "pacgan1", "pacgan2", "pacgan3", "pacgan4", "gan-cosine", "wgan-gp-cosine", "gan-pack2", "gan-pack4"]);
        var made = ContenderRegistry.Default.Create(["WGAN-GP", " diffusion "]);
        made.Select(c => c.Name).Should().Equal("wgan-gp", "diffusion");
        made[0].Family.Should().Be(ModelFamily.Gan);
        ContenderRegistry.Default.Create(["gan"])[0].Should().NotBeSameAs(ContenderRegistry.Default.Create(["gan"])[0], "every run gets a fresh contender");
    }

    [Fact]
    public void A_local_registry_adds_to_the_default_without_changing_it()
    {
        var local = new ContenderRegistry(ContenderRegistry.Default);
        local.Add("tiny-gan", () => GanContender.Vanilla("tiny-gan"));

        local.Create(["tiny-gan", "gan"]).Select(c => c.Name).Should().Equal("tiny-gan", "gan");
        ContenderRegistry.Default.Contains("tiny-gan").Should().BeFalse();
        var taken = () => local.Add("GAN", () => GanContender.Vanilla());
        taken.Should().Throw<ArgumentException>().WithMessage("*'GAN' is already registered*");
        var unknown = () => local.Create(["vae"]);
        unknown.Should().Throw<ArgumentException>().WithMessage("No comparison contender is registered under the name 'vae'; registered: ddgan, ddgan-2, ddgan-4, ddpm, diffusion, diffusion-ddim10, diffusion-ddim50, flow, flow-ot, flow-reflow, gan, gan-cosine, gan-pack2, gan-pack4, pacgan1, pacgan2, pacgan3, pacgan4, tiny-gan, wgan-gp, wgan-gp-cosine, wgan-gp-sn. Register one with*");
    }

    [Fact]
    public void A_plugin_assembly_registers_once_per_process()
    {
        int before = TestPlugin.Calls;
        var first = GenerativePlugins.Register(typeof(TestPlugin).Assembly);
        var second = GenerativePlugins.Register(typeof(TestPlugin).Assembly);

        (first.Count + second.Count).Should().BeLessThanOrEqualTo(1, "another test may have registered it already");
        TestPlugin.Calls.Should().Be(Math.Max(before, 1));
        ContenderRegistry.Default.Create(["plugin-test-gan"])[0].Name.Should().Be("plugin-test-gan");
    }

    [Fact]
    public void An_assembly_without_a_plugin_or_a_missing_file_is_a_clear_error()
    {
        var none = () => GenerativePlugins.Register(typeof(ContenderRegistry).Assembly);
        none.Should().Throw<InvalidOperationException>().WithMessage("The assembly 'Generative.Comparison' has no public class implementing IGenerativePlugin*");
        var missing = () => GenerativePlugins.LoadFrom("no-such-plugin.dll");
        missing.Should().Throw<FileNotFoundException>().WithMessage("The plugin assembly '*no-such-plugin.dll' does not exist.");
    }
}

/// <summary>The entry point the plugin test finds in this assembly.</summary>
public sealed class TestPlugin : IGenerativePlugin
{
    private static int _calls;

    public static int Calls => Volatile.Read(ref _calls);

    public void Register()
    {
        Interlocked.Increment(ref _calls);
        if (!ContenderRegistry.Default.Contains("plugin-test-gan"))
        {
            ContenderRegistry.Default.Add("plugin-test-gan", () => GanContender.Vanilla("plugin-test-gan"));
        }
    }
}
