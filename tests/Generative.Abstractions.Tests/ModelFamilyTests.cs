using System.Text.Json;

namespace Generative.Abstractions.Tests;

public class ModelFamilyTests
{
    [Fact]
    public void A_family_is_an_open_key_compared_ignoring_case()
    {
        ModelFamily.Diffusion.Key.Should().Be("diffusion");
        ModelFamily.Gan.Key.Should().Be("gan");
        var flow = new ModelFamily(" Flow ");
        flow.Key.Should().Be("Flow");
        flow.ToString().Should().Be("Flow");
        (flow == new ModelFamily("flow")).Should().BeTrue();
        flow.GetHashCode().Should().Be(new ModelFamily("FLOW").GetHashCode());
        (flow != ModelFamily.Diffusion).Should().BeTrue();
        new ModelFamily("GAN").Should().Be(ModelFamily.Gan);
        default(ModelFamily).Key.Should().BeEmpty();
        default(ModelFamily).Should().NotBe(ModelFamily.Gan);
        FluentActions.Invoking(() => new ModelFamily(" ")).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void A_family_is_written_to_json_as_its_key()
    {
        JsonSerializer.Serialize(new { family = ModelFamily.Gan, other = new ModelFamily("flow") }).Should().Be("""{"family":"gan","other":"flow"}""");
        JsonSerializer.Deserialize<ModelFamily>("\"diffusion\"").Should().Be(ModelFamily.Diffusion);
        FluentActions.Invoking(() => JsonSerializer.Deserialize<ModelFamily>("1")).Should().Throw<JsonException>().WithMessage("*non-empty JSON string*");
    }
}
