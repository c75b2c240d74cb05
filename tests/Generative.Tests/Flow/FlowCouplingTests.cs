using Generative.Data;
using Generative.Diffusion;
using Generative.Flow;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Flow;

/// <summary>
/// The couplings of flow matching: the exact assignment against brute force, minibatch optimal transport (monotone in
/// one dimension, within classes with labels), the step's loss with coupled noise computed by hand, the order of the
/// draws, determinism, the default unchanged, and the errors.
/// </summary>
[Collection("Sequential")]
public sealed class FlowCouplingTests
{
    private static readonly MinibatchOptimalTransportCoupling Ot = new();

    // ---- the assignment --------------------------------------------------------------------------------------------

    [Fact]
    public void The_assignment_has_the_least_cost_of_all_permutations_for_every_n_up_to_7_also_with_ties()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(11);
        int checkedMatrices = 0;
        for (int n = 1; n <= 7; n++)
        {
            var perms = Permutations(n).ToList();
            perms.Should().HaveCount(Enumerable.Range(1, n).Aggregate(1, (a, b) => a * b));
            var matrices = new List<double[]>();
            for (int trial = 0; trial < 8; trial++)
            {
                // Continuous costs spanning several magnitudes, and integer costs in {0, 1, 2} (many ties).
                matrices.Add(rand([n * n], ScalarType.Float64, generator: g).mul(Math.Pow(10, trial % 4)).data<double>().ToArray());
                matrices.Add(randint(0, 3, [n * n], ScalarType.Float64, generator: g).data<double>().ToArray());
            }

            matrices.Add(new double[n * n]);                           // every assignment ties at 0
            matrices.Add(Enumerable.Repeat(-2.5, n * n).ToArray());    // negative costs, all equal
            foreach (double[] cost in matrices)
            {
                int[] column = LinearAssignment.Solve(cost, n);
                column.Should().BeEquivalentTo(Enumerable.Range(0, n), "the assignment is a permutation");
                double best = perms.Min(p => Total(cost, n, p));
                double found = Total(cost, n, column);
                Math.Abs(found - best).Should().BeLessThanOrEqualTo(1e-12 * Math.Max(1, Math.Abs(best)), $"n = {n}, brute-force optimum {best}");
                checkedMatrices++;
            }
        }

        checkedMatrices.Should().Be(7 * 18);
    }

    [Fact]
    public void A_unique_optimum_is_found_exactly_and_one_row_is_assigned_to_itself()
    {
        int[] planted = [3, 0, 4, 1, 2];
        var cost = new double[25];
        for (int i = 0; i < 5; i++)
        {
            for (int j = 0; j < 5; j++)
            {
                cost[(i * 5) + j] = j == planted[i] ? 1.0 : 1.5 + i + j;
            }
        }

        LinearAssignment.Solve(cost, 5).Should().Equal(planted);
        LinearAssignment.Solve([7.0], 1).Should().Equal(0);
        LinearAssignment.Solve([], 0).Should().BeEmpty();
    }

    [Fact]
    public void The_assignment_refuses_a_matrix_of_the_wrong_size_or_a_cost_that_is_not_finite()
    {
        var wrongSize = () => LinearAssignment.Solve(new double[5], 2);
        wrongSize.Should().Throw<ArgumentException>().WithMessage("An assignment of 2 rows needs 4 costs, but got 5.*");
        var nan = () => LinearAssignment.Solve([0, 1, double.NaN, 2], 2);
        nan.Should().Throw<ArgumentException>().WithMessage("The cost of row 1 and column 0 is NaN; every cost must be finite.*");
    }

    // ---- minibatch optimal transport ---------------------------------------------------------------------------------

    [Fact]
    public void In_one_dimension_the_optimal_transport_coupling_is_the_monotone_matching()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(5);
        var noise = randn([64, 1], generator: g);
        var data = (rand([64, 1], generator: g) * 6) - 1;
        var coupled = Ot.Couple(noise, data, null, g);

        coupled.sort(0).Values.allclose(noise.sort(0).Values, 0, 0).Should().BeTrue("the coupled noise is the same noise, reordered");
        var byData = coupled.index_select(0, data.squeeze(1).argsort());
        byData.squeeze(1).data<float>().ToArray().Should().BeInAscendingOrder("the i-th smallest noise goes with the i-th smallest data point");
        coupled.allclose(noise, 0, 0).Should().BeFalse("64 random draws are not already in the data's order");
    }

    [Fact]
    public void The_coupled_noise_has_the_least_total_squared_distance_to_the_data()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(8);
        var noise = randn([6, 3], ScalarType.Float64, generator: g);
        var data = randn([6, 3], ScalarType.Float64, generator: g) * 2;
        var coupled = Ot.Couple(noise, data, null, g);

        double[,] cost = SquaredDistances(noise, data);
        double best = Permutations(6).Min(p => Enumerable.Range(0, 6).Sum(j => cost[p[j], j]));
        double found = (coupled - data).square().sum().item<double>();
        found.Should().BeApproximately(best, 1e-12 * best);
        found.Should().BeLessThan((noise - data).square().sum().item<double>(), "the batch order is not optimal for this seed");
    }

    [Fact]
    public void With_labels_every_class_is_matched_within_itself_and_optimally()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(3);
        long[] classes = [0, 1, 0, 2, 1, 0, 2, 2, 1];
        var labels = tensor(classes);
        var centres = tensor(new float[] { -3, 0, 0, 3, 3, 0 }).reshape(3, 2);
        var data = centres.index_select(0, labels) + (0.1f * randn([9, 2], generator: g));
        var noise = randn([9, 2], generator: g);

        int[] withLabels = RowsOf(Ot.Couple(noise, data, labels, g), noise);
        int[] without = RowsOf(Ot.Couple(noise, data, null, g), noise);

        double[,] cost = SquaredDistances(noise, data);
        for (int j = 0; j < 9; j++)
        {
            classes[withLabels[j]].Should().Be(classes[j], $"data row {j} keeps noise from its own class's rows");
        }

        foreach (long c in classes.Distinct())
        {
            int[] rows = Enumerable.Range(0, 9).Where(i => classes[i] == c).ToArray();
            double best = Permutations(rows.Length).Min(p => Enumerable.Range(0, rows.Length).Sum(k => cost[rows[p[k]], rows[k]]));
            rows.Sum(j => cost[withLabels[j], j]).Should().BeApproximately(best, 1e-9, $"class {c} is matched optimally within itself");
        }

        Enumerable.Range(0, 9).Any(j => classes[without[j]] != classes[j]).Should().BeTrue("without labels the optimum crosses classes for this seed");
        Enumerable.Range(0, 9).Sum(j => cost[without[j], j]).Should().BeLessThan(Enumerable.Range(0, 9).Sum(j => cost[withLabels[j], j]));
    }

    [Fact]
    public void The_optimal_transport_coupling_refuses_bad_input_naming_what_was_expected()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(1);
        var shapes = () => Ot.Couple(zeros(4, 2), zeros(4, 3), null, g);
        shapes.Should().Throw<ArgumentException>().WithMessage("The noise must be a batch shaped like the data ([4, 3]), but is [4, 2].*");
        var labels = () => Ot.Couple(zeros(4, 2), zeros(4, 2), zeros(3, ScalarType.Int64), g);
        labels.Should().Throw<ArgumentException>().WithMessage("The labels must be shaped [4] (one per sample), but are [3].*");
        var big = () => Ot.Couple(zeros(2049, 1), zeros(2049, 1), null, g);
        big.Should().Throw<ArgumentException>().WithMessage("Exact minibatch optimal transport takes batches of at most 2048 samples (the solve is O(n³)), but this batch has 2049.*");
        var nan = () => Ot.Couple(zeros(3, 1), tensor(new float[] { 0, float.NaN, 1 }).reshape(3, 1), null, g);
        nan.Should().Throw<ArgumentException>().WithMessage("The noise or the data are not finite: The cost of row 0 and column 1 is NaN*");
        Ot.Couple(ones(1, 2), zeros(1, 2), null, g).allclose(ones(1, 2), 0, 0).Should().BeTrue("one sample has one pairing");
    }

    // ---- the training step -----------------------------------------------------------------------------------------

    [Fact]
    public void The_coupled_step_loss_is_the_mean_squared_error_with_the_optimal_pairs_computed_by_hand()
    {
        using var scope = NewDisposeScope();
        using var net = FixedNetwork();
        using var step = new FlowTrainingStep(net, new FlowTrainingOptions { Coupling = Ot });
        var x1 = tensor(new float[] { 2, 1, -2, 0.5f, 0, -2, 1, 2 }).reshape(4, 2);
        Tensor loss;
        using (var g = new Generator(9))
        {
            loss = step.Loss(x1, null, g);
        }

        // By hand: t ~ U(0, 1), then x₀ ~ N(0, I); the permutation of x₀ of least total squared distance to x₁ (brute force).
        using var h = new Generator(9);
        var t = rand([4], generator: h);
        var x0 = randn([4, 2], generator: h);
        double[,] cost = SquaredDistances(x0, x1);
        int[] best = Permutations(4).MinBy(p => Enumerable.Range(0, 4).Sum(j => cost[p[j], j]))!;
        best.Should().NotEqual([0, 1, 2, 3], "the draws' own order is not optimal for this seed, so the test sees the coupling");
        var paired = x0.index_select(0, tensor(best.Select(i => (long)i).ToArray()));
        var xt = ((1 - t.reshape(4, 1)) * paired) + (t.reshape(4, 1) * x1);
        var expected = (net.Predict(xt, t * 1000f) - (x1 - paired)).square().mean();
        expected.item<float>().Should().BeGreaterThan(0.1f);
        loss.item<float>().Should().BeApproximately(expected.item<float>(), 1e-6f);

        using var independent = new FlowTrainingStep(net);
        using var k = new Generator(9);
        independent.Loss(x1, null, k).item<float>().Should().NotBeApproximately(expected.item<float>(), 1e-3f);
    }

    [Fact]
    public void A_coupling_of_your_own_gets_the_labels_and_draws_after_the_steps_own_draws()
    {
        using var scope = NewDisposeScope();
        using var net = FixedNetwork(classCount: 3);
        var recorder = new FreshNoiseCoupling();
        using var step = new FlowTrainingStep(net, new FlowTrainingOptions { Coupling = recorder });
        var x1 = tensor(new float[] { 2, 1, -2, 0.5f, 0, -2 }).reshape(3, 2);
        var labels = tensor(new long[] { 2, 0, 1 });
        Tensor loss;
        using (var g = new Generator(4))
        {
            loss = step.Loss(x1, labels, g);
        }

        recorder.Labels.Should().Equal(2, 0, 1);
        using var h = new Generator(4);
        var t = rand([3], generator: h);
        var drawn = randn([3, 2], generator: h);
        recorder.Noise.Should().Equal(drawn.data<float>().ToArray(), "the coupling gets the noise the step drew after t");
        var x0 = randn([3, 2], generator: h); // the coupling's own draw, third
        var xt = ((1 - t.reshape(3, 1)) * x0) + (t.reshape(3, 1) * x1);
        var expected = (net.Predict(xt, t * 1000f, labels) - (x1 - x0)).square().mean();
        loss.item<float>().Should().BeApproximately(expected.item<float>(), 1e-6f);
    }

    [Fact]
    public void A_coupling_that_returns_noise_of_another_shape_is_reported_with_both_shapes()
    {
        using var scope = NewDisposeScope();
        using var net = FixedNetwork();
        using var step = new FlowTrainingStep(net, new FlowTrainingOptions { Coupling = new HalfBatchCoupling() });
        var loss = () => step.Loss(zeros(4, 2), null, new Generator(1));
        loss.Should().Throw<InvalidOperationException>().WithMessage("The coupling half must return noise shaped [4, 2] Float32 on cpu*, but returned [2, 2] Float32 on cpu*");
    }

    [Fact]
    public void Reflow_refuses_a_coupling_other_than_the_independent_one()
    {
        using var net = FixedNetwork();
        var coupled = () => new FlowTrainingStep(net, new FlowTrainingOptions { Coupling = Ot }, coupled: true);
        coupled.Should().Throw<ArgumentException>().WithMessage(
            "FlowTrainingOptions.Coupling must be null or an IndependentCoupling for a step on coupled (x₀, x₁) pairs, which are already coupled (was MinibatchOptimalTransportCoupling).*");
        using var fine = new FlowTrainingStep(net, new FlowTrainingOptions { Coupling = new IndependentCoupling() }, coupled: true);

        new FlowReflowOptions { Training = new FlowTrainerOptions { Training = new FlowTrainingOptions { Coupling = Ot } } }.Validate().Should().Equal(
            "FlowReflowOptions.Training.Training.Coupling must be null or an IndependentCoupling: the pairs are already coupled (was MinibatchOptimalTransportCoupling).");
        new FlowReflowOptions { Training = new FlowTrainerOptions { Training = new FlowTrainingOptions { Coupling = new IndependentCoupling() } } }.Validate().Should().BeEmpty();
    }

    [Fact]
    public void The_default_run_is_unchanged_by_the_independent_coupling_and_the_optimal_transport_run_is_deterministic()
    {
        using var scope = NewDisposeScope();
        var none = Run(null);
        var independent = Run(new IndependentCoupling());
        var ot = Run(Ot);
        var otAgain = Run(new MinibatchOptimalTransportCoupling());

        independent.Losses.Should().Equal(none.Losses, "the independent coupling is the default, draw for draw");
        independent.Weights.Should().Equal(none.Weights);
        otAgain.Losses.Should().Equal(ot.Losses, "the same seed gives the same run");
        otAgain.Weights.Should().Equal(ot.Weights);
        ot.Losses.Should().NotEqual(none.Losses);

        // On the same draws, the pairs of least squared distance give the smaller regression target on average.
        ot.Losses.Take(5).Average().Should().BeLessThan(none.Losses.Take(5).Average());
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private static (double[] Losses, float[] Weights) Run(IFlowCoupling? coupling)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(4);
        using var source = new TensorDataSource((randn([256, 2], generator: g) * 0.3f) + 1f);
        var options = new FlowTrainerOptions { Steps = 20, BatchSize = 64, Seed = 2, Training = new FlowTrainingOptions { Coupling = coupling } };
        var (model, summary) = FlowTrainer.Train(Network(), source, options);
        using (model)
        {
            float[] weights = model.Network.Module.parameters().SelectMany(p => p.detach().cpu().reshape(-1).data<float>().ToArray()).ToArray();
            return (summary.LossHistory["loss"].Select(p => p.Value).ToArray(), weights);
        }
    }

    private static MlpDenoiser Network(int seed = 0, int classCount = 0)
    {
        using var g = new Generator((ulong)seed);
        return new MlpDenoiser(2, new MlpDenoiserOptions { Width = 16, Depth = 1, TimeEmbeddingDimension = 8, ClassCount = classCount }, g);
    }

    // A network whose every weight is drawn (the library zero-initialises the output layer, which would predict 0 everywhere).
    private static MlpDenoiser FixedNetwork(int classCount = 0)
    {
        var net = Network(1, classCount);
        using var g = new Generator(21);
        using var noGrad = no_grad();
        foreach (var p in net.Module.parameters())
        {
            p.copy_(randn(p.shape, generator: g) * 0.3f);
        }

        return net;
    }

    private static double Total(double[] cost, int n, int[] column) => Enumerable.Range(0, n).Sum(i => cost[(i * n) + column[i]]);

    private static double[,] SquaredDistances(Tensor x0, Tensor x1)
    {
        int n = (int)x0.shape[0];
        var a = x0.to(ScalarType.Float64).data<double>().ToArray();
        var b = x1.to(ScalarType.Float64).data<double>().ToArray();
        int d = a.Length / n;
        var cost = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                cost[i, j] = Enumerable.Range(0, d).Sum(k => (a[(i * d) + k] - b[(j * d) + k]) * (a[(i * d) + k] - b[(j * d) + k]));
            }
        }

        return cost;
    }

    // For each row of the coupled noise, the row of the original noise it is (the rows are distinct draws).
    private static int[] RowsOf(Tensor coupled, Tensor noise)
    {
        int n = (int)noise.shape[0];
        var rows = new int[n];
        for (int j = 0; j < n; j++)
        {
            var matches = Enumerable.Range(0, n).Where(i => coupled[j].allclose(noise[i], 0, 0)).ToList();
            matches.Should().ContainSingle();
            rows[j] = matches[0];
        }

        rows.Should().OnlyHaveUniqueItems();
        return rows;
    }

    private static IEnumerable<int[]> Permutations(int n)
    {
        if (n == 0)
        {
            yield return [];
            yield break;
        }

        foreach (int[] rest in Permutations(n - 1))
        {
            for (int at = 0; at <= rest.Length; at++)
            {
                var p = new int[n];
                Array.Copy(rest, 0, p, 0, at);
                p[at] = n - 1;
                Array.Copy(rest, at, p, at + 1, rest.Length - at);
                yield return p;
            }
        }
    }

    // Records what it is given and returns fresh noise from the run's generator.
    private sealed class FreshNoiseCoupling : IFlowCoupling
    {
        public long[] Labels { get; private set; } = [];

        public float[] Noise { get; private set; } = [];

        public Tensor Couple(Tensor noise, Tensor data, Tensor? labels, Generator generator)
        {
            Labels = labels?.data<long>().ToArray() ?? [];
            Noise = noise.data<float>().ToArray();
            return randn(noise.shape, noise.dtype, noise.device, generator: generator);
        }
    }

    private sealed class HalfBatchCoupling : IFlowCoupling
    {
        public Tensor Couple(Tensor noise, Tensor data, Tensor? labels, Generator generator) => noise.narrow(0, 0, noise.shape[0] / 2);

        public override string ToString() => "half";
    }
}
