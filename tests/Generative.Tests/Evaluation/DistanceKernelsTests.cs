using Generative.Evaluation;
using TorchSharp;

namespace Generative.Tests.Evaluation;

/// <summary>
/// The fused distance kernels on their own: packing layouts, the values they reduce against float64 products of the
/// same vectors, and results that do not depend on the number of worker threads. (Their exactness inside the metrics
/// is checked against brute force in <see cref="NearestNeighbourMetricsTests"/>.)
/// </summary>
public sealed class DistanceKernelsTests
{
    [Fact]
    public void Packing_puts_strips_and_panels_where_the_kernels_read_them()
    {
        const int count = 32, width = 3;
        var rows = Enumerable.Range(0, count * width).Select(i => (float)i).ToArray(); // value = row · width + w

        using var tensor = torch.tensor(rows, [count, width]);
        var strips = DistanceKernels.PackStrips(tensor);
        var panels = DistanceKernels.PackPanels(tensor);

        for (int row = 0; row < count; row++)
        {
            for (int w = 0; w < width; w++)
            {
                float expected = (row * width) + w;
                strips[(((row / 4 * width) + w) * 4) + (row % 4)].Should().Be(expected);
                panels[(((row / 16 * width) + w) * 16) + (row % 16)].Should().Be(expected);
            }
        }

        using var ragged = tensor.narrow(0, 0, 30);
        FluentActions.Invoking(() => DistanceKernels.PackPanels(ragged)).Should().Throw<ArgumentException>().WithMessage("*multiple of 16*");
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Smallest_per_row_keeps_the_smallest_values_of_the_whole_symmetric_matrix_for_any_thread_count(bool lattice)
    {
        Skip.IfNot(DistanceKernels.IsSupported, "This CPU has no AVX2/FMA.");
        // 33 panels: several work items of 256 rows and a ragged last one. On the integer lattice {0, …, 3}⁴ the squared
        // distances are small integers, exact in float32, and tie everywhere (duplicates included).
        const int n = 528, width = 6, kept = 5;
        var (rows, columns) = SymmetricOperands(n, width, seed: 3, lattice);
        var expected = Products(rows, columns, n, n, width);

        DistanceKernels.SmallestValues? first = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var lists = DistanceKernels.SmallestPerRow(
                Strips(rows, n, width), Panels(columns, n, width), n, width, kept, threads);
            var largest = lists.Largest();
            for (int row = 0; row < n; row++)
            {
                var smallest = Enumerable.Range(0, n).Select(column => expected[row, column]).Order().Take(kept).ToArray();
                var values = lists.Values.AsSpan(row * kept, kept).ToArray();
                var indices = lists.Indices.AsSpan(row * kept, kept).ToArray();
                indices.Should().OnlyHaveUniqueItems().And.OnlyContain(column => column >= 0 && column < n);
                for (int i = 0; i < kept; i++)
                {
                    values[i].Should().BeApproximately((float)smallest[i], 1e-4f, $"row {row}'s {i + 1}-th smallest value ({threads} threads)");
                    values[i].Should().BeApproximately((float)expected[row, indices[i]], 1e-4f, "a value is its column's");
                }

                largest[row].Should().Be(values[kept - 1]);
            }

            if (first is not null)
            {
                lists.Values.Should().Equal(first.Values, "the values do not depend on the thread count");
            }

            first = lists;
        }
    }

    [SkippableFact]
    public void Cross_reductions_match_the_definitions_for_any_thread_count()
    {
        Skip.IfNot(DistanceKernels.IsSupported, "This CPU has no AVX2/FMA.");
        const int rowCount = 272, columnCount = 304, width = 5;
        var random = new Random(5);
        float[] Values(int length, double scale) => Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() - 0.5) * scale)).ToArray();
        var rows = Values(rowCount * width, 2);
        var columns = Values(columnCount * width, 2);
        var rowRadii = Values(rowCount, 1);
        var shift = Values(columnCount, 1);
        var slack = Values(columnCount, 0.01);
        var products = Products(rows, columns, rowCount, columnCount, width);

        DistanceKernels.CrossReductions? first = null;
        foreach (int threads in new[] { 1, 2 })
        {
            var reduced = DistanceKernels.Cross(
                Strips(rows, rowCount, width), rowCount, Panels(columns, columnCount, width), columnCount, width, rowRadii, true, shift, slack, threads);
            for (int r = 0; r < rowCount; r++)
            {
                var v = Enumerable.Range(0, columnCount).Select(c => products[r, c]).ToArray();
                var u = Enumerable.Range(0, columnCount).Select(c => products[r, c] + shift[c]).ToArray();
                reduced.PrecisionMinima![r].Should().BeApproximately((float)v.Min(), 1e-5f);
                reduced.BoundaryDistances![r].Should().BeApproximately((float)u.Select((x, c) => Math.Abs(x) - slack[c]).Min(), 1e-5f);
                int margin = u.Count(x => Math.Abs(x) < 1e-5); // values this close to 0 may round either way
                reduced.NegativeCounts![r].Should().BeInRange(u.Count(x => x < 0) - margin, u.Count(x => x < 0) + margin);
            }

            for (int c = 0; c < columnCount; c++)
            {
                reduced.RecallMinima![c].Should().BeApproximately((float)Enumerable.Range(0, rowCount).Min(r => products[r, c] - rowRadii[r]), 1e-5f);
                reduced.CoverageMinima![c].Should().BeApproximately((float)Enumerable.Range(0, rowCount).Min(r => products[r, c] + shift[c]), 1e-5f);
            }

            if (first is not null)
            {
                reduced.PrecisionMinima.Should().Equal(first.PrecisionMinima, "the reductions do not depend on the thread count");
                reduced.RecallMinima.Should().Equal(first.RecallMinima);
                reduced.NegativeCounts.Should().Equal(first.NegativeCounts);
                reduced.BoundaryDistances.Should().Equal(first.BoundaryDistances);
                reduced.CoverageMinima.Should().Equal(first.CoverageMinima);
            }

            first = reduced;
        }
    }

    [SkippableFact]
    public void Cross_without_density_computes_only_precision_and_recall()
    {
        Skip.IfNot(DistanceKernels.IsSupported, "This CPU has no AVX2/FMA.");
        var rows = new float[16 * 2];
        var columns = new float[16 * 2];
        var reduced = DistanceKernels.Cross(
            Strips(rows, 16, 2), 16, Panels(columns, 16, 2), 16, 2, new float[16], false, null, null, 1);
        reduced.PrecisionMinima.Should().OnlyContain(v => v == 0);
        reduced.NegativeCounts.Should().BeNull();
        reduced.CoverageMinima.Should().BeNull();
    }

    [Fact]
    public void Workers_take_every_item_once_and_none_outlives_a_failure()
    {
        var states = DistanceKernels.RunWorkers(500, 3, () => new List<int>(), (item, own) => own.Add(item));
        states.SelectMany(own => own).Order().Should().Equal(Enumerable.Range(0, 500));

        // Whichever worker draws the failing item (the calling thread or a helper), all stop and its exception is thrown.
        for (int failing = 20; failing < 26; failing++)
        {
            int started = 0;
            int failingItem = failing;
            var run = () => DistanceKernels.RunWorkers(10_000, 2, () => 0, (item, _) =>
            {
                Interlocked.Increment(ref started);
                Thread.Sleep(1);
                if (item == failingItem)
                {
                    throw new InvalidOperationException($"item {failingItem}");
                }
            });
            run.Should().Throw<InvalidOperationException>().WithMessage($"item {failing}");
            int atReturn = Volatile.Read(ref started);
            Thread.Sleep(30);
            Volatile.Read(ref started).Should().Be(atReturn, "no worker goes on after the call has thrown");
            atReturn.Should().BeLessThan(100, "the workers stop soon after the failure");
        }
    }

    private static float[] Strips(float[] rows, int count, int width)
    {
        using var tensor = torch.tensor(rows, [count, width]);
        return DistanceKernels.PackStrips(tensor);
    }

    private static float[] Panels(float[] rows, int count, int width)
    {
        using var tensor = torch.tensor(rows, [count, width]);
        return DistanceKernels.PackPanels(tensor);
    }

    /// <summary>Augmented vectors of random points (or lattice points) whose products are squared distances: rows [a, ‖a‖², 1], columns [−2a, 1, ‖a‖²].</summary>
    private static (float[] Rows, float[] Columns) SymmetricOperands(int n, int width, int seed, bool lattice)
    {
        var random = new Random(seed);
        int d = width - 2;
        var rows = new float[n * width];
        var columns = new float[n * width];
        for (int i = 0; i < n; i++)
        {
            float norm = 0;
            for (int j = 0; j < d; j++)
            {
                float x = lattice ? random.Next(4) : (float)(random.NextDouble() - 0.5);
                rows[(i * width) + j] = x;
                columns[(i * width) + j] = -2 * x;
                norm += x * x;
            }

            rows[(i * width) + d] = norm;
            rows[(i * width) + d + 1] = 1;
            columns[(i * width) + d] = 1;
            columns[(i * width) + d + 1] = norm;
        }

        return (rows, columns);
    }

    /// <summary>float64 products of the float32 row-major operands: [rows, columns].</summary>
    private static double[,] Products(float[] rows, float[] columns, int rowCount, int columnCount, int width)
    {
        var products = new double[rowCount, columnCount];
        for (int r = 0; r < rowCount; r++)
        {
            for (int c = 0; c < columnCount; c++)
            {
                double sum = 0;
                for (int w = 0; w < width; w++)
                {
                    sum += (double)rows[(r * width) + w] * columns[(c * width) + w];
                }

                products[r, c] = sum;
            }
        }

        return products;
    }
}
