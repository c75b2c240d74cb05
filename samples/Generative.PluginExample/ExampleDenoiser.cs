using Generative.Checkpoints;
using System.Text.Json.Nodes;
using Generative.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Samples.PluginExample;

/// <summary>
/// A denoiser network written outside the library: an MLP over the sample and the timestep (scaled to [0, 1]),
/// registered as <c>"example-mlp"</c> so that models using it can be saved, loaded in another process and given an EMA
/// copy by the trainer.
/// </summary>
public sealed class ExampleDenoiser : IDenoiser
{
    /// <summary>The key under which <see cref="ExamplePlugin"/> registers the type.</summary>
    public const string Key = "example-mlp";

    private readonly nn.Module<Tensor, Tensor> _net;

    /// <summary>Creates the network.</summary>
    /// <param name="features">Values per sample.</param>
    /// <param name="hidden">Units of the hidden layers.</param>
    /// <param name="generator">Source of the initial weights (N(0, 1/fan-in)); <see langword="null"/> for a fresh one.</param>
    public ExampleDenoiser(int features, int hidden, Generator? generator = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        Hidden = hidden;
        SampleShape = new TensorShape(features);
        _net = nn.Sequential(nn.Linear(features + 1, hidden), nn.SiLU(), nn.Linear(hidden, hidden), nn.SiLU(), nn.Linear(hidden, features));
        using var noGrad = no_grad();
        foreach (var (name, p) in _net.named_parameters())
        {
            using var values = name.EndsWith("bias", StringComparison.Ordinal)
                ? zeros(p.shape)
                : randn(p.shape, generator: generator).div_(Math.Sqrt(p.shape[1]));
            p.copy_(values);
        }
    }

    /// <summary>Units of the hidden layers.</summary>
    public int Hidden { get; }

    /// <inheritdoc />
    public TensorShape SampleShape { get; }

    /// <inheritdoc />
    public TensorShape OutputShape => SampleShape;

    /// <inheritdoc />
    public int ClassCount => 0;

    /// <inheritdoc />
    public nn.Module Module => _net;

    /// <inheritdoc />
    public Tensor Predict(Tensor noisySamples, Tensor timesteps, Tensor? classLabels = null)
    {
        SampleShape.EnsureBatch(noisySamples, nameof(noisySamples));
        using var scope = NewDisposeScope();
        using var scale = (1.0 / 1000).ToScalar();
        var t = timesteps.to_type(noisySamples.dtype).mul(scale).unsqueeze(1);
        return _net.call(cat([noisySamples, t], 1)).MoveToOuterDisposeScope();
    }

    /// <summary>How the type is described in config.json and rebuilt, its initial weights drawn from the generator given (sizes
    /// are checked: the file may come from anywhere).</summary>
    public static ComponentType<IDenoiser> Format { get; } = new(
        typeof(ExampleDenoiser),
        network => new JsonObject { ["features"] = (int)network.SampleShape[0], ["hidden"] = ((ExampleDenoiser)network).Hidden },
        (json, generator) =>
        {
            int features = (int?)json["features"] ?? throw new ArgumentException("'features' is missing.");
            int hidden = (int?)json["hidden"] ?? throw new ArgumentException("'hidden' is missing.");
            return features is >= 1 and <= 4096 && hidden is >= 1 and <= 4096
                ? new ExampleDenoiser(features, hidden, generator)
                : throw new ArgumentException($"'features' ({features}) and 'hidden' ({hidden}) must lie in [1, 4096].");
        });
}
