using Generative.Comparison;
using Generative.Data.BuiltIn;

namespace Generative.Compare;

/// <summary>Turns the --dataset option into the comparison's data.</summary>
internal static class DataLoading
{
    public static ComparisonData Load(CommandLine options)
    {
        long seed = options.DataSeed;
        if (BuiltInDatasets.Contains(options.Dataset))
        {
            return ComparisonData.FromBuiltIn(options.Dataset, options.TrainCount, seed);
        }

        return ComparisonData.FromCsv(options.Dataset, options.LabelColumn, seed);
    }
}
