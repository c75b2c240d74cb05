namespace Generative.DenoisingGan;

/// <summary>The architecture of an <see cref="MlpDenoisingGenerator"/>. Validated when the generator is built.</summary>
public sealed record MlpDenoisingGeneratorOptions
{
    /// <summary>The shape of one sample, e.g. <c>[2]</c> for points or <c>[13]</c> for table rows (flattened at the input).</summary>
    public required TensorShape SampleShape { get; init; }

    /// <summary>The length of the latent z ~ N(0, I), at least 1. Default 16.</summary>
    public int LatentDimension { get; init; } = 16;

    /// <summary>Units per hidden layer, at least 1. Default 256.</summary>
    public int HiddenWidth { get; init; } = 256;

    /// <summary>Number of hidden layers, at least 1. Default 3.</summary>
    public int HiddenLayers { get; init; } = 3;

    /// <summary>T, the number of steps the generator is conditioned on, 1 to 1000. Default 4.</summary>
    public int Steps { get; init; } = 4;

    /// <summary>Length of the learned embedding of t, at least 1. Default 32.</summary>
    public int TimeEmbeddingDimension { get; init; } = 32;

    /// <summary>Checks every option and returns all problems, each naming its option; empty when the options are valid.</summary>
    /// <returns>The problems, e.g. <c>MlpDenoisingGeneratorOptions.HiddenWidth must be at least 1 (was 0).</c></returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new Training.OptionProblems(nameof(MlpDenoisingGeneratorOptions));
        problems.Require(SampleShape is not null, nameof(SampleShape), "must not be null.");
        problems.Require(LatentDimension >= 1, nameof(LatentDimension), $"must be at least 1 (was {LatentDimension}).");
        problems.Require(HiddenWidth >= 1, nameof(HiddenWidth), $"must be at least 1 (was {HiddenWidth}).");
        problems.Require(HiddenLayers >= 1, nameof(HiddenLayers), $"must be at least 1 (was {HiddenLayers}).");
        problems.Require(Steps is >= 1 and <= 1000, nameof(Steps), $"must be in [1, 1000] (was {Steps}).");
        problems.Require(TimeEmbeddingDimension >= 1, nameof(TimeEmbeddingDimension), $"must be at least 1 (was {TimeEmbeddingDimension}).");
        return problems.Problems;
    }
}
