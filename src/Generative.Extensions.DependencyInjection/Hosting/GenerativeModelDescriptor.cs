namespace Generative.Hosting;

/// <summary>What an application needs to know about a registered model to offer it: its family, sample shape, feature
/// names and configured sampling defaults.</summary>
/// <param name="Name">The name the model is registered under.</param>
/// <param name="Family">The model's family.</param>
/// <param name="SampleShape">The shape of one sample.</param>
/// <param name="Kind">What a sample looks like (table row, vector, image, other).</param>
/// <param name="FeatureNames">The column names of a table model; otherwise <see langword="null"/>.</param>
/// <param name="ClassCount">The number of classes a conditional model accepts; 0 for an unconditional one.</param>
/// <param name="Defaults">The configured sampling defaults (unset members fall back to the model's own).</param>
/// <param name="MaxCount">The most samples one request may ask for.</param>
public sealed record GenerativeModelDescriptor(
    string Name,
    ModelFamily Family,
    TensorShape SampleShape,
    SampleKind Kind,
    IReadOnlyList<string>? FeatureNames,
    int ClassCount,
    SamplingOptions Defaults,
    int MaxCount)
{
    /// <summary>Classifies a sample shape.</summary>
    /// <param name="sampleShape">The shape of one sample.</param>
    /// <param name="featureNames">The model's feature names, if any.</param>
    /// <returns>The kind of sample.</returns>
    public static SampleKind KindOf(TensorShape sampleShape, IReadOnlyList<string>? featureNames)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        return sampleShape.Rank switch
        {
            1 when featureNames is { Count: > 0 } => SampleKind.Table,
            1 => SampleKind.Vector,
            2 => SampleKind.Image,
            3 when sampleShape[0] is 1 or 3 or 4 => SampleKind.Image,
            _ => SampleKind.Other,
        };
    }
}
