using Generative.Checkpoints;
using Generative.Data;
using Generative.Training;
using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.Tests.Training;

/// <summary>
/// A test-only training step: linear regression y ≈ w·x + b with a mean-squared error, plus Gaussian jitter on the
/// inputs drawn from the run's generator (so that resuming must restore the generator to match bit for bit).
/// </summary>
internal sealed class LinearRegressionStep : ITrainingStep, ICheckpointConfigurationSource
{
    private readonly Linear _model;
    private readonly optim.Optimizer _optimizer;

    public LinearRegressionStep(int features = 2, double learningRate = 0.05, double jitter = 0.01, bool adamW = false)
    {
        _model = nn.Linear(features, 1);
        using (no_grad())
        using (var g = new Generator(1234))
        {
            _model.weight!.copy_(randn([1, features], generator: g) * 0.1);
            _model.bias!.zero_();
        }

        Jitter = jitter;
        _optimizer = adamW
            ? OptimizerFactory.AdamW(_model.parameters(), learningRate)
            : OptimizerFactory.Adam(_model.parameters(), learningRate);
        Modules = new Dictionary<string, nn.Module> { ["regressor"] = _model };
        Optimizers = new Dictionary<string, optim.Optimizer> { ["regressor"] = _optimizer };
    }

    public double Jitter { get; }

    /// <summary>When set, the loss of this step is replaced by this value (NaN or ∞) to test divergence handling.</summary>
    public Func<long, double?>? InjectLoss { get; set; }

    /// <summary>When set, the gradient is made non-finite at these steps.</summary>
    public Func<long, bool>? InjectGradient { get; set; }

    public Linear Model => _model;

    public string Family => "linear-regression";

    public IReadOnlyDictionary<string, nn.Module> Modules { get; }

    public IReadOnlyDictionary<string, optim.Optimizer> Optimizers { get; }

    public IReadOnlyDictionary<string, double> Step(TrainingBatch batch, TrainingStepContext context)
    {
        var x = batch.Samples.narrow(1, 0, batch.Samples.shape[1] - 1);
        var y = batch.Samples.narrow(1, batch.Samples.shape[1] - 1, 1);
        var noise = randn(x.shape, dtype: x.dtype, device: x.device, generator: context.Generator) * Jitter;
        var prediction = _model.forward(x + noise);
        var loss = (prediction - y).square().mean();
        if (InjectLoss?.Invoke(context.Step) is double injected)
        {
            loss = loss * 0 + injected;
        }

        if (InjectGradient?.Invoke(context.Step) == true)
        {
            // Finite value, NaN gradient: d/dw √(0·w) = 0·∞.
            loss = loss + (_model.weight! * 0).sqrt().sum();
        }

        context.Optimize("regressor", loss);
        return new Dictionary<string, double> { ["loss"] = loss.detach().cpu().item<float>() };
    }

    public JsonNode? GetCheckpointConfiguration() => new JsonObject { ["features"] = _model.in_features, ["jitter"] = Jitter };

    public void Dispose()
    {
        _optimizer.Dispose();
        _model.Dispose();
    }
}

internal static class RegressionData
{
    /// <summary>Rows [x1, x2, y] with y = 3·x1 − 2·x2 + 0.5 + 0.05·ε, from a fixed seed.</summary>
    public static Generative.Data.TensorDataSource Create(long count = 200, long seed = 7)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator((ulong)seed);
        var x = randn([count, 2], generator: g);
        var y = (x.select(1, 0) * 3) - (x.select(1, 1) * 2) + 0.5 + (randn([count], generator: g) * 0.05);
        return new Generative.Data.TensorDataSource(cat([x, y.unsqueeze(1)], 1));
    }
}
