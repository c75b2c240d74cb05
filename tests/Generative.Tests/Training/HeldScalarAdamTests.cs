using Generative.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Training;

/// <summary>
/// The library's Adam and AdamW hold their Scalars; their updates must be TorchSharp's, bit for bit, and their state
/// TorchSharp's (a state saved by one loads into the other).
/// </summary>
[Collection("Sequential")]
public sealed class HeldScalarAdamTests
{
    private static nn.Module<Tensor, Tensor> Network(ScalarType type)
    {
        var network = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2));
        var init = new Generator(4);
        using (no_grad())
        {
            foreach (var p in network.parameters())
            {
                p.copy_(randn(p.shape, generator: init));
            }
        }

        return network.to(type);
    }

    private static double[] Weights(nn.Module network) =>
        [.. network.parameters().SelectMany(p => p.detach().to_type(ScalarType.Float64).flatten().data<double>().ToArray())];

    // Steps with losses drawn from a fixed stream, so both optimisers see the same gradients while the weights agree.
    private static void Train(nn.Module<Tensor, Tensor> network, optim.Optimizer optimizer, int steps, int offset, ScalarType type)
    {
        for (int i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            var g = new Generator((ulong)(100 + offset + i));
            var x = randn(8, 3, generator: g).to_type(type);
            var target = randn(8, 2, generator: g).to_type(type);
            optimizer.zero_grad();
            nn.functional.mse_loss(network.forward(x), target).backward();
            optimizer.step();
        }
    }

    [Theory]
    [InlineData(false, 0.0, ScalarType.Float32)]
    [InlineData(false, 0.1, ScalarType.Float32)]
    [InlineData(false, 0.1, ScalarType.Float64)]
    [InlineData(true, 0.01, ScalarType.Float32)]
    [InlineData(true, 0.3, ScalarType.Float64)]
    public void Updates_equal_torchsharps_bit_for_bit(bool decoupled, double weightDecay, ScalarType type)
    {
        using var scope = NewDisposeScope();
        var ours = Network(type);
        var theirs = Network(type);
        using var held = decoupled
            ? OptimizerFactory.AdamW(ours.parameters(), 0.01, 0.8, 0.99, 1e-6, weightDecay)
            : OptimizerFactory.Adam(ours.parameters(), 0.01, 0.8, 0.99, 1e-6, weightDecay);
        using optim.Optimizer plain = decoupled
            ? optim.AdamW(theirs.parameters(), 0.01, 0.8, 0.99, 1e-6, weightDecay)
            : optim.Adam(theirs.parameters(), 0.01, 0.8, 0.99, 1e-6, weightDecay);
        held.Should().BeAssignableTo(decoupled ? typeof(TorchSharp.Modules.AdamW) : typeof(TorchSharp.Modules.Adam));

        Train(ours, held, 6, 0, type);
        Train(theirs, plain, 6, 0, type);

        Weights(ours).Should().Equal(Weights(theirs));
        Weights(ours).Should().NotEqual(Weights(Network(type)), "the steps moved the weights");
    }

    [Fact]
    public void A_state_saved_by_torchsharps_adam_continues_in_ours_as_in_theirs()
    {
        using var scope = NewDisposeScope();
        var first = Network(ScalarType.Float32);
        using var plain = optim.Adam(first.parameters(), 0.01, 0.8, 0.99);
        Train(first, plain, 4, 0, ScalarType.Float32);

        var second = Network(ScalarType.Float32);
        using (no_grad())
        {
            foreach (var (to, from) in second.parameters().Zip(first.parameters()))
            {
                to.copy_(from);
            }
        }

        using var held = OptimizerFactory.Adam(second.parameters(), 0.01, 0.8, 0.99);
        using (var file = new MemoryStream())
        {
            // As the trainer's checkpoints write and read optimiser state.
            using var writer = new BinaryWriter(file, System.Text.Encoding.UTF8, leaveOpen: true);
            plain.save_state_dict(writer);
            writer.Flush();
            file.Position = 0;
            using var reader = new BinaryReader(file);
            ((TorchSharp.Modules.OptimizerHelper)held).load_state_dict(reader);
        }

        Train(first, plain, 3, 4, ScalarType.Float32);
        Train(second, held, 3, 4, ScalarType.Float32);

        Weights(second).Should().Equal(Weights(first), "the moments and step count came over: bias correction continues at step 5");
    }
}
