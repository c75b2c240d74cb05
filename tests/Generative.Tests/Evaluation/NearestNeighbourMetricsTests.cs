using Generative.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Evaluation;

/// <summary>
/// The fast k-NN metrics (float32 tiles, exact float64 rechecks near ball boundaries) against a brute-force float64
/// computation written here from the definitions: full distance matrices of direct differences Σ(aᵢ − bᵢ)², radii by
/// sorting rows. Compared exactly (counts of samples, no tolerance): several tiles of 1024 and many small blocks, and
/// data built to sit on the boundaries (integer lattices with duplicates, where distances tie radii exactly).
/// </summary>
public sealed class NearestNeighbourMetricsTests
{
    [Fact]
    public void Several_tiles_match_brute_force()
    {
        using var scope = NewDisposeScope();
        // 2,500 × 2,200 samples: three row blocks × three column tiles of 1024 at the default budget; 195-row blocks at 200,000.
        var real = ReferenceInputs.Normals(41, 2500, 8).to_type(ScalarType.Float32);
        var fake = ((ReferenceInputs.Normals(42, 2200, 8) * 1.1) + 0.15).to_type(ScalarType.Float32);
        var (precision, recall, density, coverage) = BruteForce(real, fake, prK: 3, dcK: 5);

        foreach (long blockElements in new[] { 1L << 22, 200_000L })
        {
            var pr = PrecisionRecall.Compute(real, fake, k: 3, blockElements: blockElements);
            pr.Precision.Should().Be(precision);
            pr.Recall.Should().Be(recall);
            var dc = DensityCoverage.Compute(real, fake, k: 5, blockElements: blockElements);
            dc.Density.Should().Be(density);
            dc.Coverage.Should().Be(coverage);
            var all = NearestNeighbourMetrics.Compute(real, fake, precisionRecallK: 3, densityCoverageK: 5, blockElements: blockElements);
            all.Should().Be(new NearestNeighbourMetricsResult(pr, dc));
        }

        // Sanity: the sets overlap only partly, so the fractions are informative (not 0 or 1).
        precision.Should().BeInRange(0.3, 0.95);
        recall.Should().BeInRange(0.3, 0.95);
    }

    [Theory]
    [InlineData(1L << 22)]
    [InlineData(700L)]
    [InlineData(300L)]
    public void Exact_ties_on_ball_boundaries_match_brute_force(long blockElements)
    {
        using var scope = NewDisposeScope();
        // Points of a small integer lattice, far from the origin (float32 cancellation), with many duplicates: squared
        // distances are integers, many equal a radius exactly (≤ for precision/recall, < for density/coverage), and
        // radii of 0 occur (k duplicates). Float32 cannot separate these; the float64 recheck must.
        var real = Lattice(43, 600, 3) + 1000;
        var fake = Lattice(44, 500, 3) + 1000.5;
        fake.narrow(0, 0, 250).sub_(0.5); // half the generated samples on the real lattice itself
        var (precision, recall, density, coverage) = BruteForce(real, fake, prK: 3, dcK: 5);

        foreach (var dtype in new[] { ScalarType.Float64, ScalarType.Float32 })
        {
            var r = real.to_type(dtype);
            var f = fake.to_type(dtype);
            var pr = PrecisionRecall.Compute(r, f, k: 3, blockElements: blockElements);
            pr.Precision.Should().Be(precision, $"precision ({dtype})");
            pr.Recall.Should().Be(recall, $"recall ({dtype})");
            var dc = DensityCoverage.Compute(r, f, k: 5, blockElements: blockElements);
            dc.Density.Should().Be(density, $"density ({dtype})");
            dc.Coverage.Should().Be(coverage, $"coverage ({dtype})");
            var all = NearestNeighbourMetrics.Compute(r, f, precisionRecallK: 3, densityCoverageK: 5, blockElements: blockElements);
            all.Should().Be(new NearestNeighbourMetricsResult(pr, dc), $"the combined computation ({dtype})");
        }

        // The data really exercise the boundary: some generated sample lies exactly on a real ball's boundary.
        var d = SquaredDistances(fake, real);
        var radii = KthRadii(real, 5);
        d.eq(radii.unsqueeze(0)).any().item<bool>().Should().BeTrue();
        radii.eq(0).any().item<bool>().Should().BeTrue();
    }

    /// <summary>
    /// Each implementation of the float32 passes (fused CPU kernels, tensor tiles) on its own gives the brute-force radii
    /// and decisions exactly: ragged sizes (not multiples of the kernels' 4 × 16 blocks), tie-laden lattices, and sets so
    /// small that every column is a candidate.
    /// </summary>
    [SkippableTheory]
    [InlineData("Fused")]
    [InlineData("Tiles")]
    public void Each_kernel_matches_brute_force(string kernelName)
    {
        var kernel = Enum.Parse<NeighbourKernel>(kernelName);
        Skip.If(kernel == NeighbourKernel.Fused && !DistanceKernels.IsSupported, "This CPU has no AVX2/FMA.");
        using var scope = NewDisposeScope();
        var sets = new (Tensor Real, Tensor Fake)[]
        {
            (ReferenceInputs.Normals(45, 701, 8).to_type(ScalarType.Float32), ((ReferenceInputs.Normals(46, 650, 8) * 1.2) + 0.1).to_type(ScalarType.Float32)),
            (Lattice(47, 333, 3) + 1000, Lattice(48, 290, 3) + 1000.5),
            (ReferenceInputs.Normals(49, 7, 5), ReferenceInputs.Normals(50, 6, 5) + 0.3),

            // Near-ties float32 cannot separate but float64 can: a lattice jittered by 10⁻⁶ (rows whose radius the
            // float32 pass leaves open go to the float64 recheck of the candidates, and its own fallback on exact ties).
            (Lattice(53, 300, 3) + 1000 + (ReferenceInputs.Normals(54, 300, 3) * 1e-6), Lattice(55, 280, 3) + 1000.5 + (ReferenceInputs.Normals(56, 280, 3) * 1e-6)),
        };
        foreach (var (real, fake) in sets)
        {
            int[] ks = real.shape[0] > 10 ? [3, 5] : [3, 5, 6];
            var radii = NearestNeighbours.KthNeighbourSquaredRadii(real, ks, 4096, kernel);
            for (int i = 0; i < ks.Length; i++)
            {
                radii[i].eq(KthRadii(real, ks[i])).all().item<bool>().Should().BeTrue($"the k = {ks[i]} radii of {real.shape[0]} samples ({kernel})");
            }

            var fakeRadii = NearestNeighbours.KthNeighbourSquaredRadii(fake, 3, 4096, kernel);
            fakeRadii.eq(KthRadii(fake, 3)).all().item<bool>().Should().BeTrue($"the generated radii ({kernel})");
            var (precision, recall, density, coverage) = BruteForce(real, fake, prK: 3, dcK: 5);
            foreach (var (prRadii, dcRadii) in new (Tensor?, Tensor?)[] { (radii[0], radii[1]), (radii[0], null), (null, radii[1]) })
            {
                var pass = NearestNeighbours.CrossPass(fake, real, prRadii, prRadii is null ? null : fakeRadii, dcRadii, 4096, kernel);
                if (prRadii is not null)
                {
                    pass.ToPrecisionRecall(3).Should().Be(new PrecisionRecallResult(precision, recall, 3), $"{kernel}, {real.shape[0]} samples");
                }

                if (dcRadii is not null)
                {
                    pass.ToDensityCoverage(5, fake.shape[0]).Should().Be(new DensityCoverageResult(density, coverage, 5), $"{kernel}, {real.shape[0]} samples");
                }
            }
        }
    }

    /// <summary>Integer points in {0, …, 3}^d (duplicates certain for 600 points in 64 cells).</summary>
    private static Tensor Lattice(ulong seed, int rows, int cols) =>
        torch.tensor(ReferenceInputs.Uniforms(seed, rows * cols).Select(u => Math.Floor(u * 4)).ToArray()).view(rows, cols);

    private static (double Precision, double Recall, double Density, double Coverage) BruteForce(Tensor real, Tensor fake, int prK, int dcK)
    {
        using var scope = NewDisposeScope();
        var gr = SquaredDistances(fake, real); // [M, N]
        var realPr = KthRadii(real, prK);
        var fakePr = KthRadii(fake, prK);
        double precision = gr.le(realPr.unsqueeze(0)).any(1).to_type(ScalarType.Float64).mean().item<double>();
        double recall = gr.le(fakePr.unsqueeze(1)).any(0).to_type(ScalarType.Float64).mean().item<double>();
        var realDc = KthRadii(real, dcK);
        var inside = gr.lt(realDc.unsqueeze(0));
        double density = inside.sum().item<long>() / ((double)dcK * fake.shape[0]);
        double coverage = inside.any(0).to_type(ScalarType.Float64).mean().item<double>();
        return (precision, recall, density, coverage);
    }

    /// <summary>The (k + 1)-th smallest squared distance of each row to the set (itself included at 0).</summary>
    private static Tensor KthRadii(Tensor x, int k) => SquaredDistances(x, x).sort(1).Values.select(1, k);

    /// <summary>Full float64 matrix of Σ(aᵢ − bᵢ)², built in row chunks.</summary>
    private static Tensor SquaredDistances(Tensor a, Tensor b)
    {
        var a64 = a.to_type(ScalarType.Float64);
        var b64 = b.to_type(ScalarType.Float64);
        var rows = new List<Tensor>();
        for (long start = 0; start < a64.shape[0]; start += 200)
        {
            long count = Math.Min(200, a64.shape[0] - start);
            var diff = a64.narrow(0, start, count).unsqueeze(1) - b64.unsqueeze(0);
            rows.Add((diff * diff).sum(2));
        }

        return torch.cat(rows, 0);
    }
}
