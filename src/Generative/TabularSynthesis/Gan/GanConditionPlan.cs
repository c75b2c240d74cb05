using Generative.Tabular;
using TorchSharp;

namespace Generative.TabularSynthesis;

/// <summary>
/// How a <see cref="TabularGan"/> meets a <see cref="TableCondition"/> by conditioning, with no rejection:
/// <list type="bullet">
/// <item>categorical and Boolean columns: the one whose allowed categories are rarest in the data (the strongest
/// constraint) is fed to the generator through the conditional vector, a category per row drawn ∝ its frequency among
/// the allowed ones; every conditioned group's output is then set to a one-hot of an allowed slot (the conditioned one,
/// or for the other columns the allowed slot the generator's own Gumbel-softmax output ranks highest — a draw from the
/// generator's distribution restricted to the allowed categories);</item>
/// <item>numeric ranges: the mode is the allowed mode the generator ranks highest, a mode being allowed when its span
/// μ_k ± 4σ_k (α in [−1, 1]) overlaps the range; α is mapped affinely from [−1, 1] onto the mode's part of the range,
/// so it stays inside; the missing indicator is set to present; after decoding, cells are clamped into the range
/// (only rounding to the data's decimals can move them).</item>
/// </list>
/// </summary>
internal sealed class GanConditionPlan
{
    private readonly int _primary = -1;
    private readonly int[] _primarySlots = [];
    private readonly double[] _primaryProbabilities = [];
    private readonly List<(TransformBlock Group, int[] Allowed, bool Primary)> _categorical = [];
    private readonly List<NumericRange> _ranges = [];

    internal GanConditionPlan(TableCondition condition, TableTransformer transformer, ConditionalVector conditions)
    {
        var layout = transformer.Layout;
        double rarest = double.PositiveInfinity;
        foreach (var c in condition.Columns)
        {
            var blocks = layout.ForColumn(c.Column);
            int index = transformer.Schema.Columns.ToList().FindIndex(s => s.Name == c.Column);
            var schema = transformer.Schema.Columns[index];
            if (c.Categories is not null)
            {
                var group = blocks.Single(b => b.Kind == BlockKind.OneHot && b.Role == BlockRole.Value);
                int[] allowed = [.. c.Categories.Select(category => group.Labels.ToList().IndexOf(category))];
                int g = Array.FindIndex(conditions.Groups, x => x.Offset == group.Offset);
                double mass = allowed.Sum(s => conditions.Frequencies[g][s]);
                if (mass < rarest)
                {
                    rarest = mass;
                    _primary = g;
                    _primarySlots = allowed;
                    double total = allowed.Sum(s => conditions.Frequencies[g][s]);
                    _primaryProbabilities = [.. allowed.Select(s => total > 0 ? conditions.Frequencies[g][s] / total : 1.0 / allowed.Length)];
                }

                _categorical.Add((group, allowed, false));
            }
            else if (c.Minimum is double low && c.Maximum is double high)
            {
                if (transformer.Encoders[index] is not ModeSpecificEncoder encoder)
                {
                    throw new NotSupportedException($"The ctgan model conditions a numeric range through the mode-specific transform; column '{c.Column}' uses '{transformer.TransformNames[index]}'.");
                }

                _ranges.Add(NumericRange.Create(c.Column, blocks, encoder, schema, low, high));
            }
            else
            {
                throw new NotSupportedException($"The ctgan model cannot condition '{c.Column}' on a date range ({c}); condition categorical, Boolean, continuous or integer columns.");
            }
        }

        for (int i = 0; i < _categorical.Count; i++)
        {
            if (_primary >= 0 && _categorical[i].Group.Offset == conditions.Groups[_primary].Offset)
            {
                _categorical[i] = _categorical[i] with { Primary = true };
            }
        }
    }

    /// <summary>Whether a categorical condition goes through the conditional vector.</summary>
    internal bool HasPrimary => _primary >= 0;

    /// <summary>The conditional vector's group and slot per row (slots drawn ∝ frequency among the allowed ones).</summary>
    internal (int[] Groups, int[] Slots) DrawPrimary(int rows, torch.Generator generator)
    {
        double[] u = ConditionalVector.Uniforms(rows, generator);
        var groups = Enumerable.Repeat(_primary, rows).ToArray();
        var slots = u.Select(x => _primarySlots[ConditionalVector.Choose(_primaryProbabilities, x)]).ToArray();
        return (groups, slots);
    }

    /// <summary>Sets the conditioned blocks of activated rows (row-major, <paramref name="width"/> wide).</summary>
    internal void Apply(double[] values, int rows, int width, int[]? primarySlots)
    {
        for (int r = 0; r < rows; r++)
        {
            var row = values.AsSpan(r * width, width);
            foreach (var (group, allowed, primary) in _categorical)
            {
                int slot = primary ? primarySlots![r] : Best(row.Slice(group.Offset, group.Width), allowed);
                SetOneHot(row.Slice(group.Offset, group.Width), slot);
            }

            foreach (var range in _ranges)
            {
                range.Apply(row);
            }
        }
    }

    /// <summary>Clamps the range-conditioned cells of a decoded table into their ranges.</summary>
    internal Table ClampRanges(Table table)
    {
        if (_ranges.Count == 0)
        {
            return table;
        }

        var columns = table.Columns.Select(column =>
        {
            var range = _ranges.Find(x => x.Column == column.Name);
            if (range is null)
            {
                return column;
            }

            var values = Enumerable.Range(0, column.Count).Select(r => Math.Clamp(column.GetDouble(r), range.Low, range.High));
            return column.Kind == ColumnKind.Integer
                ? TableColumn.Integer(column.Name, values.Select(v => (long?)v), column.Nullable)
                : TableColumn.Continuous(column.Name, values.Select(v => (double?)v), column.Nullable);
        });
        return new Table(columns, table.Schema.Columns.Where(c => c.Reason is not null).ToDictionary(c => c.Name, c => c.Reason!, StringComparer.Ordinal));
    }

    private static int Best(ReadOnlySpan<double> slots, int[] allowed)
    {
        int best = allowed[0];
        foreach (int s in allowed)
        {
            if (slots[s] > slots[best])
            {
                best = s;
            }
        }

        return best;
    }

    private static void SetOneHot(Span<double> slots, int slot)
    {
        slots.Clear();
        slots[slot] = 1;
    }

    /// <summary>A numeric range: per mode, whether it is allowed and the α window it maps [−1, 1] onto.</summary>
    private sealed record NumericRange(string Column, int Alpha, int ModeOffset, int Modes, int? Missing, int[] Allowed, double[] From, double[] To, double Low, double High)
    {
        internal static NumericRange Create(string column, IReadOnlyList<TransformBlock> blocks, ModeSpecificEncoder encoder, ColumnSchema schema, double low, double high)
        {
            var mixture = encoder.Mixture;
            low = Math.Max(low, schema.Minimum ?? low);
            high = Math.Min(high, schema.Maximum ?? high);
            if (schema.Kind == ColumnKind.Integer)
            {
                (low, high) = (Math.Ceiling(low), Math.Floor(high));
            }

            int k = mixture.Count;
            var from = new double[k];
            var to = new double[k];
            var allowed = new List<int>();
            double nearest = double.PositiveInfinity;
            int nearestMode = 0;
            for (int m = 0; m < k; m++)
            {
                double a = (low - mixture.Means[m]) / (4 * mixture.Deviations[m]);
                double b = (high - mixture.Means[m]) / (4 * mixture.Deviations[m]);
                (from[m], to[m]) = (Math.Max(a, -1), Math.Min(b, 1));
                if (from[m] <= to[m])
                {
                    allowed.Add(m);
                }

                double distance = Math.Max(a - 1, -1 - b);
                if (distance < nearest)
                {
                    (nearest, nearestMode) = (distance, m);
                }
            }

            if (allowed.Count == 0)
            {
                // No mode's ±4σ span reaches the range: the nearest mode, with α outside [−1, 1] (decoding does not clip α).
                allowed.Add(nearestMode);
                from[nearestMode] = (low - mixture.Means[nearestMode]) / (4 * mixture.Deviations[nearestMode]);
                to[nearestMode] = (high - mixture.Means[nearestMode]) / (4 * mixture.Deviations[nearestMode]);
            }

            var alpha = blocks.Single(b => b.Kind == BlockKind.Gaussian);
            var modes = blocks.Single(b => b.Role == BlockRole.Mode);
            var missing = blocks.SingleOrDefault(b => b.Role == BlockRole.Missing);
            return new NumericRange(column, alpha.Offset, modes.Offset, modes.Width, missing?.Offset, [.. allowed], from, to, low, high);
        }

        internal void Apply(Span<double> row)
        {
            var modes = row.Slice(ModeOffset, Modes);
            int mode = Best(modes, Allowed);
            SetOneHot(modes, mode);
            double alpha = Math.Clamp(row[Alpha], -1, 1);
            row[Alpha] = From[mode] + ((alpha + 1) / 2 * (To[mode] - From[mode]));
            if (Missing is int m)
            {
                row[m] = 1;
                row[m + 1] = 0;
            }
        }
    }
}
