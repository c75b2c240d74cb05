using System.Globalization;
using System.Text.Json.Nodes;
using Generative.Tabular;

namespace Generative.TabularSynthesis;

/// <summary>
/// The settings of a <see cref="TabularGan"/> (CTGAN, Xu et al. 2019). Defaults are the paper's and CTGAN's: batch 500,
/// packs of 10, z of 128, generator and critic 2 × 256, Adam 2·10⁻⁴ with β = (0.5, 0.9) and weight decay 10⁻⁶, Gumbel-softmax
/// τ = 0.2, gradient penalty λ = 10, critic dropout 0.5, training-by-sampling with log frequencies. Validated once, when
/// a model is fitted (<see cref="TabularGan.Fit"/>) or loaded.
/// </summary>
public sealed record TabularGanOptions
{
    /// <summary>Passes over the data, at least 1. Default 80: 414 s on Adult's 26,048 rows on 2 shared CPU cores, within
    /// the 600 s target of issue #17 (CTGAN's default is 300).</summary>
    public int Epochs { get; init; } = 80;

    /// <summary>Rows per training step, a multiple of <see cref="PackSize"/>. Default 500.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>m, the rows the critic judges together (PacGAN packing), at least 1. Default 10.</summary>
    public int PackSize { get; init; } = 10;

    /// <summary>The dimension of the generator's noise z, at least 1. Default 128.</summary>
    public int LatentDimension { get; init; } = 128;

    /// <summary>Units of each residual layer of the generator (Linear → BatchNorm → ReLU, concatenated with its input),
    /// at least 1. Default 256.</summary>
    public int GeneratorWidth { get; init; } = 256;

    /// <summary>Residual layers of the generator, at least 1. Default 2.</summary>
    public int GeneratorLayers { get; init; } = 2;

    /// <summary>Units of each hidden layer of the critic (Linear → LeakyReLU(0.2) → Dropout), at least 1. Default 256.</summary>
    public int CriticWidth { get; init; } = 256;

    /// <summary>Hidden layers of the critic, at least 1. Default 2.</summary>
    public int CriticLayers { get; init; } = 2;

    /// <summary>The critic's dropout rate in training, in [0, 1). Default 0.5.</summary>
    public double CriticDropout { get; init; } = 0.5;

    /// <summary>Critic steps per generator step, at least 1. Default 1.</summary>
    public int CriticSteps { get; init; } = 1;

    /// <summary>Adam's learning rate for both networks, positive. Default 2·10⁻⁴.</summary>
    public double LearningRate { get; init; } = 2e-4;

    /// <summary>Adam's β₁, in [0, 1). Default 0.5.</summary>
    public double Beta1 { get; init; } = 0.5;

    /// <summary>Adam's β₂, in [0, 1). Default 0.9.</summary>
    public double Beta2 { get; init; } = 0.9;

    /// <summary>Adam's weight decay (L2) for both networks, 0 or more. Default 10⁻⁶.</summary>
    public double WeightDecay { get; init; } = 1e-6;

    /// <summary>τ of the Gumbel-softmax of each one-hot group of the generator's output, positive. Default 0.2.</summary>
    public double GumbelTemperature { get; init; } = 0.2;

    /// <summary>λ of the WGAN-GP gradient penalty, 0 or more. Default 10.</summary>
    public double GradientPenaltyWeight { get; init; } = 10;

    /// <summary>Whether training-by-sampling picks a category with probability ∝ log(1 + count) (the paper) rather than
    /// ∝ count. Default true.</summary>
    public bool LogFrequency { get; init; } = true;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it, its value and what is allowed.</exception>
    public void Validate()
    {
        Require(Epochs >= 1, nameof(Epochs), Epochs, "at least 1");
        Require(PackSize >= 1, nameof(PackSize), PackSize, "at least 1");
        Require(BatchSize >= PackSize && BatchSize % PackSize == 0, nameof(BatchSize), BatchSize, $"a positive multiple of PackSize ({PackSize})");
        Require(LatentDimension >= 1, nameof(LatentDimension), LatentDimension, "at least 1");
        Require(GeneratorWidth >= 1, nameof(GeneratorWidth), GeneratorWidth, "at least 1");
        Require(GeneratorLayers >= 1, nameof(GeneratorLayers), GeneratorLayers, "at least 1");
        Require(CriticWidth >= 1, nameof(CriticWidth), CriticWidth, "at least 1");
        Require(CriticLayers >= 1, nameof(CriticLayers), CriticLayers, "at least 1");
        Require(CriticDropout >= 0 && CriticDropout < 1, nameof(CriticDropout), CriticDropout, "in [0, 1)");
        Require(CriticSteps >= 1, nameof(CriticSteps), CriticSteps, "at least 1");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "positive and finite");
        Require(Beta1 >= 0 && Beta1 < 1, nameof(Beta1), Beta1, "in [0, 1)");
        Require(Beta2 >= 0 && Beta2 < 1, nameof(Beta2), Beta2, "in [0, 1)");
        Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), nameof(WeightDecay), WeightDecay, "0 or more and finite");
        Require(GumbelTemperature > 0 && double.IsFinite(GumbelTemperature), nameof(GumbelTemperature), GumbelTemperature, "positive and finite");
        Require(GradientPenaltyWeight >= 0 && double.IsFinite(GradientPenaltyWeight), nameof(GradientPenaltyWeight), GradientPenaltyWeight, "0 or more and finite");
    }

    internal JsonObject ToJson() => new()
    {
        ["epochs"] = Epochs,
        ["batchSize"] = BatchSize,
        ["packSize"] = PackSize,
        ["latentDimension"] = LatentDimension,
        ["generatorWidth"] = GeneratorWidth,
        ["generatorLayers"] = GeneratorLayers,
        ["criticWidth"] = CriticWidth,
        ["criticLayers"] = CriticLayers,
        ["criticDropout"] = CriticDropout,
        ["criticSteps"] = CriticSteps,
        ["learningRate"] = LearningRate,
        ["beta1"] = Beta1,
        ["beta2"] = Beta2,
        ["weightDecay"] = WeightDecay,
        ["gumbelTemperature"] = GumbelTemperature,
        ["gradientPenaltyWeight"] = GradientPenaltyWeight,
        ["logFrequency"] = LogFrequency,
    };

    internal static TabularGanOptions FromJson(JsonObject json, string where)
    {
        var options = new TabularGanOptions
        {
            Epochs = Json.Int(json, "epochs", where),
            BatchSize = Json.Int(json, "batchSize", where),
            PackSize = Json.Int(json, "packSize", where),
            LatentDimension = Json.Int(json, "latentDimension", where),
            GeneratorWidth = Json.Int(json, "generatorWidth", where),
            GeneratorLayers = Json.Int(json, "generatorLayers", where),
            CriticWidth = Json.Int(json, "criticWidth", where),
            CriticLayers = Json.Int(json, "criticLayers", where),
            CriticDropout = Json.Double(json, "criticDropout", where),
            CriticSteps = Json.Int(json, "criticSteps", where),
            LearningRate = Json.Double(json, "learningRate", where),
            Beta1 = Json.Double(json, "beta1", where),
            Beta2 = Json.Double(json, "beta2", where),
            WeightDecay = Json.Double(json, "weightDecay", where),
            GumbelTemperature = Json.Double(json, "gumbelTemperature", where),
            GradientPenaltyWeight = Json.Double(json, "gradientPenaltyWeight", where),
            LogFrequency = Json.Bool(json, "logFrequency", where),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{where}: {e.Message}", e);
        }

        return options;
    }

    private static void Require(bool ok, string name, double value, string allowed)
    {
        if (!ok)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"TabularGanOptions.{name} must be {allowed}; got {value}."), name);
        }
    }
}
