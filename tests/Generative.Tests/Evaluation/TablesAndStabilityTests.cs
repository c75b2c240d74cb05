using Generative.Data.BuiltIn;
using Generative.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Evaluation;

/// <summary>Table utility (TSTR/TRTR), W1 edge cases, loss-history stability figures and parameter counts.</summary>
public sealed class TablesAndStabilityTests
{
    [Fact]
    public void Train_on_real_scores_well_and_synthetic_equal_to_real_scores_the_same()
    {
        using var scope = NewDisposeScope();
        using var wine = Tables.LoadWine();
        using var g = new Generator(0);
        var (train, test) = TableUtility.SplitIndices(wine.Count, 0.3, g);
        train.shape[0].Should().Be(125);
        test.shape[0].Should().Be(53);
        var x = wine.Samples;
        var y = wine.Labels!;
        var xTrain = x.index_select(0, train);
        var yTrain = y.index_select(0, train);
        var xTest = x.index_select(0, test);
        var yTest = y.index_select(0, test);

        var same = TableUtility.Compute(xTrain, yTrain, xTrain, yTrain, xTest, yTest, 3);
        same.TrainRealTestReal.Should().BeGreaterThan(0.9);
        same.TrainSyntheticTestReal.Should().Be(same.TrainRealTestReal);
        same.Gap.Should().Be(0);

        // "Synthetic" rows with shuffled labels carry no information: accuracy drops towards chance.
        var shuffled = yTrain.index_select(0, torch.randperm(yTrain.shape[0], generator: g));
        var bad = TableUtility.Compute(xTrain, shuffled, xTrain, yTrain, xTest, yTest, 3);
        bad.TrainSyntheticTestReal.Should().BeLessThan(same.TrainRealTestReal - 0.2);
    }

    [Fact]
    public void Wasserstein_1_follows_its_definition()
    {
        TableFidelity.Wasserstein1([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]).Should().Be(0);
        TableFidelity.Wasserstein1([0.0], [5.0]).Should().Be(5);
        // A shift moves every quantile by the shift.
        TableFidelity.Wasserstein1([0.0, 1.0, 4.0], [0.5, 1.5, 4.5]).Should().BeApproximately(0.5, 1e-15);
        // Different sizes: {0, 1} vs {0}: F differs by 1/2 on [0, 1).
        TableFidelity.Wasserstein1([0.0, 1.0], [0.0]).Should().BeApproximately(0.5, 1e-15);
    }

    [Fact]
    public void Table_fidelity_of_a_table_with_itself_is_zero()
    {
        using var cancer = Tables.LoadBreastCancer();
        var result = TableFidelity.Compute(cancer.Samples, cancer.Samples);
        result.ColumnWasserstein.Should().HaveCount(30).And.OnlyContain(w => w == 0);
        result.CorrelationFrobenius.Should().BeLessThan(1e-12);
        result.CorrelationMeanAbsolute.Should().BeLessThan(1e-12);
    }

    [Fact]
    public void Loss_variance_uses_the_last_window_of_finite_values()
    {
        double[] losses = [100, -100, 1, 2, 3, double.NaN, 4];
        // The last 5 entries are 1, 2, 3, NaN, 4; the finite ones 1, 2, 3, 4 have population variance 1.25.
        TrainingStability.LossVariance(losses, window: 5).Should().BeApproximately(1.25, 1e-15);
        TrainingStability.LossVariance([7.0], window: 5).Should().Be(0);
    }

    [Fact]
    public void Divergence_events_count_runs_of_spikes_and_non_finite_losses()
    {
        var losses = new List<double>();
        var random = new Random(1);
        for (int i = 0; i < 300; i++)
        {
            losses.Add(1 + (0.01 * random.NextDouble()));
        }

        TrainingStability.CountDivergenceEvents(losses).Should().Be(0);
        losses[150] = 50;                        // one spike
        losses[200] = double.NaN;                // a blow-up lasting three steps
        losses[201] = double.PositiveInfinity;
        losses[202] = 1e6;
        TrainingStability.CountDivergenceEvents(losses).Should().Be(2);
        losses[50] = 50;                         // before a full window of history: only non-finite values count
        TrainingStability.CountDivergenceEvents(losses).Should().Be(2);
    }

    [Fact]
    public void Parameter_count_counts_weights_and_biases()
    {
        using var layer = nn.Linear(3, 4);
        ModelCost.ParameterCount(layer).Should().Be(16);
        layer.bias!.requires_grad = false;
        ModelCost.ParameterCount(layer, trainableOnly: true).Should().Be(12);
    }
}
