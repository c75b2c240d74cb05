using Generative.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Diffusion;

/// <summary>The same generator seed builds the same network; another seed a different one.</summary>
public class DenoiserInitializationTests
{
    [Fact]
    public void Mlp_denoiser_weights_come_from_the_generator()
    {
        using var a = new MlpDenoiser(2, new MlpDenoiserOptions { Width = 32, Depth = 2, TimeEmbeddingDimension = 16, ClassCount = 3 }, new Generator(5));
        using var b = new MlpDenoiser(2, new MlpDenoiserOptions { Width = 32, Depth = 2, TimeEmbeddingDimension = 16, ClassCount = 3 }, new Generator(5));
        using var c = new MlpDenoiser(2, new MlpDenoiserOptions { Width = 32, Depth = 2, TimeEmbeddingDimension = 16, ClassCount = 3 }, new Generator(6));
        AssertSameWeights(a, b, c);
        a.state_dict()["output.weight"].abs().sum().item<float>().Should().Be(0f, "the output layer starts at zero");
    }

    [Fact]
    public void Unet_denoiser_weights_come_from_the_generator()
    {
        var options = new UNetDenoiserOptions { BaseChannels = 8, ChannelMultipliers = [1, 2], GroupCount = 4 };
        using var a = new UNetDenoiser(1, 8, 8, options, new Generator(5));
        using var b = new UNetDenoiser(1, 8, 8, options, new Generator(5));
        using var c = new UNetDenoiser(1, 8, 8, options, new Generator(6));
        AssertSameWeights(a, b, c);
    }

    private static void AssertSameWeights(nn.Module a, nn.Module b, nn.Module other)
    {
        var sa = a.state_dict();
        var sb = b.state_dict();
        var sc = other.state_dict();
        bool anyDifferent = false;
        foreach (var (name, tensor) in sa)
        {
            tensor.equal(sb[name]).all().item<bool>().Should().BeTrue($"{name} is drawn from the same seed");
            anyDifferent |= !tensor.equal(sc[name]).all().item<bool>();
        }

        anyDifferent.Should().BeTrue("another seed draws other weights");
    }
}
