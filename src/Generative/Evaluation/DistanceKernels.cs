using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;

namespace Generative.Evaluation;

/// <summary>
/// Fused float32 kernels for the k-NN metrics on x86-64 CPUs with AVX2 and FMA. Both compute products of augmented
/// vectors of width W (rows packed in strips of 4, columns in panels of 16) four rows by sixteen columns at a time in
/// registers and reduce each such block at once — row and column minima, counts below zero, running k smallest — so no
/// tile of the distance matrix is ever written to memory and the work is almost only the multiply-adds (the tensor
/// path stores each tile and reads it back for every reduction: about 30 % on top of its matrix products).
/// </summary>
/// <remarks>
/// The values are float32 dot products of the same augmented vectors as the tensor path's tiles, summed in another
/// order; the rounding bound of <see cref="NearestNeighbours"/> holds for any order, so the exact decisions built on
/// these values are the same. Work is split into blocks of 256 rows spread over <c>threads</c> workers; reductions
/// along columns are kept per worker and combined at the end, so results do not depend on the thread count.
/// </remarks>
internal static class DistanceKernels
{
    /// <summary>Rows per register block.</summary>
    internal const int Strip = 4;

    /// <summary>Columns per register block and per packed panel (two vectors of 8).</summary>
    internal const int Panel = 16;

    private const int ChunkStrips = 64; // rows per work item: 256
    private const int TileBytes = 192 * 1024; // columns reused from the core's cache by a work item's rows (L2 is 512 KB)

    /// <summary>Whether this CPU runs the kernels (AVX2 and FMA).</summary>
    internal static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

    /// <summary>
    /// Packs float32 <paramref name="rows"/> <c>[count, width]</c> (count a multiple of <see cref="Panel"/>) into panels
    /// <c>[count / 16][width][16]</c>: the layout the kernels read columns from.
    /// </summary>
    internal static float[] PackPanels(torch.Tensor rows) => Pack(rows, Panel);

    /// <summary>
    /// Packs float32 <paramref name="rows"/> <c>[count, width]</c> (count a multiple of <see cref="Strip"/>) into strips
    /// <c>[count / 4][width][4]</c>: the layout the kernels read rows from.
    /// </summary>
    internal static float[] PackStrips(torch.Tensor rows) => Pack(rows, Strip);

    private static float[] Pack(torch.Tensor rows, int group)
    {
        if (rows.dim() != 2 || rows.dtype != torch.ScalarType.Float32 || rows.shape[0] % group != 0)
        {
            throw new ArgumentException($"Expected float32 rows [count, width] with count a multiple of {group}; got {rows.dtype} [{string.Join(", ", rows.shape)}].", nameof(rows));
        }

        using var packed = rows.view(rows.shape[0] / group, group, rows.shape[1]).transpose(1, 2).contiguous();
        return packed.data<float>().ToArray();
    }

    /// <summary>
    /// The <paramref name="kept"/> smallest values in every row of the symmetric matrix <c>rows · columnsᵀ</c>
    /// (<c>[P, P]</c>, P a multiple of 16; symmetric up to rounding, like a distance matrix), with their column
    /// indices, ascending. Only the blocks on and above the diagonal are computed: each serves its rows and, off the
    /// diagonal, its columns. Every value left out of a row's list is ≥ the list's last value.
    /// </summary>
    internal static SmallestValues SmallestPerRow(float[] rows, float[] panels, int padded, int width, int kept, int threads)
    {
        CheckShapes(rows, panels, padded, padded, width);
        int chunks = (padded / Strip + ChunkStrips - 1) / ChunkStrips;
        var bounds = new float[padded];
        Array.Fill(bounds, float.PositiveInfinity);
        var perWorker = RunWorkers(chunks, threads, () => new SmallestValues(padded, kept, bounds), (chunk, lists) => SymmetricChunk(rows, panels, padded, width, chunk, lists));
        return SmallestValues.Merge(perWorker);
    }

    /// <summary>
    /// One pass over <c>rows · columnsᵀ</c> (<c>[R, C]</c>, R and C multiples of 16) reducing every value v to what the
    /// cross pass of the k-NN metrics needs. Precision/recall (when <paramref name="rowRadii"/> is given): per row the
    /// minimum of v, per column the minimum of v − rowRadii[row]. Density/coverage (when <paramref name="densityCoverage"/>):
    /// with u = v + columnShift[column] (or v), per row the number of u &lt; 0 and the minimum of |u| − columnSlack[column]
    /// (or |u|), per column the minimum of u.
    /// </summary>
    internal static CrossReductions Cross(
        float[] rows,
        int rowCount,
        float[] panels,
        int columnCount,
        int width,
        float[]? rowRadii,
        bool densityCoverage,
        float[]? columnShift,
        float[]? columnSlack,
        int threads)
    {
        CheckShapes(rows, panels, rowCount, columnCount, width);
        if ((rowRadii is not null && rowRadii.Length != rowCount)
            || (columnShift is not null && columnShift.Length != columnCount)
            || (columnSlack is not null && columnSlack.Length != columnCount))
        {
            throw new ArgumentException($"Expected {rowCount} row radii and {columnCount} column shifts and slacks.");
        }

        var result = new CrossReductions(rowCount, columnCount, rowRadii is not null, densityCoverage);
        int chunks = (rowCount / Strip + ChunkStrips - 1) / ChunkStrips;
        var perWorker = RunWorkers(
            chunks,
            threads,
            () => new ColumnMinima(columnCount, rowRadii is not null, densityCoverage),
            (chunk, columns) => CrossChunk(rows, panels, columnCount, width, chunk, rowRadii, densityCoverage, columnShift, columnSlack, result, columns));
        foreach (var columns in perWorker)
        {
            MinInto(result.RecallMinima, columns.Recall);
            MinInto(result.CoverageMinima, columns.Coverage);
        }

        return result;
    }

    /// <summary>
    /// Runs <paramref name="body"/> for items 0..count−1 on up to <paramref name="threads"/> workers (the calling thread
    /// and pool threads), each taking the next unclaimed item in order and keeping its own state; returns the states.
    /// Items are claimed one at a time, so uneven items (the triangle's long first rows) balance. A failing item stops
    /// every worker after its current item, and its exception is rethrown once all have stopped.
    /// </summary>
    internal static List<TState> RunWorkers<TState>(int count, int threads, Func<TState> state, Action<int, TState> body)
    {
        int next = -1;
        TState Work()
        {
            var own = state();
            try
            {
                for (int item = Interlocked.Increment(ref next); item < count; item = Interlocked.Increment(ref next))
                {
                    body(item, own);
                }
            }
            catch
            {
                Interlocked.Exchange(ref next, count); // every worker stops after its current item
                throw;
            }

            return own;
        }

        var helpers = Enumerable.Range(0, Math.Clamp(threads, 1, Math.Max(1, count)) - 1).Select(_ => Task.Run(Work)).ToArray();
        TState mine;
        try
        {
            mine = Work();
        }
        catch
        {
            try
            {
                Task.WaitAll(helpers); // none outlives the call
            }
            catch (AggregateException)
            {
                // The calling thread's failure is the one reported.
            }

            throw;
        }

        try
        {
            Task.WaitAll(helpers);
        }
        catch (AggregateException failure) when (failure.InnerExceptions.Count == 1)
        {
            ExceptionDispatchInfo.Capture(failure.InnerExceptions[0]).Throw(); // a helper's failure, as thrown
        }

        return [mine, .. helpers.Select(helper => helper.Result)];
    }

    /// <summary>Panels per cache tile: as many as fit in <see cref="TileBytes"/> (46 at W = 66, 1 at W ≥ 3,000), 1 to 64.</summary>
    private static int TilePanels(int width) => Math.Clamp(TileBytes / (Panel * width * sizeof(float)), 1, 64);

    private static void CheckShapes(float[] rows, float[] panels, int rowCount, int columnCount, int width)
    {
        if (rowCount % Panel != 0 || columnCount % Panel != 0 || width < 1)
        {
            throw new ArgumentException($"Row and column counts must be multiples of {Panel} (got {rowCount} and {columnCount}), width ≥ 1 (got {width}).");
        }

        if (rows.Length != (long)rowCount * width || panels.Length != (long)columnCount * width)
        {
            throw new ArgumentException($"Expected rows [{rowCount}, {width}] and columns [{columnCount}, {width}]; got {rows.Length} and {panels.Length} values.");
        }
    }

    private static void MinInto(float[]? target, float[]? source)
    {
        if (target is null || source is null)
        {
            return;
        }

        for (int i = 0; i < target.Length; i++)
        {
            target[i] = MathF.Min(target[i], source[i]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SymmetricChunk(float[] rows, float[] panels, int padded, int width, int chunk, SmallestValues lists)
    {
        int firstStrip = chunk * ChunkStrips;
        int endStrip = Math.Min(padded / Strip, firstStrip + ChunkStrips);
        int panelCount = padded / Panel;
        int panelSize = Panel * width;
        ref float rowBase = ref MemoryMarshal.GetArrayDataReference(rows);
        var thresholds = lists.Bounds;
        ref float columnThresholds = ref MemoryMarshal.GetArrayDataReference(thresholds);
        ref float panelBase = ref MemoryMarshal.GetArrayDataReference(panels);
        Span<float> block = stackalloc float[Strip * Panel];
        int tilePanels = TilePanels(width);
        for (int tileStart = firstStrip * Strip / Panel; tileStart < panelCount; tileStart += tilePanels)
        {
            int tileEnd = Math.Min(panelCount, tileStart + tilePanels);
            for (int strip = firstStrip; strip < endStrip; strip++)
            {
                int row = strip * Strip;
                int diagonal = row / Panel; // the panel holding these rows' own columns
                ref float a = ref Unsafe.Add(ref rowBase, (nint)row * width);
                for (int panel = Math.Max(diagonal, tileStart); panel < tileEnd; panel++)
                {
                    ref float b = ref Unsafe.Add(ref panelBase, (nint)panel * panelSize);
                    Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
                    Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
                    // The block's products (written out in both kernels: as an inlined helper returning the eight vectors the
                    // cross kernel ran 8 % slower, its reductions competing for registers).
                    ref float bw = ref b;
                    ref float aw = ref a;
                    for (int w = 0; w < width; w++)
                    {
                        var b0 = Vector256.LoadUnsafe(ref bw);
                        var b1 = Vector256.LoadUnsafe(ref bw, 8);
                        var x = Vector256.Create(aw);
                        c00 = Fma.MultiplyAdd(x, b0, c00);
                        c01 = Fma.MultiplyAdd(x, b1, c01);
                        x = Vector256.Create(Unsafe.Add(ref aw, 1));
                        c10 = Fma.MultiplyAdd(x, b0, c10);
                        c11 = Fma.MultiplyAdd(x, b1, c11);
                        x = Vector256.Create(Unsafe.Add(ref aw, 2));
                        c20 = Fma.MultiplyAdd(x, b0, c20);
                        c21 = Fma.MultiplyAdd(x, b1, c21);
                        x = Vector256.Create(Unsafe.Add(ref aw, 3));
                        c30 = Fma.MultiplyAdd(x, b0, c30);
                        c31 = Fma.MultiplyAdd(x, b1, c31);
                        bw = ref Unsafe.Add(ref bw, Panel);
                        aw = ref Unsafe.Add(ref aw, Strip);
                    }

                    // Rows: does any value beat the row's current k-th smallest? (Rarely, once the lists fill.)
                    bool rowHit =
                        Avx.MoveMask(Avx.CompareLessThan(Avx.Min(c00, c01), Vector256.Create(thresholds[row]))) != 0
                        || Avx.MoveMask(Avx.CompareLessThan(Avx.Min(c10, c11), Vector256.Create(thresholds[row + 1]))) != 0
                        || Avx.MoveMask(Avx.CompareLessThan(Avx.Min(c20, c21), Vector256.Create(thresholds[row + 2]))) != 0
                        || Avx.MoveMask(Avx.CompareLessThan(Avx.Min(c30, c31), Vector256.Create(thresholds[row + 3]))) != 0;

                    // Columns (off the diagonal panel only: within it every row's own strip covers the pair).
                    int column = panel * Panel;
                    bool columnHit = false;
                    if (panel != diagonal)
                    {
                        var low = Avx.Min(Avx.Min(c00, c10), Avx.Min(c20, c30));
                        var high = Avx.Min(Avx.Min(c01, c11), Avx.Min(c21, c31));
                        columnHit = (Avx.MoveMask(Avx.CompareLessThan(low, Vector256.LoadUnsafe(ref columnThresholds, (nuint)column)))
                            | Avx.MoveMask(Avx.CompareLessThan(high, Vector256.LoadUnsafe(ref columnThresholds, (nuint)(column + 8))))) != 0;
                    }

                    if (rowHit || columnHit)
                    {
                        Store(block, c00, c01, c10, c11, c20, c21, c30, c31);
                        OfferBlock(block, lists, row, column, columnHit);
                    }
                }
            }
        }
    }

    /// <summary>Offers a stored 4 × 16 block's values to its rows' lists and, when asked, to its columns' lists.</summary>
    private static void OfferBlock(ReadOnlySpan<float> block, SmallestValues lists, int row, int column, bool columns)
    {
        var bounds = lists.Bounds;
        for (int r = 0; r < Strip; r++)
        {
            float bound = bounds[row + r];
            for (int c = 0; c < Panel; c++)
            {
                float value = block[(r * Panel) + c];
                if (value < bound)
                {
                    lists.Offer(row + r, value, column + c);
                    bound = bounds[row + r];
                }
            }
        }

        if (columns)
        {
            for (int c = 0; c < Panel; c++)
            {
                for (int r = 0; r < Strip; r++)
                {
                    float value = block[(r * Panel) + c];
                    if (value < bounds[column + c])
                    {
                        lists.Offer(column + c, value, row + r);
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CrossChunk(
        float[] rows,
        float[] panels,
        int columnCount,
        int width,
        int chunk,
        float[]? rowRadii,
        bool densityCoverage,
        float[]? columnShift,
        float[]? columnSlack,
        CrossReductions result,
        ColumnMinima columns)
    {
        bool precisionRecall = rowRadii is not null;
        int firstStrip = chunk * ChunkStrips;
        int endStrip = Math.Min(rows.Length / width / Strip, firstStrip + ChunkStrips);
        int panelCount = columnCount / Panel;
        int panelSize = Panel * width;
        ref float rowBase = ref MemoryMarshal.GetArrayDataReference(rows);
        ref float panelBase = ref MemoryMarshal.GetArrayDataReference(panels);
        var infinity = Vector256.Create(float.PositiveInfinity);
        var signBit = Vector256.Create(-0f);
        Span<Vector256<float>> running = stackalloc Vector256<float>[2 * Strip]; // per row: minimum of v, minimum of |u|
        Span<int> negatives = stackalloc int[Strip];
        int tilePanels = TilePanels(width);
        for (int tileStart = 0; tileStart < panelCount; tileStart += tilePanels)
        {
            int tileEnd = Math.Min(panelCount, tileStart + tilePanels);
            for (int strip = firstStrip; strip < endStrip; strip++)
            {
                int row = strip * Strip;
                ref float a = ref Unsafe.Add(ref rowBase, (nint)row * width);
                running.Fill(infinity);
                negatives.Clear();
                Vector256<float> g0 = default, g1 = default, g2 = default, g3 = default;
                if (precisionRecall)
                {
                    g0 = Vector256.Create(rowRadii![row]);
                    g1 = Vector256.Create(rowRadii[row + 1]);
                    g2 = Vector256.Create(rowRadii[row + 2]);
                    g3 = Vector256.Create(rowRadii[row + 3]);
                }

                for (int panel = tileStart; panel < tileEnd; panel++)
                {
                    ref float b = ref Unsafe.Add(ref panelBase, (nint)panel * panelSize);
                    Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
                    Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
                    ref float bw = ref b;
                    ref float aw = ref a;
                    for (int w = 0; w < width; w++)
                    {
                        var b0 = Vector256.LoadUnsafe(ref bw);
                        var b1 = Vector256.LoadUnsafe(ref bw, 8);
                        var x = Vector256.Create(aw);
                        c00 = Fma.MultiplyAdd(x, b0, c00);
                        c01 = Fma.MultiplyAdd(x, b1, c01);
                        x = Vector256.Create(Unsafe.Add(ref aw, 1));
                        c10 = Fma.MultiplyAdd(x, b0, c10);
                        c11 = Fma.MultiplyAdd(x, b1, c11);
                        x = Vector256.Create(Unsafe.Add(ref aw, 2));
                        c20 = Fma.MultiplyAdd(x, b0, c20);
                        c21 = Fma.MultiplyAdd(x, b1, c21);
                        x = Vector256.Create(Unsafe.Add(ref aw, 3));
                        c30 = Fma.MultiplyAdd(x, b0, c30);
                        c31 = Fma.MultiplyAdd(x, b1, c31);
                        bw = ref Unsafe.Add(ref bw, Panel);
                        aw = ref Unsafe.Add(ref aw, Strip);
                    }

                    int column = panel * Panel;
                    if (precisionRecall)
                    {
                        running[0] = Avx.Min(running[0], Avx.Min(c00, c01));
                        running[1] = Avx.Min(running[1], Avx.Min(c10, c11));
                        running[2] = Avx.Min(running[2], Avx.Min(c20, c21));
                        running[3] = Avx.Min(running[3], Avx.Min(c30, c31));
                        ref float recall = ref MemoryMarshal.GetArrayDataReference(columns.Recall!);
                        var low = Avx.Min(
                            Avx.Min(Avx.Subtract(c00, g0), Avx.Subtract(c10, g1)),
                            Avx.Min(Avx.Subtract(c20, g2), Avx.Subtract(c30, g3)));
                        var high = Avx.Min(
                            Avx.Min(Avx.Subtract(c01, g0), Avx.Subtract(c11, g1)),
                            Avx.Min(Avx.Subtract(c21, g2), Avx.Subtract(c31, g3)));
                        Avx.Min(Vector256.LoadUnsafe(ref recall, (nuint)column), low).StoreUnsafe(ref recall, (nuint)column);
                        Avx.Min(Vector256.LoadUnsafe(ref recall, (nuint)(column + 8)), high).StoreUnsafe(ref recall, (nuint)(column + 8));
                    }

                    if (densityCoverage)
                    {
                        if (columnShift is not null)
                        {
                            ref float shift = ref MemoryMarshal.GetArrayDataReference(columnShift);
                            var s0 = Vector256.LoadUnsafe(ref shift, (nuint)column);
                            var s1 = Vector256.LoadUnsafe(ref shift, (nuint)(column + 8));
                            c00 = Avx.Add(c00, s0);
                            c01 = Avx.Add(c01, s1);
                            c10 = Avx.Add(c10, s0);
                            c11 = Avx.Add(c11, s1);
                            c20 = Avx.Add(c20, s0);
                            c21 = Avx.Add(c21, s1);
                            c30 = Avx.Add(c30, s0);
                            c31 = Avx.Add(c31, s1);
                        }

                        ref float coverage = ref MemoryMarshal.GetArrayDataReference(columns.Coverage!);
                        var low = Avx.Min(Avx.Min(c00, c10), Avx.Min(c20, c30));
                        var high = Avx.Min(Avx.Min(c01, c11), Avx.Min(c21, c31));
                        Avx.Min(Vector256.LoadUnsafe(ref coverage, (nuint)column), low).StoreUnsafe(ref coverage, (nuint)column);
                        Avx.Min(Vector256.LoadUnsafe(ref coverage, (nuint)(column + 8)), high).StoreUnsafe(ref coverage, (nuint)(column + 8));
                        negatives[0] += Negatives(c00, c01);
                        negatives[1] += Negatives(c10, c11);
                        negatives[2] += Negatives(c20, c21);
                        negatives[3] += Negatives(c30, c31);
                        Vector256<float> m0 = default, m1 = default;
                        if (columnSlack is not null)
                        {
                            ref float margin = ref MemoryMarshal.GetArrayDataReference(columnSlack);
                            m0 = Vector256.LoadUnsafe(ref margin, (nuint)column);
                            m1 = Vector256.LoadUnsafe(ref margin, (nuint)(column + 8));
                        }

                        running[4] = Avx.Min(running[4], Avx.Min(Avx.Subtract(Avx.AndNot(signBit, c00), m0), Avx.Subtract(Avx.AndNot(signBit, c01), m1)));
                        running[5] = Avx.Min(running[5], Avx.Min(Avx.Subtract(Avx.AndNot(signBit, c10), m0), Avx.Subtract(Avx.AndNot(signBit, c11), m1)));
                        running[6] = Avx.Min(running[6], Avx.Min(Avx.Subtract(Avx.AndNot(signBit, c20), m0), Avx.Subtract(Avx.AndNot(signBit, c21), m1)));
                        running[7] = Avx.Min(running[7], Avx.Min(Avx.Subtract(Avx.AndNot(signBit, c30), m0), Avx.Subtract(Avx.AndNot(signBit, c31), m1)));
                    }
                }

                for (int r = 0; r < Strip; r++)
                {
                    if (precisionRecall)
                    {
                        result.PrecisionMinima![row + r] = MathF.Min(result.PrecisionMinima[row + r], HorizontalMin(running[r]));
                    }

                    if (densityCoverage)
                    {
                        result.NegativeCounts![row + r] += negatives[r];
                        result.BoundaryDistances![row + r] = MathF.Min(result.BoundaryDistances[row + r], HorizontalMin(running[Strip + r]));
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Negatives(Vector256<float> low, Vector256<float> high) =>
        BitOperations.PopCount((uint)(Avx.MoveMask(Avx.CompareLessThan(low, Vector256<float>.Zero)) | (Avx.MoveMask(Avx.CompareLessThan(high, Vector256<float>.Zero)) << 8)));

    private static float HorizontalMin(Vector256<float> v)
    {
        var m = Sse.Min(v.GetLower(), v.GetUpper());
        m = Sse.Min(m, Sse.Shuffle(m, m, 0b01_00_11_10));
        m = Sse.Min(m, Sse.Shuffle(m, m, 0b10_11_00_01));
        return m.ToScalar();
    }

    private static void Store(
        Span<float> block,
        Vector256<float> c00,
        Vector256<float> c01,
        Vector256<float> c10,
        Vector256<float> c11,
        Vector256<float> c20,
        Vector256<float> c21,
        Vector256<float> c30,
        Vector256<float> c31)
    {
        ref float target = ref MemoryMarshal.GetReference(block);
        c00.StoreUnsafe(ref target, 0);
        c01.StoreUnsafe(ref target, 8);
        c10.StoreUnsafe(ref target, 16);
        c11.StoreUnsafe(ref target, 24);
        c20.StoreUnsafe(ref target, 32);
        c21.StoreUnsafe(ref target, 40);
        c30.StoreUnsafe(ref target, 48);
        c31.StoreUnsafe(ref target, 56);
    }

    /// <summary>
    /// One worker's lists: per row, the <see cref="Kept"/> smallest values offered to it, ascending, with their column
    /// indices. All workers share <see cref="Bounds"/>: per row the smallest of the workers' list maxima (+∞ until a list
    /// is full), written without locks — a stale or lost update only leaves a looser bound — which lets every worker
    /// reject at once a value that some list already beats, and lets the kernels check 16 values at a time.
    /// </summary>
    internal sealed class SmallestValues
    {
        internal SmallestValues(int rows, int kept, float[] bounds)
        {
            Kept = kept;
            Values = new float[rows * kept];
            Indices = new int[rows * kept];
            Bounds = bounds;
            Array.Fill(Values, float.PositiveInfinity);
            Array.Fill(Indices, -1);
        }

        /// <summary>List length per row.</summary>
        internal int Kept { get; }

        /// <summary>Values <c>[rows, Kept]</c>, ascending per row (+∞ in unfilled slots).</summary>
        internal float[] Values { get; }

        /// <summary>Column indices <c>[rows, Kept]</c> of <see cref="Values"/> (−1 in unfilled slots).</summary>
        internal int[] Indices { get; }

        /// <summary>Per row, a value no smaller than the final list's largest (shared by the workers).</summary>
        internal float[] Bounds { get; }

        /// <summary>Per row, the largest value in the list (+∞ while it is not full).</summary>
        internal float[] Largest()
        {
            var largest = new float[Bounds.Length];
            for (int row = 0; row < largest.Length; row++)
            {
                largest[row] = Values[(row * Kept) + Kept - 1];
            }

            return largest;
        }

        /// <summary>
        /// Inserts <paramref name="value"/> (at <paramref name="column"/>) into row <paramref name="row"/>'s list if it
        /// is below both the list's largest and the shared bound. A value left out is thus ≥ the largest value of some
        /// full list of the row, and so ≥ the largest value of the merged list.
        /// </summary>
        internal void Offer(int row, float value, int column)
        {
            if (value < Bounds[row])
            {
                Insert(row, value, column);
            }
        }

        /// <summary>Inserts <paramref name="value"/> into row <paramref name="row"/>'s list if it is below the list's largest.</summary>
        private void Insert(int row, float value, int column)
        {
            int start = row * Kept;
            int last = start + Kept - 1;
            if (!(value < Values[last]))
            {
                return;
            }

            int position = last;
            while (position > start && Values[position - 1] > value)
            {
                Values[position] = Values[position - 1];
                Indices[position] = Indices[position - 1];
                position--;
            }

            Values[position] = value;
            Indices[position] = column;
            if (Values[last] < Bounds[row])
            {
                Bounds[row] = Values[last];
            }
        }

        /// <summary>
        /// The lists of several workers, each pair offered to one of them: per row the smallest of their union (inserted
        /// without the shared bound, which the lists being merged themselves back).
        /// </summary>
        internal static SmallestValues Merge(IReadOnlyList<SmallestValues> parts)
        {
            var merged = parts[0];
            for (int p = 1; p < parts.Count; p++)
            {
                var other = parts[p];
                for (int row = 0; row < merged.Bounds.Length; row++)
                {
                    int start = row * merged.Kept;
                    for (int i = start; i < start + merged.Kept && other.Indices[i] >= 0; i++)
                    {
                        merged.Insert(row, other.Values[i], other.Indices[i]);
                    }
                }
            }

            return merged;
        }
    }

    /// <summary>A worker's column minima in <see cref="Cross"/>.</summary>
    private sealed class ColumnMinima(int columns, bool precisionRecall, bool densityCoverage)
    {
        internal float[]? Recall { get; } = precisionRecall ? Filled(columns) : null;

        internal float[]? Coverage { get; } = densityCoverage ? Filled(columns) : null;
    }

    /// <summary>
    /// What <see cref="Cross"/> reduced: per row the minimum value (precision), the count of shifted values below zero and
    /// their smallest magnitude less the column's slack (density); per column the minimum of v − rowRadii (recall) and of the shifted values
    /// (coverage). Arrays not asked for are <see langword="null"/>.
    /// </summary>
    internal sealed class CrossReductions(int rows, int columns, bool precisionRecall, bool densityCoverage)
    {
        /// <summary>Per row, the minimum value.</summary>
        internal float[]? PrecisionMinima { get; } = precisionRecall ? Filled(rows) : null;

        /// <summary>Per column, the minimum of value − rowRadii[row].</summary>
        internal float[]? RecallMinima { get; } = precisionRecall ? Filled(columns) : null;

        /// <summary>Per row, how many shifted values are below zero.</summary>
        internal int[]? NegativeCounts { get; } = densityCoverage ? new int[rows] : null;

        /// <summary>Per row, the smallest magnitude of a shifted value less its column's slack.</summary>
        internal float[]? BoundaryDistances { get; } = densityCoverage ? Filled(rows) : null;

        /// <summary>Per column, the minimum shifted value.</summary>
        internal float[]? CoverageMinima { get; } = densityCoverage ? Filled(columns) : null;
    }

    private static float[] Filled(int length)
    {
        var values = new float[length];
        Array.Fill(values, float.PositiveInfinity);
        return values;
    }
}
