using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Evaluation;

/// <summary>
/// Blockwise k-nearest-neighbour computations on feature sets, fast and exact: no N×M matrix is ever formed, only
/// tiles of at most <c>blockElements</c> entries (and at most 1024 × 1024).
/// </summary>
/// <remarks>
/// <para>
/// Every decision is defined on exact squared distances: float64 direct differences Σ(aᵢ − bᵢ)² of the inputs
/// converted to float64 (what the numpy reference computes). The bulk of the work is a fast float32 pass: both sets
/// are centred on a common mean and each tile is one matrix product of augmented vectors, [a, ‖a‖², 1]·[−2b, 1,
/// ‖b‖² − r²] = d²(a, b) − r², so a tile yields the distances already compared with the radii. Every float32 value
/// is within a bound δ = 4(D + 8)·2⁻²⁴·(‖a‖² + ‖b‖² + radii) of its exact counterpart (the textbook bound on a
/// float32 dot product of D + 2 terms, with the rounding of the inputs to float32 and a factor of 2 to spare). A
/// decision whose float32 value is farther than δ from its threshold is therefore the exact decision; the few rows
/// that have a value within δ are recomputed exactly in float64 after the pass. Results thus do not depend on the
/// block size, on the input dtype's compute path, or on the matrix-product kernel.
/// </para>
/// <para>
/// k-th neighbour radii use groups of 16 columns. The distance matrix of a set with itself is symmetric, so only the
/// tiles on and above the block diagonal are computed (half the work): each tile is reduced to its group minima along
/// both axes (cheap strided mins), giving its row block the minima over its column groups and its column block the
/// minima over its row groups, and each row keeps a running list of the k + 3 groups with the smallest minima (top-k
/// merges of a few thousand groups at a time). The distances to those groups' members are then recomputed exactly. The k + 1 smallest distances
/// (the point itself included) always lie in the k + 1 groups with the smallest minima, so the (k + 1)-th smallest
/// exact distance among the candidates is the radius as long as no unselected group could hide a closer point: checked
/// per row as (k + 3)-th smallest group minimum − δ ≥ radius (one spare group makes near-ties between the (k + 1)-th
/// and (k + 2)-th neighbours cost nothing). Rows failing the check (near-ties) are recomputed over all columns.
/// </para>
/// </remarks>
internal static class NearestNeighbours
{
    private const long MaxTileSide = 1024;
    private const long GroupWidth = 16;

    // Padding rows make the row count a multiple of the group width; their augmented vectors give distances of about
    // PadNorm to everything, far beyond any real distance but finite (no inf − inf).
    private const float PadNorm = float.MaxValue / 8;

    /// <summary>
    /// The exact squared distance from every row of <paramref name="x"/> to its k-th nearest other row: the (k + 1)-th
    /// smallest squared distance in its row of the N×N distance matrix, which counts the row itself at distance 0
    /// (the convention of both papers' official code). Returns float64 <c>[N]</c>.
    /// </summary>
    internal static Tensor KthNeighbourSquaredRadii(Tensor x, int k, long blockElements) =>
        KthNeighbourSquaredRadii(x, [k], blockElements)[0];

    /// <summary>
    /// <see cref="KthNeighbourSquaredRadii(Tensor, int, long)"/> for several k at once, from one pass over the distance
    /// matrix: one float64 <c>[N]</c> tensor per entry of <paramref name="ks"/>, in order.
    /// </summary>
    internal static Tensor[] KthNeighbourSquaredRadii(Tensor x, IReadOnlyList<int> ks, long blockElements)
    {
        long n = x.shape[0];
        foreach (int kk in ks)
        {
            if (kk < 1 || kk >= n)
            {
                throw new ArgumentOutOfRangeException(nameof(ks), kk, $"k must be in 1..N−1 = 1..{n - 1} for a set of {n} samples.");
            }
        }

        int k = ks.Max();
        using var scope = NewDisposeScope();
        var exact = x.to_type(ScalarType.Float64);
        var centred = exact - exact.mean([0], keepdim: true);
        var norms = centred.square().sum([1]);
        long d = x.shape[1];
        long side = SymmetricTileSide(blockElements);
        long group = side >= 4 * GroupWidth ? GroupWidth : 1;
        long padded = (n + group - 1) / group * group;
        long groups = padded / group;
        var fast = centred.to_type(ScalarType.Float32);
        var norms32 = norms.to_type(ScalarType.Float32).unsqueeze(1);
        var ones = torch.ones(n, 1, dtype: ScalarType.Float32, device: x.device);
        var rowsAugmented = Pad(cat([fast, norms32, ones], 1), padded, d, d + 1);
        var columnsAugmented = Pad(cat([fast * -2, ones, norms32], 1), padded, d + 1, d);

        // Per row, the `selected` smallest group minima seen so far and their global group indices. The distance matrix
        // is symmetric, so only tiles on and above the block diagonal are computed: an off-diagonal tile gives the
        // row block its minima over column groups and the column block its minima over row groups (the same strided
        // grouping, since rows and columns are cut into the same blocks).
        long selected = Math.Min(k + 3, groups);
        var bestMinima = torch.full(padded, selected, float.PositiveInfinity, dtype: ScalarType.Float32, device: x.device);
        var bestGroups = torch.zeros(padded, selected, dtype: ScalarType.Int64, device: x.device);
        // Group minima are buffered per block and merged a few thousand groups at a time (one top-k each, instead of one
        // per tile): a block's buffer fills with its minima over consecutive groups (its row sweep right of the diagonal,
        // or the row blocks above it, in order). Buffers hold at most `flushGroups` groups per row: about 8 × blockElements
        // values in all, and never more than one group minimum per row and tile (N·side / 16) for very large sets.
        long blocks = (padded + side - 1) / side;
        long groupsPerBlock = side / group;
        long flushGroups = groupsPerBlock * Math.Clamp(8 * blockElements / Math.Max(1, blocks * side * groupsPerBlock), 1, 8);
        var pending = new GroupMinimaBuffer[blocks];
        try
        {
            for (long block = 0; block < blocks; block++)
            {
                pending[block] = new GroupMinimaBuffer(bestMinima, bestGroups, block * side);
            }

            for (long rowBlock = 0; rowBlock < blocks; rowBlock++)
            {
                using var blockScope = NewDisposeScope();
                long rowStart = rowBlock * side;
                long height = Math.Min(side, padded - rowStart);
                var blockRows = rowsAugmented.Rows(rowStart, rowStart + height);
                var own = pending[rowBlock];
                own.Flush(); // the row blocks above are done with this block
                for (long columnBlock = rowBlock; columnBlock < blocks; columnBlock++)
                {
                    using var tileScope = NewDisposeScope();
                    long column = columnBlock * side;
                    long width = Math.Min(side, padded - column);
                    var tile = blockRows.mm(columnsAugmented.Rows(column, column + width).t());

                    // Group g of a block starting at b holds indices b + g + s·(length / group), s = 0..group−1 (a strided min).
                    own.Add(tile.view(height, group, width / group).amin([1]), column / group, flushGroups);
                    if (columnBlock != rowBlock)
                    {
                        pending[columnBlock].Add(tile.view(group, height / group, width).amin([0]).t(), rowStart / group, flushGroups);
                    }
                }

                own.Flush();
            }
        }
        finally
        {
            foreach (var buffer in pending)
            {
                buffer?.Dispose();
            }
        }

        var radii = ks.Select(_ => torch.empty(n, dtype: ScalarType.Float64, device: x.device)).ToArray();
        var recheck = ks.Select(_ => torch.zeros(n, dtype: ScalarType.Bool, device: x.device)).ToArray();
        double maxNorm = norms.max().item<double>();
        var bound = norms.add(maxNorm).mul_(Slack(d));
        var memberOffsets = torch.arange(group, dtype: ScalarType.Int64, device: x.device);
        long rowsPerChunk = Math.Max(1, Math.Min(n, blockElements / Math.Max(1, selected * group * d)));
        for (long start = 0; start < n; start += rowsPerChunk)
        {
            using var chunkScope = NewDisposeScope();
            long end = Math.Min(n, start + rowsPerChunk);
            long rows = end - start;
            var groupIndex = bestGroups.Rows(start, end);
            var blockStart = groupIndex.mul(group).div_(side, rounding_mode: RoundingMode.floor).mul_(side);
            var stride = blockStart.neg().add_(padded).clamp_max_(side).div_(group, rounding_mode: RoundingMode.floor);
            var first = groupIndex.sub(blockStart.div(group, rounding_mode: RoundingMode.floor)).add_(blockStart);
            var members = first.unsqueeze(-1).add(stride.unsqueeze(-1).mul(memberOffsets)).view(rows, -1);
            var candidates = ExactSelected(exact.Rows(start, end), exact, members, blockElements);

            // An unselected group's members are ≥ its float32 minimum − δ ≥ the largest selected minimum − δ.
            var floor = selected < groups ? bestMinima.Rows(start, end).amax([1]).to_type(ScalarType.Float64).sub_(bound.Rows(start, end)) : null;
            for (int i = 0; i < ks.Count; i++)
            {
                var radius = candidates.kthvalue(ks[i] + 1, dim: 1).values;
                radii[i].Rows(start, end).copy_(radius);
                if (floor is not null)
                {
                    recheck[i].Rows(start, end).copy_(floor.ge(radius).logical_not_());
                }
            }
        }

        for (int i = 0; i < ks.Count; i++)
        {
            var flagged = recheck[i].nonzero().squeeze(1);
            if (flagged.shape[0] > 0)
            {
                radii[i].index_copy_(0, flagged, ExactKth(exact.index_select(0, flagged), exact, ks[i] + 1, blockElements));
            }

            radii[i].MoveToOuterDisposeScope();
        }

        return radii;
    }

    /// <summary>
    /// One blockwise pass over the generated × real distance matrix for precision/recall (when
    /// <paramref name="precisionRealRadii"/> and <paramref name="precisionGeneratedRadii"/> are given), density/coverage
    /// (when <paramref name="densityRealRadii"/> is given), or both at the cost of one matrix product per tile. Radii are
    /// the exact float64 squared radii of <see cref="KthNeighbourSquaredRadii(Tensor, int, long)"/>. Precision/recall:
    /// g is inside the real manifold if ∃ r: d²(g, r) ≤ r²[r], r is covered if ∃ g: d²(g, r) ≤ r²[g]. Density/coverage
    /// use strict membership d²(g, r) &lt; r²[r]: the number of (generated, real-ball) memberships, and r is covered if
    /// ∃ g inside its ball.
    /// </summary>
    internal static CrossPassResult CrossPass(
        Tensor generated, Tensor real, Tensor? precisionRealRadii, Tensor? precisionGeneratedRadii, Tensor? densityRealRadii, long blockElements)
    {
        bool pr = precisionRealRadii is not null;
        bool dc = densityRealRadii is not null;
        if (pr != precisionGeneratedRadii is not null || !(pr || dc))
        {
            throw new ArgumentException("A cross pass needs both precision/recall radii, the density/coverage radii, or all three.");
        }

        using var scope = NewDisposeScope();
        var device = generated.device;
        var pair = CrossPair.Create(generated, real, pr ? precisionRealRadii! : densityRealRadii!); // tiles d²(g, r) − that r²[r]
        long n = pair.GeneratedCount;
        long m = pair.RealCount;
        Tensor Full(long length) => torch.full(length, float.PositiveInfinity, dtype: ScalarType.Float32, device: device);
        var precisionMinima = pr ? Full(n) : null;
        var recallMinima = pr ? Full(m) : null;
        var coverageMinima = dc ? Full(m) : null;
        var boundaryDistances = dc ? Full(n) : null;
        var signTotals = dc ? torch.zeros(n, dtype: ScalarType.Float64, device: device) : null;
        var generatedRadii32 = pr ? precisionGeneratedRadii!.to_type(ScalarType.Float32).unsqueeze(1) : null;
        var densityShift32 = pr && dc ? (precisionRealRadii! - densityRealRadii!).to_type(ScalarType.Float32).unsqueeze(0) : null;
        var tileRadii32 = (dc ? densityRealRadii! : precisionRealRadii!).to_type(ScalarType.Float32).unsqueeze(0); // r² in the tile at the recall step
        long tileCols = TileColumns(blockElements);
        long rowsPerBlock = Math.Max(1, Math.Min(MaxTileSide, blockElements / tileCols));
        for (long start = 0; start < n; start += rowsPerBlock)
        {
            using var blockScope = NewDisposeScope();
            long end = Math.Min(n, start + rowsPerBlock);
            for (long column = 0; column < m; column += tileCols)
            {
                using var tileScope = NewDisposeScope();
                long stop = Math.Min(m, column + tileCols);
                var tile = pair.Tile(start, end, column, stop);
                if (pr)
                {
                    var rowMinima = precisionMinima!.Rows(start, end);
                    rowMinima.copy_(torch.minimum(rowMinima, tile.amin([1]))); // min over r of d²(g, r) − r²[r]
                }

                if (dc)
                {
                    if (densityShift32 is not null)
                    {
                        tile.add_(densityShift32.narrow(1, column, stop - column)); // d²(g, r) − density r²[r]
                    }

                    var columnMinima = coverageMinima!.Rows(column, stop);
                    columnMinima.copy_(torch.minimum(columnMinima, tile.amin([0])));

                    // Σ sign over the row (exact in float32: at most 1024 terms of ±1, 0). Without zeros it counts the
                    // negative values as (columns − Σ sign) / 2; a row with a zero is within δ of a boundary and recounted.
                    signTotals!.Rows(start, end).add_(tile.sign().sum([1]));
                    var boundary = boundaryDistances!.Rows(start, end);
                    boundary.copy_(torch.minimum(boundary, (pr ? tile.abs() : tile.abs_()).amin([1])));
                }

                if (pr)
                {
                    // min over g of d²(g, r) − r²[g] = r²[r] + min over g of (tile − r²[g]): one pass over the tile.
                    var columnMinima = recallMinima!.Rows(column, stop);
                    var minima = tile.sub_(generatedRadii32!.Rows(start, end)).amin([0]).add_(tileRadii32.narrow(1, column, stop - column).squeeze(0));
                    columnMinima.copy_(torch.minimum(columnMinima, minima));
                }
            }
        }

        // Bounds: every float32 value is within slack × (the scales of its row and column) of its exact counterpart.
        double slack = Slack(generated.shape[1]);
        var realScale = pair.RealNorms.clone();
        var generatedScale = pair.GeneratedNorms.clone();
        if (pr)
        {
            realScale.add_(precisionRealRadii!);
            generatedScale.add_(precisionGeneratedRadii!);
        }

        if (dc)
        {
            realScale.add_(densityRealRadii!);
        }

        var generatedBound = generatedScale.add(realScale.max()).mul_(slack);
        var realBound = realScale.add(generatedScale.max()).mul_(slack);
        Tensor? inside = null, recallCovered = null, coverageCovered = null;
        long memberships = 0;
        if (pr)
        {
            inside = Decide(precisionMinima!, generatedBound, rows =>
                ExactCount(pair.ExactGenerated.index_select(0, rows), pair.ExactReal, null, precisionRealRadii, strict: false, blockElements).gt(0));
            recallCovered = Decide(recallMinima!, realBound, rows =>
                ExactCount(pair.ExactReal.index_select(0, rows), pair.ExactGenerated, null, precisionGeneratedRadii, strict: false, blockElements).gt(0));
        }

        if (dc)
        {
            // Rows with a value within δ of a ball's boundary are counted exactly; the others' float32 counts are exact.
            var counted = signTotals!.neg_().add_(m).div_(2);
            var unsure = boundaryDistances!.to_type(ScalarType.Float64).le(generatedBound).nonzero().squeeze(1);
            if (unsure.shape[0] > 0)
            {
                var exactCounts = ExactCount(pair.ExactGenerated.index_select(0, unsure), pair.ExactReal, null, densityRealRadii, strict: true, blockElements);
                counted.index_copy_(0, unsure, exactCounts.to_type(ScalarType.Float64));
            }

            memberships = counted.sum().to_type(ScalarType.Int64).item<long>();
            coverageCovered = Decide(coverageMinima!, realBound, rows =>
                ExactCount(pair.ExactReal.index_select(0, rows), pair.ExactGenerated, densityRealRadii!.index_select(0, rows), null, strict: true, blockElements).gt(0));
        }

        return new CrossPassResult(inside?.MoveToOuterDisposeScope(), recallCovered?.MoveToOuterDisposeScope(), memberships, coverageCovered?.MoveToOuterDisposeScope());
    }

    /// <summary>The float32 error bound per unit of ‖a‖² + ‖b‖² + radii for features of dimension <paramref name="d"/>.</summary>
    internal static double Slack(long d) => 4.0 * (d + 8) * Math.Pow(2, -24);

    /// <summary>The side of the square tiles of the symmetric radii pass: up to 1024, side² ≤ the block budget, a multiple of the group width when the budget allows groups.</summary>
    private static long SymmetricTileSide(long blockElements)
    {
        long side = Math.Clamp((long)Math.Sqrt(blockElements), 1, MaxTileSide);
        while (side * side > blockElements)
        {
            side--;
        }

        return side >= 4 * GroupWidth ? side / GroupWidth * GroupWidth : side;
    }

    /// <summary>
    /// Merges a block's group minima <paramref name="minima"/> <c>[rows, G]</c> (for rows from <paramref name="rowStart"/>,
    /// groups numbered from <paramref name="firstGroup"/>) into the running per-row smallest minima and their groups.
    /// </summary>
    private static void MergeGroupMinima(Tensor bestMinima, Tensor bestGroups, long rowStart, Tensor minima, long firstGroup)
    {
        long rows = minima.shape[0];
        long selected = bestMinima.shape[1];
        var values = bestMinima.Rows(rowStart, rowStart + rows);
        var groups = bestGroups.Rows(rowStart, rowStart + rows);
        var newGroups = torch.arange(firstGroup, firstGroup + minima.shape[1], dtype: ScalarType.Int64, device: minima.device).expand(rows, -1);
        var (merged, position) = cat([values, minima], 1).topk((int)selected, dim: 1, largest: false, sorted: false);
        var mergedGroups = cat([groups, newGroups], 1).gather(1, position);
        values.copy_(merged);
        groups.copy_(mergedGroups);
    }

    /// <summary>Columns per tile: up to 1024, a multiple of the group width when the budget allows groups.</summary>
    private static long TileColumns(long blockElements)
    {
        long columns = Math.Clamp(blockElements, 1, MaxTileSide);
        return columns >= 4 * GroupWidth ? columns / GroupWidth * GroupWidth : columns;
    }

    /// <summary>
    /// Turns float32 minima (value − threshold) into exact decisions "minimum ≤ 0 / &lt; 0": below −δ is true, above δ
    /// false, and the rows in between are decided by <paramref name="exact"/> (given their indices).
    /// </summary>
    private static Tensor Decide(Tensor minima, Tensor bound, Func<Tensor, Tensor> exact)
    {
        var values = minima.to_type(ScalarType.Float64);
        var result = values.lt(bound.neg());
        var unsure = values.abs().le_(bound).nonzero().squeeze(1);
        if (unsure.shape[0] > 0)
        {
            result.index_copy_(0, unsure, exact(unsure));
        }

        return result;
    }

    /// <summary>Appends rows to reach <paramref name="rows"/>: zeros with PadNorm at <paramref name="padColumn"/> and 1 at <paramref name="oneColumn"/>.</summary>
    private static Tensor Pad(Tensor augmented, long rows, long padColumn, long oneColumn)
    {
        long extra = rows - augmented.shape[0];
        if (extra == 0)
        {
            return augmented;
        }

        var pad = torch.zeros(extra, augmented.shape[1], dtype: augmented.dtype, device: augmented.device);
        pad.select(1, padColumn).fill_(PadNorm);
        pad.select(1, oneColumn).fill_(1);
        return cat([augmented, pad], 0);
    }

    /// <summary>
    /// Exact squared distances from each row of <paramref name="a"/> <c>[R, D]</c> to the rows of <paramref name="b"/>
    /// named by <paramref name="indices"/> <c>[R, P]</c>; indices ≥ rows of b (padding) give +∞.
    /// </summary>
    private static Tensor ExactSelected(Tensor a, Tensor b, Tensor indices, long blockElements)
    {
        long rows = a.shape[0];
        long count = indices.shape[1];
        long d = a.shape[1];
        long n = b.shape[0];
        var result = torch.empty(rows, count, dtype: ScalarType.Float64, device: a.device);
        long chunk = Math.Max(1, blockElements / Math.Max(1, count * d));
        for (long start = 0; start < rows; start += chunk)
        {
            using var scope = NewDisposeScope();
            long end = Math.Min(rows, start + chunk);
            var index = indices.Rows(start, end);
            var padding = index.ge(n);
            var gathered = b.index_select(0, index.clamp_max(n - 1).flatten()).view(end - start, count, d);
            var difference = gathered.sub_(a.Rows(start, end).unsqueeze(1));
            var distances = difference.mul_(difference).sum([2]);
            result.Rows(start, end).copy_(distances.masked_fill_(padding, double.PositiveInfinity));
        }

        return result;
    }

    /// <summary>The exact <paramref name="kk"/>-th smallest squared distance from each row of a to the rows of b (float64 [rows of a]).</summary>
    private static Tensor ExactKth(Tensor a, Tensor b, int kk, long blockElements)
    {
        var smallest = torch.full(a.shape[0], kk, double.PositiveInfinity, dtype: ScalarType.Float64, device: a.device);
        long d = a.shape[1];
        long columns = Math.Clamp(blockElements / Math.Max(1, d), 1, b.shape[0]);
        long rows = Math.Max(1, blockElements / Math.Max(1, columns * d));
        for (long start = 0; start < a.shape[0]; start += rows)
        {
            long end = Math.Min(a.shape[0], start + rows);
            for (long column = 0; column < b.shape[0]; column += columns)
            {
                using var scope = NewDisposeScope();
                long stop = Math.Min(b.shape[0], column + columns);
                var difference = a.Rows(start, end).unsqueeze(1).sub(b.Rows(column, stop).unsqueeze(0));
                var distances = difference.mul_(difference).sum([2]); // direct differences, [rows, columns]
                var running = smallest.Rows(start, end);
                running.copy_(cat([running, distances], 1).topk(kk, dim: 1, largest: false).values);
            }
        }

        return smallest.amax([1]);
    }

    /// <summary>
    /// Per row of a, the exact number of rows of b with d² ≤ (or &lt; when <paramref name="strict"/>) a threshold: the
    /// row's own radius (<paramref name="rowRadii"/> [rows of a]) or each column's (<paramref name="columnRadii"/> [rows of b]).
    /// </summary>
    /// <remarks>
    /// Two levels, so that a few thousand unsure rows cost a float64 matrix product rather than N·D direct differences
    /// each: float64 tiles of augmented vectors (both sets centred on b's mean) give d² − threshold within
    /// δ = 8(D + 8)·2⁻⁵³·(‖a‖² + ‖b‖² + threshold) of the exact value, so only the pairs within δ of the threshold
    /// (exact ties, in practice) are recomputed as direct differences Σ(aᵢ − bᵢ)².
    /// </remarks>
    private static Tensor ExactCount(Tensor a, Tensor b, Tensor? rowRadii, Tensor? columnRadii, bool strict, long blockElements)
    {
        using var scope = NewDisposeScope();
        long rows = a.shape[0];
        long d = a.shape[1];
        var counts = torch.zeros(rows, dtype: ScalarType.Int64, device: a.device);
        var centre = b.mean([0], keepdim: true);
        var ca = a - centre;
        var cb = b - centre;
        var aNorms = ca.square().sum([1]);
        var bNorms = cb.square().sum([1]);
        var aOnes = torch.ones(rows, 1, dtype: ScalarType.Float64, device: a.device);
        var bOnes = torch.ones(b.shape[0], 1, dtype: ScalarType.Float64, device: a.device);
        var aAugmented = cat([ca, aNorms.unsqueeze(1), aOnes], 1);
        var bAugmented = cat([cb.mul(-2), bOnes, bNorms.unsqueeze(1)], 1);
        double slack = 8.0 * (d + 8) * Math.Pow(2, -53);
        using var one = 1.ToScalar();
        long rowsPerBlock = Math.Clamp(blockElements / Math.Max(1, b.shape[0]), 1, rows);
        long columns = Math.Clamp(blockElements / rowsPerBlock, 1, b.shape[0]);
        for (long start = 0; start < rows; start += rowsPerBlock)
        {
            long end = Math.Min(rows, start + rowsPerBlock);
            for (long column = 0; column < b.shape[0]; column += columns)
            {
                using var tileScope = NewDisposeScope();
                long stop = Math.Min(b.shape[0], column + columns);
                var threshold = rowRadii is not null ? rowRadii.Rows(start, end).unsqueeze(1) : columnRadii!.Rows(column, stop).unsqueeze(0);
                var values = aAugmented.Rows(start, end).mm(bAugmented.Rows(column, stop).t()).sub_(threshold); // d² − threshold
                var bound = aNorms.Rows(start, end).unsqueeze(1).add(bNorms.Rows(column, stop).unsqueeze(0)).add_(threshold).mul_(slack);
                var rowCounts = counts.Rows(start, end);
                rowCounts.add_(values.lt(bound.neg()).sum([1], type: ScalarType.Int64));
                var unsure = values.abs_().le_(bound).nonzero();
                if (unsure.shape[0] > 0)
                {
                    var unsureRows = unsure.select(1, 0);
                    var unsureColumns = unsure.select(1, 1);
                    var difference = a.Rows(start, end).index_select(0, unsureRows).sub_(b.Rows(column, stop).index_select(0, unsureColumns));
                    var exact = difference.mul_(difference).sum([1]);
                    var limit = rowRadii is not null ? rowRadii.Rows(start, end).index_select(0, unsureRows) : columnRadii!.Rows(column, stop).index_select(0, unsureColumns);
                    var inside = strict ? exact.lt(limit) : exact.le(limit);
                    rowCounts.index_add_(0, unsureRows, inside.to_type(ScalarType.Int64), one);
                }
            }
        }

        return counts.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// What <see cref="CrossPass"/> decided: <c>InsideReal[g]</c> (precision numerator) and <c>RecallCovered[r]</c> (recall
    /// numerator) for precision/recall; the membership count (density numerator) and <c>CoverageCovered[r]</c> (coverage
    /// numerator) for density/coverage. Bool tensors, <see langword="null"/> when not asked for.
    /// </summary>
    internal sealed record CrossPassResult(Tensor? InsideReal, Tensor? RecallCovered, long Memberships, Tensor? CoverageCovered)
    {
        /// <summary>Precision and recall from a pass that decided them.</summary>
        internal PrecisionRecallResult ToPrecisionRecall(int k) => new(Fraction(InsideReal!), Fraction(RecallCovered!), k);

        /// <summary>Density and coverage from a pass that decided them, for <paramref name="generatedCount"/> generated samples.</summary>
        internal DensityCoverageResult ToDensityCoverage(int k, long generatedCount) =>
            new(Memberships / ((double)k * generatedCount), Fraction(CoverageCovered!), k);

        private static double Fraction(Tensor flags) => flags.to_type(ScalarType.Float64).mean().item<double>();
    }

    /// <summary>
    /// Pending group minima of one block of rows, over consecutive groups, merged into the running per-row smallest
    /// minima when they reach a size or on <see cref="Flush"/>. Owns its pending tensors (outside dispose scopes).
    /// </summary>
    private sealed class GroupMinimaBuffer(Tensor bestMinima, Tensor bestGroups, long rowStart) : IDisposable
    {
        private readonly List<Tensor> _minima = [];
        private long _firstGroup;
        private long _groups;

        /// <summary>Adds minima <c>[rows, G]</c> over groups <paramref name="firstGroup"/>..+G (which must follow the pending ones).</summary>
        internal void Add(Tensor minima, long firstGroup, long flushGroups)
        {
            if (_minima.Count == 0)
            {
                _firstGroup = firstGroup;
            }

            _minima.Add(minima.contiguous().DetachFromDisposeScope());
            _groups += minima.shape[1];
            if (_groups >= flushGroups)
            {
                Flush();
            }
        }

        /// <summary>Merges the pending minima (one top-k per row) and clears them.</summary>
        internal void Flush()
        {
            if (_minima.Count == 0)
            {
                return;
            }

            using (var scope = NewDisposeScope())
            {
                MergeGroupMinima(bestMinima, bestGroups, rowStart, _minima.Count == 1 ? _minima[0] : cat(_minima, 1), _firstGroup);
            }

            Dispose();
        }

        public void Dispose()
        {
            foreach (var minima in _minima)
            {
                minima.Dispose();
            }

            _minima.Clear();
            _groups = 0;
        }
    }

    /// <summary>
    /// The generated × real pair prepared for the float32 pass: both centred on the real mean, generated rows as
    /// [g, ‖g‖², 1] and real rows as [−2r, 1, ‖r‖² − r²[r]], so a tile is d²(g, r) − r²[r]. Also keeps the exact
    /// float64 features for rechecks and the float64 squared norms of the centred features for the bounds.
    /// </summary>
    private sealed record CrossPair(
        Tensor ExactGenerated, Tensor ExactReal, Tensor GeneratedNorms, Tensor RealNorms, Tensor GeneratedRows, Tensor RealRows)
    {
        internal long GeneratedCount => ExactGenerated.shape[0];

        internal long RealCount => ExactReal.shape[0];

        internal static CrossPair Create(Tensor generated, Tensor real, Tensor realSquaredRadii)
        {
            var exactReal = real.to_type(ScalarType.Float64);
            var exactGenerated = generated.to_type(ScalarType.Float64).to(exactReal.device);
            var centre = exactReal.mean([0], keepdim: true);
            var g = exactGenerated - centre;
            var r = exactReal - centre;
            var gNorms = g.square().sum([1]);
            var rNorms = r.square().sum([1]);
            var gOnes = torch.ones(g.shape[0], 1, dtype: ScalarType.Float32, device: g.device);
            var rOnes = torch.ones(r.shape[0], 1, dtype: ScalarType.Float32, device: r.device);
            var generatedRows = cat([g.to_type(ScalarType.Float32), gNorms.to_type(ScalarType.Float32).unsqueeze(1), gOnes], 1);
            var realRows = cat(
                [r.mul(-2).to_type(ScalarType.Float32), rOnes, (rNorms - realSquaredRadii).to_type(ScalarType.Float32).unsqueeze(1)], 1);
            return new CrossPair(exactGenerated, exactReal, gNorms, rNorms, generatedRows, realRows);
        }

        /// <summary>The float32 tile d²(g, r) − r²[r] for generated rows start..end−1 and real rows column..stop−1.</summary>
        internal Tensor Tile(long start, long end, long column, long stop) =>
            GeneratedRows.Rows(start, end).mm(RealRows.Rows(column, stop).t());
    }
}

