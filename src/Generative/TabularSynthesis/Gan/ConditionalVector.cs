using Generative.Tabular;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.TabularSynthesis;

/// <summary>
/// CTGAN's conditional vector (Xu et al. 2019, §4.3): one slot per category of every discrete column (the one-hot
/// <see cref="BlockRole.Value"/> groups of categorical and Boolean columns, their missing slot included; not the modes of
/// numbers, not the missing indicators of numbers), one slot set per row. Training-by-sampling picks a discrete column
/// uniformly, a category of it with probability ∝ log(1 + count) (or ∝ count), and a real row holding it; sampling
/// without a condition picks the column uniformly and the category ∝ count (the data's own frequency). Immutable.
/// </summary>
internal sealed class ConditionalVector
{
    private readonly int[][][]? _rowsBySlot;

    private ConditionalVector(TransformBlock[] groups, double[][] counts, int[][][]? rowsBySlot, bool logFrequency)
    {
        Groups = groups;
        Counts = counts;
        _rowsBySlot = rowsBySlot;
        Offsets = new int[groups.Length];
        int offset = 0;
        for (int g = 0; g < groups.Length; g++)
        {
            Offsets[g] = offset;
            offset += groups[g].Width;
        }

        Width = offset;
        TrainingProbabilities = [.. counts.Select(c => Normalise(c.Select(n => logFrequency ? Math.Log(1 + n) : n)))];
        Frequencies = [.. counts.Select(c => Normalise(c))];
    }

    /// <summary>The discrete columns' one-hot groups, in matrix order.</summary>
    internal TransformBlock[] Groups { get; }

    /// <summary>Where each group's slots start in the conditional vector.</summary>
    internal int[] Offsets { get; }

    /// <summary>The conditional vector's width (0 when the table has no discrete column).</summary>
    internal int Width { get; }

    /// <summary>How many fitted rows hold each slot of each group.</summary>
    internal double[][] Counts { get; }

    /// <summary>Training-by-sampling's category probabilities per group: log(1 + count) (or count), normalised.</summary>
    internal double[][] TrainingProbabilities { get; }

    /// <summary>The data's category frequencies per group.</summary>
    internal double[][] Frequencies { get; }

    /// <summary>The discrete groups of a layout.</summary>
    internal static TransformBlock[] DiscreteGroups(TableLayout layout) =>
        [.. layout.Blocks.Where(b => b.Kind == BlockKind.OneHot && b.Role == BlockRole.Value)];

    /// <summary>From the transformed training matrix (row-major): counts and the rows holding each slot.</summary>
    internal static ConditionalVector FromData(TableLayout layout, double[] matrix, int rows, bool logFrequency)
    {
        var groups = DiscreteGroups(layout);
        var counts = new double[groups.Length][];
        var rowsBySlot = new int[groups.Length][][];
        for (int g = 0; g < groups.Length; g++)
        {
            var lists = Enumerable.Range(0, groups[g].Width).Select(_ => new List<int>()).ToArray();
            for (int r = 0; r < rows; r++)
            {
                int at = (r * layout.Width) + groups[g].Offset;
                int slot = 0;
                for (int j = 1; j < groups[g].Width; j++)
                {
                    if (matrix[at + j] > matrix[at + slot])
                    {
                        slot = j;
                    }
                }

                lists[slot].Add(r);
            }

            rowsBySlot[g] = [.. lists.Select(l => l.ToArray())];
            counts[g] = [.. lists.Select(l => (double)l.Count)];
        }

        return new ConditionalVector(groups, counts, rowsBySlot, logFrequency);
    }

    /// <summary>From saved counts (a loaded model samples; it does not train).</summary>
    internal static ConditionalVector FromCounts(TableLayout layout, double[][] counts, bool logFrequency, string where)
    {
        var groups = DiscreteGroups(layout);
        if (counts.Length != groups.Length)
        {
            throw new InvalidDataException($"{where}: 'categoryCounts' has {counts.Length} groups; the table has {groups.Length} discrete columns.");
        }

        for (int g = 0; g < groups.Length; g++)
        {
            if (counts[g].Length != groups[g].Width || counts[g].Any(c => c < 0) || counts[g].Sum() <= 0)
            {
                throw new InvalidDataException($"{where}: 'categoryCounts[{g}]' (column '{groups[g].Column}') must hold {groups[g].Width} counts, 0 or more, not all 0; found [{string.Join(", ", counts[g])}].");
            }
        }

        return new ConditionalVector(groups, counts, null, logFrequency);
    }

    /// <summary>Training-by-sampling for a batch: per row a group (uniform), a slot (∝ <see cref="TrainingProbabilities"/>)
    /// and, when <paramref name="withRealRows"/>, a real row holding that slot (uniform among them).</summary>
    internal (int[] Groups, int[] Slots, int[] RealRows) SampleForTraining(int batch, Generator generator, bool withRealRows)
    {
        var (groups, slots) = Draw(batch, TrainingProbabilities, generator);
        int[] real = [];
        if (withRealRows)
        {
            double[] u = Uniforms(batch, generator);
            real = new int[batch];
            for (int i = 0; i < batch; i++)
            {
                var holding = _rowsBySlot![groups[i]][slots[i]];
                real[i] = holding[Math.Min((int)(u[i] * holding.Length), holding.Length - 1)];
            }
        }

        return (groups, slots, real);
    }

    /// <summary>Conditions for unconditional sampling: a group uniformly, a slot ∝ the data's frequency.</summary>
    internal (int[] Groups, int[] Slots) SampleForGeneration(int batch, Generator generator) => Draw(batch, Frequencies, generator);

    /// <summary>The one-hot conditional vectors <c>[N, Width]</c> of chosen slots.</summary>
    internal Tensor ToTensor(int[] groups, int[] slots)
    {
        var values = new float[groups.Length * Width];
        for (int i = 0; i < groups.Length; i++)
        {
            values[(i * Width) + Offsets[groups[i]] + slots[i]] = 1;
        }

        return tensor(values, [groups.Length, Width]);
    }

    /// <summary>A slot per row drawn from the given probabilities, by inverting their cumulative sum at a uniform.</summary>
    internal static int Choose(IReadOnlyList<double> probabilities, double u)
    {
        double cumulative = 0;
        int last = 0;
        for (int j = 0; j < probabilities.Count; j++)
        {
            if (probabilities[j] <= 0)
            {
                continue;
            }

            last = j;
            cumulative += probabilities[j];
            if (u < cumulative)
            {
                return j;
            }
        }

        return last;
    }

    /// <summary>n uniforms in [0, 1) from the generator, as doubles.</summary>
    internal static double[] Uniforms(int n, Generator generator)
    {
        using var scope = NewDisposeScope();
        return n == 0 ? [] : rand([n], float64, generator: generator).data<double>().ToArray();
    }

    private (int[] Groups, int[] Slots) Draw(int batch, double[][] probabilities, Generator generator)
    {
        if (Groups.Length == 0)
        {
            return (new int[batch], new int[batch]);
        }

        double[] u = Uniforms(2 * batch, generator);
        var groups = new int[batch];
        var slots = new int[batch];
        for (int i = 0; i < batch; i++)
        {
            groups[i] = Math.Min((int)(u[2 * i] * Groups.Length), Groups.Length - 1);
            slots[i] = Choose(probabilities[groups[i]], u[(2 * i) + 1]);
        }

        return (groups, slots);
    }

    private static double[] Normalise(IEnumerable<double> values)
    {
        double[] v = [.. values];
        double total = v.Sum();
        return [.. v.Select(x => total > 0 ? x / total : 1.0 / v.Length)];
    }
}
