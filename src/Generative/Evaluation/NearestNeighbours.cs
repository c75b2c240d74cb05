using TorchSharp;

namespace Generative.Evaluation;

/// <summary>
/// Blockwise k-nearest-neighbour computations on feature sets: no N×M matrix is ever formed, only blocks of
/// rows × all columns holding at most a given number of elements. Squared Euclidean distances are computed as
/// ‖a‖² + ‖b‖² − 2a·b (clamped at 0) in float32, or in float64 when the inputs are float64.
/// </summary>
internal static class NearestNeighbours
{
    /// <summary>
    /// The squared distance from every row of <paramref name="x"/> to its k-th nearest other row: the (k + 1)-th
    /// smallest squared distance in its row of the N×N distance matrix, which counts the row itself at distance 0
    /// (the convention of both papers' official code). Returns float <c>[N]</c>.
    /// </summary>
    internal static torch.Tensor KthNeighbourSquaredRadii(torch.Tensor x, int k, long blockElements)
    {
        long n = x.shape[0];
        if (k < 1 || k >= n)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in 1..N−1 = 1..{n - 1} for a set of {n} samples.");
        }

        using var scope = torch.NewDisposeScope();
        var data = x.to_type(FeatureChecks.ComputeType(x));
        var norms = data.square().sum([1]);
        long rows = FeatureChecks.RowsPerBlock(n, blockElements);
        var radii = torch.empty(n, dtype: data.dtype, device: data.device);
        for (long start = 0; start < n; start += rows)
        {
            using var blockScope = torch.NewDisposeScope();
            long end = Math.Min(n, start + rows);
            var distances = SquaredDistances(data.Rows(start, end), norms.Rows(start, end), data, norms);
            var (values, _) = distances.topk(k + 1, dim: 1, largest: false, sorted: true);
            radii.Rows(start, end).copy_(values[.., k]);
        }

        return radii.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One blockwise pass over the generated × real distance matrix for improved precision and recall:
    /// <c>InsideReal[g]</c> = ∃ r: d²(g, r) ≤ realRadii²[r] (precision numerator) and
    /// <c>CoveredReal[r]</c> = ∃ g: d²(g, r) ≤ generatedRadii²[g] (recall numerator). Returns two bool tensors.
    /// </summary>
    internal static (torch.Tensor InsideReal, torch.Tensor CoveredReal) PrecisionRecallPass(
        torch.Tensor generated, torch.Tensor real, torch.Tensor realSquaredRadii, torch.Tensor generatedSquaredRadii, long blockElements)
    {
        using var scope = torch.NewDisposeScope();
        var type = FeatureChecks.ComputeType(real);
        var g = generated.to_type(type);
        var r = real.to_type(type);
        var gNorms = g.square().sum([1]);
        var rNorms = r.square().sum([1]);
        var realRadii = realSquaredRadii.to_type(type).unsqueeze(0);
        var generatedRadii = generatedSquaredRadii.to_type(type);
        long n = g.shape[0];
        long rows = FeatureChecks.RowsPerBlock(r.shape[0], blockElements);
        var inside = torch.empty(n, dtype: torch.ScalarType.Bool, device: g.device);
        var covered = torch.zeros(r.shape[0], dtype: torch.ScalarType.Bool, device: g.device);
        for (long start = 0; start < n; start += rows)
        {
            using var blockScope = torch.NewDisposeScope();
            long end = Math.Min(n, start + rows);
            var distances = SquaredDistances(g.Rows(start, end), gNorms.Rows(start, end), r, rNorms);
            inside.Rows(start, end).copy_(distances.le(realRadii).any(1));
            covered.logical_or_(distances.le(generatedRadii.Rows(start, end).unsqueeze(1)).any(0));
        }

        return (inside.MoveToOuterDisposeScope(), covered.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// One blockwise pass over the generated × real distance matrix for density and coverage, with strict membership
    /// d²(g, r) &lt; realRadii²[r]: the total number of (generated, real-ball) memberships (density numerator) and
    /// <c>CoveredReal[r]</c> = ∃ g inside r's ball (coverage numerator, a bool tensor).
    /// </summary>
    internal static (long Memberships, torch.Tensor CoveredReal) DensityCoveragePass(
        torch.Tensor generated, torch.Tensor real, torch.Tensor realSquaredRadii, long blockElements)
    {
        using var scope = torch.NewDisposeScope();
        var type = FeatureChecks.ComputeType(real);
        var g = generated.to_type(type);
        var r = real.to_type(type);
        var gNorms = g.square().sum([1]);
        var rNorms = r.square().sum([1]);
        var radii = realSquaredRadii.to_type(type).unsqueeze(0);
        long n = g.shape[0];
        long rows = FeatureChecks.RowsPerBlock(r.shape[0], blockElements);
        long memberships = 0;
        var covered = torch.zeros(r.shape[0], dtype: torch.ScalarType.Bool, device: g.device);
        for (long start = 0; start < n; start += rows)
        {
            using var blockScope = torch.NewDisposeScope();
            long end = Math.Min(n, start + rows);
            var inside = SquaredDistances(g.Rows(start, end), gNorms.Rows(start, end), r, rNorms).lt(radii);
            memberships += inside.sum(type: torch.ScalarType.Int64).item<long>();
            covered.logical_or_(inside.any(0));
        }

        return (memberships, covered.MoveToOuterDisposeScope());
    }

    private static torch.Tensor SquaredDistances(torch.Tensor a, torch.Tensor aNorms, torch.Tensor b, torch.Tensor bNorms)
    {
        var products = a.matmul(b.t());
        return products.mul_(-2).add_(aNorms.unsqueeze(1)).add_(bNorms.unsqueeze(0)).clamp_min_(0);
    }
}
