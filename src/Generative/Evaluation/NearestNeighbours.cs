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
    /// For every row q of <paramref name="queries"/>, the number of reference rows r with ‖q − r‖² ≤ radius²(r)
    /// (or &lt; when <paramref name="strict"/>). Returns int64 <c>[Q]</c>.
    /// </summary>
    internal static torch.Tensor CountBallsContaining(torch.Tensor queries, torch.Tensor references, torch.Tensor squaredRadii, bool strict, long blockElements)
    {
        using var scope = torch.NewDisposeScope();
        var type = FeatureChecks.ComputeType(references);
        var q = queries.to_type(type);
        var r = references.to_type(type);
        var rNorms = r.square().sum([1]);
        var qNorms = q.square().sum([1]);
        var radii = squaredRadii.to_type(type).unsqueeze(0);
        long n = q.shape[0];
        long rows = FeatureChecks.RowsPerBlock(r.shape[0], blockElements);
        var counts = torch.empty(n, dtype: torch.ScalarType.Int64, device: q.device);
        for (long start = 0; start < n; start += rows)
        {
            using var blockScope = torch.NewDisposeScope();
            long end = Math.Min(n, start + rows);
            var distances = SquaredDistances(q.Rows(start, end), qNorms.Rows(start, end), r, rNorms);
            var inside = strict ? distances.lt(radii) : distances.le(radii);
            counts.Rows(start, end).copy_(inside.sum([1], type: torch.ScalarType.Int64));
        }

        return counts.MoveToOuterDisposeScope();
    }

    /// <summary>For every row of <paramref name="queries"/>, the smallest squared distance to a row of <paramref name="references"/>. Returns <c>[Q]</c>.</summary>
    internal static torch.Tensor NearestSquaredDistances(torch.Tensor queries, torch.Tensor references, long blockElements)
    {
        using var scope = torch.NewDisposeScope();
        var type = FeatureChecks.ComputeType(references);
        var q = queries.to_type(type);
        var r = references.to_type(type);
        var rNorms = r.square().sum([1]);
        var qNorms = q.square().sum([1]);
        long n = q.shape[0];
        long rows = FeatureChecks.RowsPerBlock(r.shape[0], blockElements);
        var nearest = torch.empty(n, dtype: type, device: q.device);
        for (long start = 0; start < n; start += rows)
        {
            using var blockScope = torch.NewDisposeScope();
            long end = Math.Min(n, start + rows);
            nearest.Rows(start, end).copy_(SquaredDistances(q.Rows(start, end), qNorms.Rows(start, end), r, rNorms).amin([1]));
        }

        return nearest.MoveToOuterDisposeScope();
    }

    private static torch.Tensor SquaredDistances(torch.Tensor a, torch.Tensor aNorms, torch.Tensor b, torch.Tensor bNorms)
    {
        var products = a.matmul(b.t());
        return products.mul_(-2).add_(aNorms.unsqueeze(1)).add_(bNorms.unsqueeze(0)).clamp_min_(0);
    }
}
