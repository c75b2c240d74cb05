using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Evaluation;

/// <summary>
/// Blockwise k-nearest-neighbour computations on feature sets, fast and exact: no N×M matrix is ever formed. On x86-64
/// CPUs with AVX2 and FMA (and CPU tensors) the float32 passes run on <see cref="DistanceKernels"/>, which reduce 4 × 16
/// blocks of distances in registers and never store a tile; elsewhere they are matrix products of tensor tiles of at
/// most <c>blockElements</c> entries (and at most 1024 × 1024). Both give the same results; <c>blockElements</c> also
/// bounds the tensors of the exact rechecks.
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
/// k-th neighbour radii on the fused kernels keep, per row, the k + 3 smallest float32 values of the upper triangle as
/// the blocks are computed (each off-diagonal block serves its rows and its columns); their exact distances are then
/// computed, and the (k + 1)-th smallest is the radius unless the largest kept value − δ is below it (checked per row
/// as below). On tensor tiles they use groups of 16 columns. The distance matrix of a set with itself is symmetric, so only the
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

    // The exact counts' float64 tiles: at most 2²⁰ elements (8 MB, fewer with a smaller block budget), with a heap
    // trim after every 2²⁴ tile elements (128 MB) computed.
    private const long MaxExactTileElements = 1L << 20;
    private const long TrimElements = 1L << 24;

    // Padding rows make the row count a multiple of the group width; their augmented vectors give distances of about
    // PadNorm to everything, far beyond any real distance but finite (no inf − inf).
    private const float PadNorm = float.MaxValue / 8;

    /// <summary>
    /// The exact squared distance from every row of <paramref name="x"/> to its k-th nearest other row: the (k + 1)-th
    /// smallest squared distance in its row of the N×N distance matrix, which counts the row itself at distance 0
    /// (the convention of both papers' official code). Returns float64 <c>[N]</c>.
    /// </summary>
    internal static Tensor KthNeighbourSquaredRadii(Tensor x, int k, long blockElements, NeighbourKernel kernel = NeighbourKernel.Auto) =>
        KthNeighbourSquaredRadii(x, [k], blockElements, kernel)[0];

    /// <summary>
    /// <see cref="KthNeighbourSquaredRadii(Tensor, int, long, NeighbourKernel)"/> for several k at once, from one pass over
    /// the distance matrix: one float64 <c>[N]</c> tensor per entry of <paramref name="ks"/>, in order.
    /// </summary>
    internal static Tensor[] KthNeighbourSquaredRadii(Tensor x, IReadOnlyList<int> ks, long blockElements, NeighbourKernel kernel = NeighbourKernel.Auto)
    {
        var radii = KthNeighbourSquaredRadiiCore(x, ks, blockElements, kernel);
        NativeHeap.Trim(); // the pass's temporaries are large and many; give their pages back
        return radii;
    }

    private static Tensor[] KthNeighbourSquaredRadiiCore(Tensor x, IReadOnlyList<int> ks, long blockElements, NeighbourKernel kernel)
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
        var norms = centred.Squared().sum([1]);
        var candidates = UsesFusedKernels(kernel, x, x, listLength: k + 3)
            ? FusedRadiusCandidates(centred, norms, k)
            : TiledRadiusCandidates(centred, norms, k, blockElements);

        var radii = ks.Select(_ => torch.empty(n, dtype: ScalarType.Float64, device: x.device)).ToArray();
        var recheck = ks.Select(_ => torch.zeros(n, dtype: ScalarType.Bool, device: x.device)).ToArray();
        double maxNorm = norms.max().item<double>();
        var bound = norms.Plus(maxNorm).TimesInPlace(Slack(x.shape[1]));
        long rowsPerChunk = Math.Max(1, Math.Min(n, blockElements / Math.Max(1, candidates.PerRow * x.shape[1])));
        for (long start = 0; start < n; start += rowsPerChunk)
        {
            using var chunkScope = NewDisposeScope();
            long end = Math.Min(n, start + rowsPerChunk);
            var exactCandidates = ExactSelected(exact.Rows(start, end), exact, candidates.Members(start, end), blockElements);

            // Every point left out is ≥ the largest kept float32 value − δ.
            var floor = candidates.LargestKept?.Rows(start, end).to_type(ScalarType.Float64).sub_(bound.Rows(start, end));
            for (int i = 0; i < ks.Count; i++)
            {
                var radius = exactCandidates.kthvalue(ks[i] + 1, dim: 1).values;
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
    /// The radii pass on the tensor path: float32 tiles of the upper triangle reduced to group minima, the k + 3 groups
    /// with the smallest minima per row kept; candidates are those groups' members.
    /// </summary>
    private static RadiusCandidates TiledRadiusCandidates(Tensor centred, Tensor norms, int k, long blockElements)
    {
        long n = centred.shape[0];
        long d = centred.shape[1];
        var device = centred.device;
        long side = SymmetricTileSide(blockElements);
        long group = side >= 4 * GroupWidth ? GroupWidth : 1;
        long padded = (n + group - 1) / group * group;
        long groups = padded / group;
        var (rowsAugmented, columnsAugmented) = AugmentedSelf(centred, norms, padded);

        // Per row, the `selected` smallest group minima seen so far and their global group indices. The distance matrix
        // is symmetric, so only tiles on and above the block diagonal are computed: an off-diagonal tile gives the
        // row block its minima over column groups and the column block its minima over row groups (the same strided
        // grouping, since rows and columns are cut into the same blocks).
        long selected = Math.Min(k + 3, groups);
        var bestMinima = HeldScalars.Full([padded, selected], float.PositiveInfinity, ScalarType.Float32, device);
        var bestGroups = torch.zeros(padded, selected, dtype: ScalarType.Int64, device: device);
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

        var memberOffsets = HeldScalars.Arange(group, ScalarType.Int64, device);
        Tensor Members(long start, long end)
        {
            var groupIndex = bestGroups.Rows(start, end);
            var blockStart = groupIndex.Times(group).DividedByInPlace(side, RoundingMode.floor).TimesInPlace(side);
            var stride = blockStart.neg().PlusInPlace(padded).ClampMaxInPlace(side).DividedByInPlace(group, RoundingMode.floor);
            var first = groupIndex.sub(blockStart.DividedBy(group, RoundingMode.floor)).PlusInPlace(blockStart);
            return first.unsqueeze(-1).Plus(stride.unsqueeze(-1).mul(memberOffsets)).view(end - start, -1);
        }

        // An unselected group's members are ≥ its float32 minimum − δ ≥ the largest selected minimum − δ.
        return new RadiusCandidates(selected * group, Members, selected < groups ? bestMinima.amax([1]) : null);
    }

    /// <summary>
    /// The radii pass with <see cref="DistanceKernels.SmallestPerRow"/>: the k + 3 smallest float32 values per row of the
    /// upper triangle, kept as they are computed; candidates are their columns.
    /// </summary>
    private static RadiusCandidates FusedRadiusCandidates(Tensor centred, Tensor norms, int k)
    {
        long n = centred.shape[0];
        int padded = (int)((n + DistanceKernels.Panel - 1) / DistanceKernels.Panel * DistanceKernels.Panel);
        int width = (int)centred.shape[1] + 2;
        var (rowsAugmented, columnsAugmented) = AugmentedSelf(centred, norms, padded);
        int kept = (int)Math.Min(k + 3, n);
        var lists = DistanceKernels.SmallestPerRow(
            DistanceKernels.PackStrips(rowsAugmented), DistanceKernels.PackPanels(columnsAugmented), padded, width, kept, torch.get_num_threads());
        if (Array.IndexOf(lists.Indices, -1, 0, (int)n * kept) >= 0)
        {
            throw new InvalidOperationException("Internal error: a row's list of nearest candidates is not full.");
        }

        var members = torch.tensor(lists.Indices, [padded, kept], device: centred.device).to_type(ScalarType.Int64).Rows(0, n);
        var largest = torch.tensor(lists.Largest(), device: centred.device).Rows(0, n);
        return new RadiusCandidates(kept, (start, end) => members.Rows(start, end), kept < n ? largest : null);
    }

    /// <summary>
    /// A set's float32 augmented vectors for its distance matrix, padded to <paramref name="padded"/> rows: rows
    /// [a, ‖a‖², 1] and columns [−2b, 1, ‖b‖²], so that a row times a column is d²(a, b).
    /// </summary>
    private static (Tensor Rows, Tensor Columns) AugmentedSelf(Tensor centred, Tensor norms, long padded)
    {
        long d = centred.shape[1];
        var fast = centred.to_type(ScalarType.Float32);
        var norms32 = norms.to_type(ScalarType.Float32).unsqueeze(1);
        var ones = torch.ones(centred.shape[0], 1, dtype: ScalarType.Float32, device: centred.device);
        return (Pad(cat([fast, norms32, ones], 1), padded, d, d + 1), Pad(cat([fast.Times(-2), ones, norms32], 1), padded, d + 1, d));
    }

    /// <summary>
    /// One blockwise pass over the generated × real distance matrix for precision/recall (when
    /// <paramref name="precisionRealRadii"/> and <paramref name="precisionGeneratedRadii"/> are given), density/coverage
    /// (when <paramref name="densityRealRadii"/> is given), or both at the cost of one matrix product per tile. Radii are
    /// the exact float64 squared radii of <see cref="KthNeighbourSquaredRadii(Tensor, int, long, NeighbourKernel)"/>. Precision/recall:
    /// g is inside the real manifold if ∃ r: d²(g, r) ≤ r²[r], r is covered if ∃ g: d²(g, r) ≤ r²[g]. Density/coverage
    /// use strict membership d²(g, r) &lt; r²[r]: the number of (generated, real-ball) memberships, and r is covered if
    /// ∃ g inside its ball.
    /// </summary>
    internal static CrossPassResult CrossPass(
        Tensor generated,
        Tensor real,
        Tensor? precisionRealRadii,
        Tensor? precisionGeneratedRadii,
        Tensor? densityRealRadii,
        long blockElements,
        NeighbourKernel kernel = NeighbourKernel.Auto)
    {
        var result = CrossPassCore(generated, real, precisionRealRadii, precisionGeneratedRadii, densityRealRadii, blockElements, kernel);
        NativeHeap.Trim(); // the pass's temporaries are large and many; give their pages back
        return result;
    }

    private static CrossPassResult CrossPassCore(
        Tensor generated, Tensor real, Tensor? precisionRealRadii, Tensor? precisionGeneratedRadii, Tensor? densityRealRadii, long blockElements, NeighbourKernel kernel)
    {
        bool pr = precisionRealRadii is not null;
        bool dc = densityRealRadii is not null;
        if (pr != precisionGeneratedRadii is not null || !(pr || dc))
        {
            throw new ArgumentException("A cross pass needs both precision/recall radii, the density/coverage radii, or all three.");
        }

        using var scope = NewDisposeScope();
        var pair = CrossPair.Create(generated, real, pr ? precisionRealRadii! : densityRealRadii!); // values d²(g, r) − that r²[r]
        long n = pair.GeneratedCount;
        long m = pair.RealCount;
        var generatedRadii32 = pr ? precisionGeneratedRadii!.to_type(ScalarType.Float32) : null;
        var densityShift32 = pr && dc ? (precisionRealRadii! - densityRealRadii!).to_type(ScalarType.Float32) : null;

        // Bounds: every float32 value is within slack × (the scales of its row and column) of its exact counterpart.
        double slack = Slack(generated.shape[1]);
        var realScale = pair.RealNorms.clone();
        var generatedScale = pair.GeneratedNorms.clone();
        if (pr)
        {
            realScale.PlusInPlace(precisionRealRadii!);
            generatedScale.PlusInPlace(precisionGeneratedRadii!);
        }

        if (dc)
        {
            realScale.PlusInPlace(densityRealRadii!);
        }

        // Density's boundary test is per pair: |value| − slack·realScale[r] against slack·generatedScale[g].
        var columnSlack32 = dc ? realScale.Times(slack).to_type(ScalarType.Float32) : null;
        var minima = UsesFusedKernels(kernel, generated, real)
            ? FusedCrossMinima(pair, generatedRadii32, dc, densityShift32, columnSlack32, precisionRealRadii)
            : TiledCrossMinima(pair, generatedRadii32, dc, densityShift32, columnSlack32, (dc ? densityRealRadii! : precisionRealRadii!).to_type(ScalarType.Float32), blockElements);

        var generatedBound = generatedScale.Plus(realScale.max()).TimesInPlace(slack);
        var realBound = realScale.Plus(generatedScale.max()).TimesInPlace(slack);
        Tensor? inside = null, recallCovered = null, coverageCovered = null;
        long memberships = 0;
        if (pr)
        {
            inside = Decide(minima.Precision!, generatedBound, rows =>
                ExactCount(pair.ExactGenerated.index_select(0, rows), pair.ExactReal, null, precisionRealRadii, strict: false, blockElements).GreaterThan(0));
            recallCovered = Decide(minima.Recall!, realBound, rows =>
                ExactCount(pair.ExactReal.index_select(0, rows), pair.ExactGenerated, null, precisionGeneratedRadii, strict: false, blockElements).GreaterThan(0));
        }

        if (dc)
        {
            // Rows with a value within δ of a ball's boundary are counted exactly; the others' float32 counts are exact.
            var counted = minima.Counts!;
            var unsure = minima.Boundary!.to_type(ScalarType.Float64).le(generatedScale.Times(slack)).nonzero().squeeze(1);
            if (unsure.shape[0] > 0)
            {
                var exactCounts = ExactCount(pair.ExactGenerated.index_select(0, unsure), pair.ExactReal, null, densityRealRadii, strict: true, blockElements);
                counted.index_copy_(0, unsure, exactCounts.to_type(ScalarType.Float64));
            }

            memberships = counted.sum().to_type(ScalarType.Int64).item<long>();
            coverageCovered = Decide(minima.Coverage!, realBound, rows =>
                ExactCount(pair.ExactReal.index_select(0, rows), pair.ExactGenerated, densityRealRadii!.index_select(0, rows), null, strict: true, blockElements).GreaterThan(0));
        }

        return new CrossPassResult(inside?.MoveToOuterDisposeScope(), recallCovered?.MoveToOuterDisposeScope(), memberships, coverageCovered?.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The cross pass's float32 reductions on the tensor path: one matrix product per tile, then minima along both axes,
    /// sign sums and magnitudes. <paramref name="tileRadii32"/> is r²[r] of the values in a tile at the recall step.
    /// </summary>
    private static CrossMinima TiledCrossMinima(
        CrossPair pair, Tensor? generatedRadii32, bool dc, Tensor? densityShift32, Tensor? columnSlack32, Tensor tileRadii32, long blockElements)
    {
        bool pr = generatedRadii32 is not null;
        long n = pair.GeneratedCount;
        long m = pair.RealCount;
        var device = pair.GeneratedRows.device;
        Tensor Full(long length) => HeldScalars.Full([length], float.PositiveInfinity, ScalarType.Float32, device);
        var precisionMinima = pr ? Full(n) : null;
        var recallMinima = pr ? Full(m) : null;
        var coverageMinima = dc ? Full(m) : null;
        var boundaryDistances = dc ? Full(n) : null;
        var signTotals = dc ? torch.zeros(n, dtype: ScalarType.Float64, device: device) : null;
        var generatedColumn = generatedRadii32?.unsqueeze(1);
        var shiftRow = densityShift32?.unsqueeze(0);
        var slackRow = columnSlack32?.unsqueeze(0);
        var radiiRow = tileRadii32.unsqueeze(0);
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
                    if (shiftRow is not null)
                    {
                        tile.PlusInPlace(shiftRow.narrow(1, column, stop - column)); // d²(g, r) − density r²[r]
                    }

                    var columnMinima = coverageMinima!.Rows(column, stop);
                    columnMinima.copy_(torch.minimum(columnMinima, tile.amin([0])));

                    // Σ sign over the row (exact in float32: at most 1024 terms of ±1, 0). Without zeros it counts the
                    // negative values as (columns − Σ sign) / 2; a row with a zero is within δ of a boundary and recounted.
                    signTotals!.Rows(start, end).PlusInPlace(tile.sign().sum([1]));
                    var boundary = boundaryDistances!.Rows(start, end);
                    var margins = (pr ? tile.abs() : tile.abs_()).sub_(slackRow!.narrow(1, column, stop - column)); // |value| − slack·realScale
                    boundary.copy_(torch.minimum(boundary, margins.amin([1])));
                }

                if (pr)
                {
                    // min over g of d²(g, r) − r²[g] = r²[r] + min over g of (tile − r²[g]): one pass over the tile.
                    var columnMinima = recallMinima!.Rows(column, stop);
                    var tileMinima = tile.sub_(generatedColumn!.Rows(start, end)).amin([0]).PlusInPlace(radiiRow.narrow(1, column, stop - column).squeeze(0));
                    columnMinima.copy_(torch.minimum(columnMinima, tileMinima));
                }
            }
        }

        return new CrossMinima(precisionMinima, recallMinima, signTotals?.neg_().PlusInPlace(m).DividedByInPlace(2), boundaryDistances, coverageMinima);
    }

    /// <summary>The cross pass's float32 reductions with <see cref="DistanceKernels.Cross"/>: the same values, never stored as tiles.</summary>
    private static CrossMinima FusedCrossMinima(
        CrossPair pair, Tensor? generatedRadii32, bool dc, Tensor? densityShift32, Tensor? columnSlack32, Tensor? precisionRealRadii)
    {
        bool pr = generatedRadii32 is not null;
        long n = pair.GeneratedCount;
        long m = pair.RealCount;
        long d = pair.GeneratedRows.shape[1] - 2;
        var device = pair.GeneratedRows.device;
        int rows = (int)((n + DistanceKernels.Panel - 1) / DistanceKernels.Panel * DistanceKernels.Panel);
        int columns = (int)((m + DistanceKernels.Panel - 1) / DistanceKernels.Panel * DistanceKernels.Panel);
        int width = (int)d + 2;
        float[]? Padded(Tensor? values, int length) => values is null ? null : ToArray(torch.nn.functional.pad(values, [0, length - values.shape[0]]));
        var reduced = DistanceKernels.Cross(
            DistanceKernels.PackStrips(Pad(pair.GeneratedRows, rows, d, d + 1)),
            rows,
            DistanceKernels.PackPanels(Pad(pair.RealRows, columns, d + 1, d)),
            columns,
            width,
            Padded(generatedRadii32, rows),
            dc,
            Padded(densityShift32, columns),
            Padded(columnSlack32, columns),
            torch.get_num_threads());
        Tensor? Take(float[]? values, long length) => values is null ? null : torch.tensor(values, device: device).Rows(0, length);
        var recall = Take(reduced.RecallMinima, m);
        recall?.PlusInPlace(precisionRealRadii!.to_type(ScalarType.Float32)); // the values were d²(g, r) − precision r²[r]
        var counts = reduced.NegativeCounts is null ? null : torch.tensor(reduced.NegativeCounts, device: device).Rows(0, n).to_type(ScalarType.Float64);
        return new CrossMinima(Take(reduced.PrecisionMinima, n), recall, counts, Take(reduced.BoundaryDistances, n), Take(reduced.CoverageMinima, m));
    }

    /// <summary>
    /// Whether a computation on these tensors runs on <see cref="DistanceKernels"/> rather than on tensor tiles: the CPU
    /// and device allow it, and the packed rows and the per-row lists of <paramref name="listLength"/> fit in arrays.
    /// </summary>
    private static bool UsesFusedKernels(NeighbourKernel kernel, Tensor a, Tensor b, long listLength = 0)
    {
        long rows = Math.Max(a.shape[0], b.shape[0]) + DistanceKernels.Panel;
        bool available = DistanceKernels.IsSupported
            && a.device_type == DeviceType.CPU
            && b.device_type == DeviceType.CPU
            && rows * (a.shape[1] + 2) <= Array.MaxLength
            && rows * listLength <= Array.MaxLength;
        return kernel switch
        {
            NeighbourKernel.Auto => available,
            NeighbourKernel.Tiles => false,
            NeighbourKernel.Fused when available => true,
            _ => throw new PlatformNotSupportedException("The fused distance kernels need an x86-64 CPU with AVX2 and FMA, CPU tensors, and sizes whose packed arrays fit in .NET arrays."),
        };
    }

    private static float[] ToArray(Tensor values) => values.contiguous().data<float>().ToArray();

    /// <summary>The float32 error bound per unit of ‖a‖² + ‖b‖² + radii for features of dimension <paramref name="d"/>.</summary>
    internal static double Slack(long d) => 4.0 * (d + 8) * Math.Pow(2, -24);

    /// <summary>The float64 error bound of the rechecks' products, per unit of ‖a‖² + ‖b‖² + threshold.</summary>
    private static double Slack64(long d) => 8.0 * (d + 8) * Math.Pow(2, -53);

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
        var newGroups = HeldScalars.Arange(firstGroup, firstGroup + minima.shape[1], ScalarType.Int64, minima.device).expand(rows, -1);
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
        pad.select(1, padColumn).FillInPlace(PadNorm);
        pad.select(1, oneColumn).FillInPlace(1);
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
            var padding = index.AtLeast(n);
            var gathered = b.index_select(0, index.ClampMax(n - 1).flatten()).view(end - start, count, d);
            var difference = gathered.sub_(a.Rows(start, end).unsqueeze(1));
            var distances = difference.mul_(difference).sum([2]);
            result.Rows(start, end).copy_(distances.MaskedFillInPlace(padding, double.PositiveInfinity));
        }

        return result;
    }

    /// <summary>
    /// The exact <paramref name="kk"/>-th smallest squared distance from each row of a to the rows of b (float64 [rows
    /// of a]), for the rows whose float32 pass could not tell.
    /// </summary>
    /// <remarks>
    /// Two levels, like <see cref="ExactCount"/>: float64 products of augmented vectors (centred on b's mean; within
    /// δ = 8(D + 8)·2⁻⁵³·(‖a‖² + ‖b‖²) of the exact distances) keep each row's kk + 2 nearest candidates, whose distances
    /// are then computed as direct differences. Their kk-th smallest is exact unless the (kk + 2)-th product − δ falls
    /// below it (exact ties, in practice); those rows take direct differences over all of b. With high-dimensional
    /// features, where distances concentrate and the float32 pass leaves more rows undecided, this is what keeps the
    /// recheck at the cost of a matrix product (measured: the real set's radii at 5,000 × 2048, two threads, 11.5 s → 2.1 s,
    /// of which this recheck 8.9 s → under 0.2 s).
    /// </remarks>
    private static Tensor ExactKth(Tensor a, Tensor b, int kk, long blockElements)
    {
        using var scope = NewDisposeScope();
        long rows = a.shape[0];
        long n = b.shape[0];
        int keep = (int)Math.Min(kk + 2, n);
        var (exactRows, exactColumns) = ExactOperands.Create(a, b);
        var best = HeldScalars.Full([rows, keep], double.PositiveInfinity, ScalarType.Float64, a.device);
        var bestColumns = torch.zeros(rows, keep, dtype: ScalarType.Int64, device: a.device);
        long tileElements = Math.Min(blockElements, MaxExactTileElements);
        long rowsPerBlock = Math.Clamp(tileElements / n, 1, rows);
        long columns = Math.Clamp(tileElements / rowsPerBlock, 1, n);
        for (long start = 0; start < rows; start += rowsPerBlock)
        {
            using var blockScope = NewDisposeScope();
            long end = Math.Min(rows, start + rowsPerBlock);
            var rowBest = best.Rows(start, end);
            var rowColumns = bestColumns.Rows(start, end);
            for (long column = 0; column < n; column += columns)
            {
                using var tileScope = NewDisposeScope();
                long stop = Math.Min(n, column + columns);
                var values = exactRows.Augmented.Rows(start, end).mm(exactColumns.Augmented.Rows(column, stop).t()); // d², within δ
                var indices = HeldScalars.Arange(column, stop, ScalarType.Int64, a.device).expand(end - start, -1);
                var (merged, position) = cat([rowBest, values], 1).topk(keep, dim: 1, largest: false, sorted: false);
                rowColumns.copy_(cat([rowColumns, indices], 1).gather(1, position));
                rowBest.copy_(merged);
            }
        }

        var radius = ExactSelected(a, b, bestColumns, blockElements).kthvalue(kk, dim: 1).values;
        if (keep < n)
        {
            // A column left out has a product ≥ the largest kept, so a distance ≥ that − δ.
            var bound = exactRows.Norms.Plus(exactColumns.Norms.max()).TimesInPlace(Slack64(a.shape[1]));
            var unsure = best.amax([1]).sub_(bound).lt(radius).nonzero().squeeze(1);
            if (unsure.shape[0] > 0)
            {
                radius.index_copy_(0, unsure, ExactKthDirect(a.index_select(0, unsure), b, kk, blockElements));
            }
        }

        return radius.MoveToOuterDisposeScope();
    }

    /// <summary>The exact <paramref name="kk"/>-th smallest squared distance from each row of a to the rows of b, by direct differences over all of b.</summary>
    private static Tensor ExactKthDirect(Tensor a, Tensor b, int kk, long blockElements)
    {
        var smallest = HeldScalars.Full([a.shape[0], kk], double.PositiveInfinity, ScalarType.Float64, a.device);
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
    /// (exact ties, in practice) are recomputed as direct differences Σ(aᵢ − bᵢ)². Tiles hold at most
    /// min(<paramref name="blockElements"/>, 2²⁰) elements.
    /// </remarks>
    private static Tensor ExactCount(Tensor a, Tensor b, Tensor? rowRadii, Tensor? columnRadii, bool strict, long blockElements)
    {
        using var scope = NewDisposeScope();
        long rows = a.shape[0];
        var counts = torch.zeros(rows, dtype: ScalarType.Int64, device: a.device);
        var (exactRows, exactColumns) = ExactOperands.Create(a, b);
        double slack = Slack64(a.shape[1]);
        long tileElements = Math.Min(blockElements, MaxExactTileElements);
        long sinceTrim = 0;
        long rowsPerBlock = Math.Clamp(tileElements / Math.Max(1, b.shape[0]), 1, rows);
        long columns = Math.Clamp(tileElements / rowsPerBlock, 1, b.shape[0]);
        for (long start = 0; start < rows; start += rowsPerBlock)
        {
            long end = Math.Min(rows, start + rowsPerBlock);
            for (long column = 0; column < b.shape[0]; column += columns)
            {
                using var tileScope = NewDisposeScope();
                long stop = Math.Min(b.shape[0], column + columns);
                var threshold = rowRadii is not null ? rowRadii.Rows(start, end).unsqueeze(1) : columnRadii!.Rows(column, stop).unsqueeze(0);
                CountTile(counts.Rows(start, end), exactRows.Rows(start, end), exactColumns.Rows(column, stop), threshold, rowRadii is not null, slack, strict);

                // A tile's float64 temporaries are several MB each; without trims the C heap keeps growing by about a
                // tile per tile (measured with 33 MB tiles: 600 MB → 1.07 GB resident over 965 rows × 50,000).
                sinceTrim += (end - start) * (stop - column);
                if (sinceTrim >= TrimElements)
                {
                    NativeHeap.Trim();
                    sinceTrim = 0;
                }
            }
        }

        return counts.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Adds to <paramref name="rowCounts"/> the number of columns within each pair's threshold (<c>[rows, 1]</c> when
    /// <paramref name="perRow"/>, else <c>[1, columns]</c>): float64 products of the augmented vectors decide every pair
    /// farther than the float64 bound from its threshold, direct differences the rest.
    /// </summary>
    private static void CountTile(Tensor rowCounts, ExactOperands rows, ExactOperands columns, Tensor threshold, bool perRow, double slack, bool strict)
    {
        using var scope = NewDisposeScope();
        var values = rows.Augmented.mm(columns.Augmented.t()).sub_(threshold); // d² − threshold
        var bound = rows.Norms.unsqueeze(1).Plus(columns.Norms.unsqueeze(0)).PlusInPlace(threshold).TimesInPlace(slack);
        rowCounts.PlusInPlace(values.lt(bound.neg_()).sum([1], type: ScalarType.Int64)); // negated in place: tiles are blockElements large
        var unsure = values.abs_().le_(bound.neg_()).nonzero();
        if (unsure.shape[0] > 0)
        {
            var unsureRows = unsure.select(1, 0);
            var unsureColumns = unsure.select(1, 1);
            var difference = rows.Features.index_select(0, unsureRows).sub_(columns.Features.index_select(0, unsureColumns));
            var exact = difference.mul_(difference).sum([1]);
            var limit = perRow ? threshold.squeeze(1).index_select(0, unsureRows) : threshold.squeeze(0).index_select(0, unsureColumns);
            var inside = strict ? exact.lt(limit) : exact.le(limit);
            using var one = 1.ToScalar();
            rowCounts.index_add_(0, unsureRows, inside.to_type(ScalarType.Int64), one);
        }
    }

    /// <summary>
    /// Rows of one side of the float64 rechecks (<see cref="ExactCount"/>, <see cref="ExactKth"/>): the float64 features,
    /// their augmented vectors and squared norms, centred on the column set's mean.
    /// </summary>
    private sealed record ExactOperands(Tensor Features, Tensor Augmented, Tensor Norms)
    {
        /// <summary>
        /// Rows a as [a, ‖a‖², 1] and columns b as [−2b, 1, ‖b‖²] (both centred on b's mean), so that a row times a
        /// column is d²(a, b) within δ = <see cref="Slack64"/>·(‖a‖² + ‖b‖² + threshold).
        /// </summary>
        internal static (ExactOperands Rows, ExactOperands Columns) Create(Tensor a, Tensor b)
        {
            var centre = b.mean([0], keepdim: true);
            var ca = a - centre;
            var cb = b - centre;
            var aNorms = ca.Squared().sum([1]);
            var bNorms = cb.Squared().sum([1]);
            var aOnes = torch.ones(a.shape[0], 1, dtype: ScalarType.Float64, device: a.device);
            var bOnes = torch.ones(b.shape[0], 1, dtype: ScalarType.Float64, device: b.device);
            return (new ExactOperands(a, cat([ca, aNorms.unsqueeze(1), aOnes], 1), aNorms),
                new ExactOperands(b, cat([cb.Times(-2), bOnes, bNorms.unsqueeze(1)], 1), bNorms));
        }

        internal ExactOperands Rows(long start, long end) => new(Features.Rows(start, end), Augmented.Rows(start, end), Norms.Rows(start, end));
    }

    /// <summary>
    /// The float32 reductions of a cross pass (float32 <c>[N]</c> / <c>[M]</c> tensors, <see langword="null"/> when not
    /// asked for): per generated row the minimum of d² − r²[r], the count of d² − density r²[r] below zero (float64) and
    /// its smallest magnitude less slack·realScale[r]; per real row the minimum over g of d² − r²[g] and of d² − density r²[r].
    /// </summary>
    private sealed record CrossMinima(Tensor? Precision, Tensor? Recall, Tensor? Counts, Tensor? Boundary, Tensor? Coverage);

    /// <summary>
    /// The float32 result of a radii pass: <see cref="PerRow"/> candidate columns per row (<see cref="Members"/> for rows
    /// start..end−1, indices ≥ N for padding), among which the k + 1 nearest lie unless a left-out column's float32 value
    /// could be within δ of the radius; <see cref="LargestKept"/> (float32 <c>[N]</c>) bounds the left-out values from
    /// below, or is <see langword="null"/> when no column is left out.
    /// </summary>
    private sealed record RadiusCandidates(long PerRow, Func<long, long, Tensor> Members, Tensor? LargestKept);

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
            var gNorms = g.Squared().sum([1]);
            var rNorms = r.Squared().sum([1]);
            var gOnes = torch.ones(g.shape[0], 1, dtype: ScalarType.Float32, device: g.device);
            var rOnes = torch.ones(r.shape[0], 1, dtype: ScalarType.Float32, device: r.device);
            var generatedRows = cat([g.to_type(ScalarType.Float32), gNorms.to_type(ScalarType.Float32).unsqueeze(1), gOnes], 1);
            var realRows = cat(
                [r.Times(-2).to_type(ScalarType.Float32), rOnes, (rNorms - realSquaredRadii).to_type(ScalarType.Float32).unsqueeze(1)], 1);
            return new CrossPair(exactGenerated, exactReal, gNorms, rNorms, generatedRows, realRows);
        }

        /// <summary>The float32 tile d²(g, r) − r²[r] for generated rows start..end−1 and real rows column..stop−1.</summary>
        internal Tensor Tile(long start, long end, long column, long stop) =>
            GeneratedRows.Rows(start, end).mm(RealRows.Rows(column, stop).t());
    }
}

/// <summary>Which implementation computes the float32 passes of the k-NN metrics (results are identical).</summary>
internal enum NeighbourKernel
{
    /// <summary>The fused CPU kernels when the CPU and tensors allow, else tensor tiles.</summary>
    Auto,

    /// <summary>Matrix products of tensor tiles, on the inputs' device.</summary>
    Tiles,

    /// <summary>The fused CPU kernels of <see cref="DistanceKernels"/>; throws where they cannot run.</summary>
    Fused,
}
