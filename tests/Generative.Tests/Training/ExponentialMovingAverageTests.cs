using Generative.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Training;

public sealed class ExponentialMovingAverageTests
{
    [Fact]
    public void Updates_follow_the_decay_formula_with_warm_up()
    {
        using var module = nn.Linear(2, 1);
        using (no_grad())
        {
            module.weight!.copy_(tensor(new float[,] { { 1, 2 } }));
        }

        using var ema = new ExponentialMovingAverage(module, decay: 0.99, useWarmup: true);
        // Update 0: d = min(0.99, 1/10) = 0.1 → shadow = 0.1·1 + 0.9·θ.
        using (no_grad())
        {
            module.weight!.copy_(tensor(new float[,] { { 3, 4 } }));
        }

        ema.Update();
        Generative.TestSupport.Tolerance.AssertClose(
            ema.ShadowParameters["weight"].data<float>().ToArray().Select(v => (double)v).ToList(), [(0.1 * 1) + (0.9 * 3), (0.1 * 2) + (0.9 * 4)], atol: 1e-6, what: "shadow");
        // Update 1: d = min(0.99, 2/11).
        double d = 2.0 / 11;
        float expected = (float)((d * (0.1 * 1 + 0.9 * 3)) + ((1 - d) * 3));
        ema.CurrentDecay.Should().BeApproximately(d, 1e-12);
        ema.Update();
        ema.ShadowParameters["weight"][0, 0].item<float>().Should().BeApproximately(expected, 1e-6f);
        ema.UpdateCount.Should().Be(2);
    }

    [Fact]
    public void Apply_swaps_the_shadow_weights_in_and_back_and_state_round_trips()
    {
        using var module = nn.Linear(3, 2);
        using var ema = new ExponentialMovingAverage(module, decay: 0.5, useWarmup: false);
        var trained = module.weight!.detach().clone();
        using (no_grad())
        {
            module.weight!.add_(1);
        }

        ema.Update();
        var shadow = ema.ShadowParameters["weight"].clone();
        using (ema.Apply())
        {
            module.weight!.detach().allclose(shadow, 0, 0).Should().BeTrue();
        }

        module.weight!.detach().allclose(trained + 1, 0, 0).Should().BeTrue();

        using var other = nn.Linear(3, 2);
        using var copy = new ExponentialMovingAverage(other, decay: 0.5, useWarmup: false);
        var state = ema.GetState();
        copy.LoadState(state);
        foreach (var t in state.Values)
        {
            t.Dispose();
        }

        copy.ShadowParameters["weight"].allclose(shadow, 0, 0).Should().BeTrue();
        copy.UpdateCount.Should().Be(1);
        ema.CopyTo(other);
        other.weight!.detach().allclose(shadow, 0, 0).Should().BeTrue();
        using var wrong = nn.Linear(4, 2);
        ema.Invoking(e => e.CopyTo(wrong)).Should().Throw<ArgumentException>().WithMessage("*another architecture*");
    }
}
