using System.Text.Json.Nodes;
using Generative.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Testing;

/// <summary>
/// The contract of the networks a family trains — <see cref="IDenoiser"/>, <see cref="IGenerator"/>,
/// <see cref="IDiscriminator"/> — as checks a network's author runs from any test framework:
/// <code>
/// [Fact] public void Keeps_the_denoiser_contract() => NetworkContract.VerifyDenoiser(g => new MyDenoiser(2, generator: g));
/// </code>
/// </summary>
/// <remarks>
/// Checked, for a network made by the factory with a seeded generator: it has parameters, all finite once built (a
/// layer left uninitialised shows here); the same seed gives the same weights and another seed other weights (every
/// initial draw comes from the generator); a batch of three gives <c>[3, ..shape]</c>, float32, finite, with inputs
/// unchanged; in evaluation mode each sample's result does not depend on the rest of the batch; in training mode a
/// backward pass gives finite gradients to the parameters; an input of the wrong shape is an
/// <see cref="ArgumentException"/>; the weights survive a safetensors round trip into a network built with another seed
/// (same results bit for bit); a forward pass in a dispose scope leaves no tensor alive.
/// </remarks>
public static class NetworkContract
{
    /// <summary>Checks a denoiser (inputs: noisy samples, int64 timesteps in [0, 1000), labels if conditional).</summary>
    /// <param name="create">Makes a new denoiser, drawing its initial weights from the generator.</param>
    /// <exception cref="ContractViolationException">The denoiser breaks the contract; the message lists how.</exception>
    public static void VerifyDenoiser(Func<Generator, IDenoiser> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        Verify(
            g => create(g) is var d ? new Network(d.GetType().Name, d.Module, d.ClassCount, d.SampleShape, [.. d.OutputShape.Dimensions],
                (x, labels, timesteps) => d.Predict(x, timesteps, labels)) : null!);
    }

    /// <summary>Checks a generator (input: latent vectors; labels if conditional).</summary>
    /// <param name="create">Makes a new generator network, drawing its initial weights from the generator.</param>
    /// <exception cref="ContractViolationException">The generator breaks the contract; the message lists how.</exception>
    public static void VerifyGenerator(Func<Generator, IGenerator> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        Verify(g => create(g) is var n ? new Network(n.GetType().Name, n.Module, n.ClassCount, n.LatentShape, [.. n.SampleShape.Dimensions], (x, labels, _) => n.Generate(x, labels)) : null!);
    }

    /// <summary>Checks a discriminator or critic (input: samples; labels if conditional; one score per sample).</summary>
    /// <param name="create">Makes a new discriminator, drawing its initial weights from the generator.</param>
    /// <exception cref="ContractViolationException">The discriminator breaks the contract; the message lists how.</exception>
    public static void VerifyDiscriminator(Func<Generator, IDiscriminator> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        Verify(g => create(g) is var n ? new Network(n.GetType().Name, n.Module, n.ClassCount, n.SampleShape, [], (x, labels, _) => n.Score(x, labels)) : null!);
    }

    /// <summary>Checks a registered denoiser type (<see cref="Diffusion.DenoiserRegistry"/>): the networks its
    /// <see cref="ComponentType{TComponent}.Create"/> builds from <paramref name="description"/> keep the denoiser contract
    /// (their initial weights from the generator given), are of its <see cref="ComponentType{TComponent}.ImplementationType"/>,
    /// and are described as <paramref name="description"/> again.</summary>
    /// <param name="type">The type, as registered.</param>
    /// <param name="description">A description the type accepts (without the key it is registered under).</param>
    /// <exception cref="ContractViolationException">The type or its networks break the contract; the message lists how.</exception>
    public static void VerifyDenoiserType(ComponentType<IDenoiser> type, JsonObject description)
    {
        VerifyType(type, description, d => d.Module);
        VerifyDenoiser(g => type.Create(description, g));
    }

    /// <summary>Checks a registered generator type (<see cref="Gan.GeneratorRegistry"/>), as <see cref="VerifyDenoiserType"/>.</summary>
    /// <param name="type">The type, as registered.</param>
    /// <param name="description">A description the type accepts (without the key it is registered under).</param>
    /// <exception cref="ContractViolationException">The type or its networks break the contract; the message lists how.</exception>
    public static void VerifyGeneratorType(ComponentType<IGenerator> type, JsonObject description)
    {
        VerifyType(type, description, n => n.Module);
        VerifyGenerator(g => type.Create(description, g));
    }

    /// <summary>Checks a registered critic type (<see cref="Gan.CriticRegistry"/>), as <see cref="VerifyDenoiserType"/>.</summary>
    /// <param name="type">The type, as registered.</param>
    /// <param name="description">A description the type accepts (without the key it is registered under).</param>
    /// <exception cref="ContractViolationException">The type or its networks break the contract; the message lists how.</exception>
    public static void VerifyDiscriminatorType(ComponentType<IDiscriminator> type, JsonObject description)
    {
        VerifyType(type, description, n => n.Module);
        VerifyDiscriminator(g => type.Create(description, g));
    }

    private static void VerifyType<TNetwork>(ComponentType<TNetwork> type, JsonObject description, Func<TNetwork, nn.Module> module)
        where TNetwork : class
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(description);
        var v = new Violations(type.ImplementationType.Name + "'s registered type");
        v.Run("building from the description and describing again", () =>
        {
            var network = type.Create(description, null);
            try
            {
                v.Check(network.GetType() == type.ImplementationType, $"Create built a {network.GetType().Name}, not the registered {type.ImplementationType.Name}");
                var again = type.Describe(network);
                v.Check(JsonNode.DeepEquals(again, description), $"a network built from {description.ToJsonString()} is described as {again.ToJsonString()}");
            }
            finally
            {
                module(network).Dispose();
            }
        });
        v.ThrowIfAny();
    }

    private sealed record Network(string Name, nn.Module Module, int ClassCount, TensorShape InputShape, long[] OutputDimensions, Func<Tensor, Tensor?, Tensor, Tensor> Forward);

    private static void Verify(Func<Generator, Network> create)
    {
        using var g1 = new Generator(11);
        using var g1Again = new Generator(11);
        using var g2 = new Generator(12);
        Network a = create(g1), same = create(g1Again), other = create(g2);
        try
        {
            var v = new Violations(a.Name);
            Check(a, same, other, v);
            v.ThrowIfAny();
        }
        finally
        {
            a.Module.Dispose();
            same.Module.Dispose();
            other.Module.Dispose();
        }
    }

    private static void Check(Network a, Network same, Network other, Violations v)
    {
        var parameters = a.Module.named_parameters().ToList();
        v.Check(parameters.Count > 0, "the module has no parameters (is Module the module that holds the weights?)");
        foreach (var (name, p) in parameters)
        {
            using var finite = p.isfinite().all();
            v.Check(finite.item<bool>(), $"parameter {name} is not finite once built (left uninitialised?)");
        }

        v.Run("initialisation from the generator", () =>
        {
            var sa = a.Module.state_dict();
            var ss = same.Module.state_dict();
            var so = other.Module.state_dict();
            v.Check(sa.Keys.SequenceEqual(ss.Keys), "two networks built alike have different state names");
            v.Check(sa.All(kv => ss.TryGetValue(kv.Key, out var t) && Tensors.Same(kv.Value, t)), "two networks built with the same generator seed have different weights (a draw that does not come from the generator?)");
            v.Check(sa.Any(kv => so.TryGetValue(kv.Key, out var t) && kv.Value.is_floating_point() && !Tensors.Same(kv.Value, t)), "networks built with different generator seeds have the same weights (the generator is ignored?)");
        });

        using var g = new Generator(5);
        long[] inputShape = a.InputShape.WithBatch(3), outputShape = [3, .. a.OutputDimensions];
        using var scope = NewDisposeScope();
        var x = randn(inputShape, generator: g);
        Tensor? labels = a.ClassCount > 0 ? randint(0, a.ClassCount, [3], generator: g, dtype: ScalarType.Int64) : null;
        var timesteps = randint(0, 1000, [3], generator: g, dtype: ScalarType.Int64); // a denoiser's second input
        Tensor? result = null;
        v.Run("a forward pass in evaluation mode", () =>
        {
            a.Module.eval();
            using var noGrad = no_grad();
            var before = x.clone();
            result = a.Forward(x, labels, timesteps);
            v.CheckTensor($"the result for a batch of 3 of {a.InputShape}", result, outputShape, ScalarType.Float32);
            v.Check(Tensors.Same(x, before), "the forward pass modified its input");
            for (int i = 0; i < 3; i++)
            {
                var single = a.Forward(x[i..(i + 1)], labels?[i..(i + 1)], timesteps[i..(i + 1)]);
                var inBatch = result[i..(i + 1)];
                v.Check(single.shape.SequenceEqual(inBatch.shape) && single.allclose(inBatch, rtol: 1e-4, atol: 1e-5),
                    $"in evaluation mode, sample {i}'s result alone differs from its result in a batch of 3");
            }
        });

        v.Run("a backward pass in training mode", () =>
        {
            a.Module.train();
            a.Module.zero_grad();
            var y = a.Forward(x, labels, timesteps);
            using var two = 2.ToScalar(); // held across the native call (an implicit Scalar could be finalised during it)
            y.pow(two).sum().backward();
            var grads = a.Module.named_parameters().Where(p => p.parameter.grad is not null).ToList();
            v.Check(grads.Count > 0, "a backward pass gave no parameter a gradient");
            foreach (var (name, p) in grads)
            {
                v.Check(p.grad!.isfinite().all().item<bool>(), $"the gradient of {name} is not finite");
            }

            a.Module.zero_grad();
            a.Module.eval();
        });

        v.Run("an input of the wrong shape", () =>
        {
            long[] wrong = [.. inputShape[..^1], inputShape[^1] + 1];
            using var bad = zeros(wrong);
            v.Throws<ArgumentException>($"a forward pass on {TensorShape.Format(wrong)} (expected [N, ..{a.InputShape}])", () =>
            {
                using var noGrad = no_grad();
                a.Forward(bad, labels, timesteps);
            });
        });

        v.Run("a safetensors round trip", () =>
        {
            string directory = Path.Combine(Path.GetTempPath(), "generative-contract-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            try
            {
                string path = Path.Combine(directory, "weights.safetensors");
                SafeTensors.Save(path, a.Module.state_dict());
                using var loaded = SafeTensors.Load(path);
                using (no_grad())
                {
                    other.Module.load_state_dict(new Dictionary<string, Tensor>(loaded.Tensors), strict: true);
                }

                other.Module.eval();
                a.Module.eval();
                using var noGrad = no_grad();
                var expected = a.Forward(x, labels, timesteps);
                var actual = other.Forward(x, labels, timesteps);
                v.Check(Tensors.Same(actual, expected), "a network built with another seed and loaded from the first one's saved weights gives other results (state missing from state_dict?)");
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        });

        v.Run("leaked tensors", () =>
        {
            a.Module.eval();
            using var noGrad = no_grad();
            a.Forward(x, labels, timesteps).Dispose(); // first use may cache tensors
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            using (NewDisposeScope())
            {
                a.Forward(x, labels, timesteps);
            }

            long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            v.Check(after == before, $"a forward pass in a dispose scope left {after - before} tensor(s) alive");
        });
    }
}
