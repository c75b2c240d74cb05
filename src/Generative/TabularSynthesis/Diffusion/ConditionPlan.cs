using static TorchSharp.torch;

using Generative.Tabular;

namespace Generative.TabularSynthesis;

/// <summary>
/// A <see cref="TableCondition"/> turned into what the reverse chain needs: a log mask over the one-hot slots (0 where
/// allowed, <see cref="MultinomialDiffusion.LogZero"/> where not; a conditioned number's missing indicator allows only
/// "present") and, per Gaussian column, the interval of the normal space that decodes inside a numeric or date range.
/// </summary>
internal sealed class ConditionPlan : IDisposable
{
    private ConditionPlan(Tensor? slotMask, Tensor? lower, Tensor? upper)
    {
        SlotMask = slotMask;
        Lower = lower;
        Upper = upper;
    }

    /// <summary><c>[one-hot width]</c>: 0 for an allowed slot, <see cref="MultinomialDiffusion.LogZero"/> otherwise; none without categorical conditions.</summary>
    internal Tensor? SlotMask { get; }

    /// <summary><c>[Gaussian width]</c> lower bounds of x̂₀ (−∞ where free); none without ranges.</summary>
    internal Tensor? Lower { get; }

    /// <summary><c>[Gaussian width]</c> upper bounds of x̂₀ (+∞ where free); none without ranges.</summary>
    internal Tensor? Upper { get; }

    /// <summary>Builds the plan. <paramref name="gaussian"/> and <paramref name="groups"/> are the model's column order:
    /// the Gaussian matrix columns, then the one-hot groups side by side.</summary>
    internal static ConditionPlan Build(TableCondition condition, TableTransformer transformer, IReadOnlyList<int> gaussian, IReadOnlyList<TransformBlock> groups)
    {
        if (condition.IsEmpty)
        {
            return new ConditionPlan(null, null, null);
        }

        int oneHotWidth = groups.Sum(g => g.Width);
        float[]? mask = null;
        double[]? lower = null, upper = null;
        foreach (var column in condition.Columns)
        {
            int groupOffset = 0;
            foreach (var group in groups)
            {
                if (group.Column == column.Column)
                {
                    mask ??= new float[oneHotWidth];
                    for (int slot = 0; slot < group.Width; slot++)
                    {
                        bool allowed = group.Role == BlockRole.Missing
                            ? group.Labels[slot] == "present"
                            : column.Categories is not null && slot != group.MissingSlot && column.Categories.Contains(group.Labels[slot], StringComparer.Ordinal);
                        if (group.Role == BlockRole.Value && column.Categories is null)
                        {
                            allowed = slot != group.MissingSlot;
                        }

                        mask[groupOffset + slot] = allowed ? 0 : MultinomialDiffusion.LogZero;
                    }
                }

                groupOffset += group.Width;
            }

            if (column.Categories is null)
            {
                var (encoder, offset) = FindEncoder(transformer, column.Column);
                var value = encoder.Blocks.First(b => b.Kind == BlockKind.Gaussian && b.Role == BlockRole.Value);
                int matrixColumn = offset + value.Offset;
                int index = IndexOf(gaussian, matrixColumn);
                var (low, high) = NormalInterval(encoder, value.Offset, column);
                lower ??= Enumerable.Repeat(double.NegativeInfinity, gaussian.Count).ToArray();
                upper ??= Enumerable.Repeat(double.PositiveInfinity, gaussian.Count).ToArray();
                lower[index] = low;
                upper[index] = high;
            }
        }

        return new ConditionPlan(
            mask is null ? null : tensor(mask).DetachFromDisposeScope(),
            lower is null ? null : tensor(lower.Select(v => (float)v).ToArray()).DetachFromDisposeScope(),
            upper is null ? null : tensor(upper!.Select(v => (float)v).ToArray()).DetachFromDisposeScope());
    }

    /// <summary>
    /// The interval [low, high] of the normal space whose values the column's encoder decodes inside the condition's
    /// range: the range (clipped to the observed one) encoded, then each end moved inwards by bisection until it decodes
    /// inside (decoding rounds to the data's decimals, so an end can decode just outside). Decoding is monotone, so
    /// every value in between decodes inside too.
    /// </summary>
    internal static (double Low, double High) NormalInterval(IColumnEncoder encoder, int valueOffset, ColumnCondition condition)
    {
        var schema = encoder.Column;
        TableColumn ends;
        if (schema.Kind == ColumnKind.DateTime)
        {
            var earliest = Max(condition.Earliest!.Value, schema.Earliest ?? DateTime.MinValue);
            var latest = Min(condition.Latest!.Value, schema.Latest ?? DateTime.MaxValue);
            ends = TableColumn.DateTime(schema.Name, [earliest, latest], schema.Nullable);
        }
        else
        {
            double low = Math.Max(condition.Minimum!.Value, schema.Minimum ?? double.NegativeInfinity);
            double high = Math.Min(condition.Maximum!.Value, schema.Maximum ?? double.PositiveInfinity);
            ends = schema.Kind == ColumnKind.Integer
                ? TableColumn.Integer(schema.Name, [(long)Math.Ceiling(low), (long)Math.Floor(high)], schema.Nullable)
                : TableColumn.Continuous(schema.Name, [low, high], schema.Nullable);
        }

        int width = encoder.Width;
        var encoded = new double[2 * width];
        encoder.Encode(ends, encoded, width);
        double zLow = encoded[valueOffset], zHigh = encoded[width + valueOffset];
        var row = new double[width];
        var presentRow = encoded.AsSpan(0, width).ToArray();
        bool Inside(double z)
        {
            presentRow.CopyTo(row, 0);
            row[valueOffset] = z;
            return condition.Matches(encoder.Decode(row, 1, width), 0);
        }

        double inside = double.NaN;
        for (int i = 0; i <= 64 && double.IsNaN(inside); i++)
        {
            double z = zLow + ((zHigh - zLow) * (i % 2 == 0 ? i / 2 : 64 - (i / 2)) / 64.0);
            if (Inside(z))
            {
                inside = z;
            }
        }

        if (double.IsNaN(inside))
        {
            throw new ArgumentException($"The condition {condition} holds no value that column '{schema.Name}' can be generated as (values are rounded as in the data); widen the range.", nameof(condition));
        }

        // The chain runs in float32: round each end to a float32 that still decodes inside.
        float low32 = (float)Edge(zLow, inside), high32 = (float)Edge(zHigh, inside);
        for (int i = 0; i < 64 && !Inside(low32) && low32 < inside; i++)
        {
            low32 = MathF.BitIncrement(low32);
        }

        for (int i = 0; i < 64 && !Inside(high32) && high32 > inside; i++)
        {
            high32 = MathF.BitDecrement(high32);
        }

        return (low32, high32);

        double Edge(double outer, double known)
        {
            if (Inside(outer))
            {
                return outer;
            }

            for (int i = 0; i < 60; i++)
            {
                double mid = 0.5 * (outer + known);
                if (Inside(mid))
                {
                    known = mid;
                }
                else
                {
                    outer = mid;
                }
            }

            return known;
        }
    }

    private static (IColumnEncoder Encoder, int Offset) FindEncoder(TableTransformer transformer, string column)
    {
        int offset = 0;
        foreach (var encoder in transformer.Encoders)
        {
            if (encoder.Column.Name == column)
            {
                return (encoder, offset);
            }

            offset += encoder.Width;
        }

        throw new ArgumentException($"The model has no encoder for column '{column}'.", nameof(column));
    }

    private static int IndexOf(IReadOnlyList<int> columns, int column)
    {
        for (int i = 0; i < columns.Count; i++)
        {
            if (columns[i] == column)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"Matrix column {column} is not modelled as a Gaussian column.");
    }

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    public void Dispose()
    {
        SlotMask?.Dispose();
        Lower?.Dispose();
        Upper?.Dispose();
    }
}
