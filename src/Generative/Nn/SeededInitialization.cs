using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.Nn;

/// <summary>Draws a network's initial weights from a <see cref="Generator"/>, so that the same seed builds the same network.</summary>
internal static class SeededInitialization
{
    /// <summary>
    /// Redraws every Linear, Conv2d, ConvTranspose2d and Embedding weight of <paramref name="module"/> from
    /// <paramref name="generator"/> with PyTorch's default distributions (weights and biases
    /// U(−1/√fan_in, 1/√fan_in), i.e. kaiming_uniform with a = √5; embeddings N(0, 1)), so that the same seed builds
    /// the same network.
    /// </summary>
    public static void Apply(nn.Module module, Generator? generator)
    {
        if (generator is null)
        {
            return;
        }

        using var noGrad = no_grad();
        foreach (var (_, m) in module.named_modules())
        {
            switch (m)
            {
                case Linear linear:
                    ResetUniform(linear.weight, linear.bias, generator);
                    break;
                case Conv2d conv:
                    ResetUniform(conv.weight, conv.bias, generator);
                    break;
                case ConvTranspose2d deconv:
                    ResetUniform(deconv.weight, deconv.bias, generator);
                    break;
                case Embedding embedding:
                    embedding.weight!.normal_(0, 1, generator);
                    break;
            }
        }
    }

    /// <summary>
    /// Redraws every Linear, Conv2d and ConvTranspose2d weight of <paramref name="module"/> from N(0, σ²) and sets their
    /// biases to 0 (DCGAN's and PacGAN's initialisation, σ = 0.02), drawing from <paramref name="generator"/> (the global
    /// generator when <see langword="null"/>) in the order of <c>named_modules</c>; embeddings and normalisation layers
    /// are left as they are.
    /// </summary>
    public static void ApplyNormal(nn.Module module, double standardDeviation, Generator? generator)
    {
        using var noGrad = no_grad();
        foreach (var (_, m) in module.named_modules())
        {
            var (weight, bias) = m switch
            {
                Linear linear => (linear.weight, linear.bias),
                Conv2d conv => (conv.weight, conv.bias),
                ConvTranspose2d deconv => (deconv.weight, deconv.bias),
                _ => ((Tensor?)null, (Tensor?)null),
            };
            weight?.normal_(0, standardDeviation, generator);
            bias?.zero_();
        }
    }

    /// <summary>Applies <see cref="ApplyNormal"/> when <paramref name="standardDeviation"/> is set, else PyTorch's default distributions (<see cref="Apply(nn.Module, Generator?)"/>).</summary>
    public static void Apply(nn.Module module, double? standardDeviation, Generator? generator)
    {
        if (standardDeviation is double sigma)
        {
            ApplyNormal(module, sigma, generator);
        }
        else
        {
            Apply(module, generator);
        }
    }

    private static void ResetUniform(Tensor weight, Tensor? bias, Generator generator)
    {
        var (fanIn, _) = nn.init.CalculateFanInAndFanOut(weight);
        double bound = fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0;
        // Tensor.uniform_ honours the generator; TorchSharp 0.107's nn.init.uniform_/normal_ ignore theirs.
        weight.uniform_(-bound, bound, generator);
        bias?.uniform_(-bound, bound, generator);
    }
}
