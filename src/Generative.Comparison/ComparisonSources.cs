using Generative.Data;

namespace Generative.Comparison;

/// <summary>Makes the training data source of a comparison: standardised for tables and vectors, raw otherwise.</summary>
internal static class ComparisonSources
{
    public static TensorDataSource Create(ComparisonData data)
    {
        if (!data.Standardize)
        {
            return new TensorDataSource(data.TrainSamples, data.TrainLabels, data.ClassCount > 0 ? data.ClassCount : null, featureNames: data.FeatureNames);
        }

        var standardization = DataStandardization.Fit(data.TrainSamples, data.FeatureNames);
        using var standardized = standardization.Standardize(data.TrainSamples);
        return new TensorDataSource(standardized, data.TrainLabels, data.ClassCount > 0 ? data.ClassCount : null, standardization, data.FeatureNames);
    }
}
