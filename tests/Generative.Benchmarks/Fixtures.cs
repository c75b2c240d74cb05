using Generative.Data;
using Generative.Diffusion;
using Generative.Gan;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Benchmarks;

/// <summary>The workloads' networks and data, built the way the comparison builds them (seeded).</summary>
internal static class Fixtures
{
    public const int BatchSize = 256;
    public const int DataCount = 4096;

    /// <summary>The comparison's 2-D diffusion MLP: width 96, depth 3, 128-d time embedding.</summary>
    public static MlpDenoiser Mlp2D(ulong seed = 1)
    {
        using var init = new Generator(seed);
        return new MlpDenoiser(2, new MlpDenoiserOptions { Width = 96, Depth = 3, TimeEmbeddingDimension = 128 }, init);
    }

    /// <summary>The comparison's 8×8 digits UNet (default options, 10 classes).</summary>
    public static UNetDenoiser UNet8(ulong seed = 1)
    {
        using var init = new Generator(seed);
        return new UNetDenoiser(1, 8, 8, new UNetDenoiserOptions { ClassCount = 10 }, init);
    }

    public static MlpGenerator Generator2D(ulong seed = 1)
    {
        using var init = new Generator(seed);
        return new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), HiddenWidth = 64 }, init);
    }

    public static MlpCritic Critic2D(ulong seed = 2)
    {
        using var init = new Generator(seed);
        return new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2), HiddenWidth = 64 }, init);
    }

    /// <summary>A 2-D mixture of 8 Gaussians on a circle, <c>[4096, 2]</c> float32 (not in any dispose scope).</summary>
    public static Tensor Points2D()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(7);
        var angle = randint(0, 8, [DataCount], generator: g).to_type(ScalarType.Float32) * (float)(Math.PI / 4);
        var centres = stack([angle.cos(), angle.sin()], 1) * 2f;
        return (centres + (randn([DataCount, 2], generator: g) * 0.05f)).MoveToOuterDisposeScope().DetachFromDisposeScope();
    }

    /// <summary>Random 8×8 one-channel images in [−1, 1] with labels 0..9 (not in any dispose scope).</summary>
    public static (Tensor Images, Tensor Labels) Images8()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(8);
        var images = (rand([DataCount, 1, 8, 8], generator: g) * 2f) - 1f;
        var labels = randint(0, 10, [DataCount], generator: g);
        return (images.MoveToOuterDisposeScope().DetachFromDisposeScope(), labels.MoveToOuterDisposeScope().DetachFromDisposeScope());
    }

    /// <summary>√ᾱ_t and √(1 − ᾱ_t) of the linear β schedule (1e-4 … 0.02, 1000 steps), as a hand-written loop would make them.</summary>
    public static (Tensor SqrtAlphaBar, Tensor SqrtOneMinusAlphaBar) LinearSchedule()
    {
        using var scope = NewDisposeScope();
        var betas = linspace(1e-4, 0.02, 1000, ScalarType.Float64);
        var alphaBar = (1.0 - betas).cumprod(0);
        return (alphaBar.sqrt().to_type(ScalarType.Float32).MoveToOuterDisposeScope().DetachFromDisposeScope(),
                (1.0 - alphaBar).sqrt().to_type(ScalarType.Float32).MoveToOuterDisposeScope().DetachFromDisposeScope());
    }
}
