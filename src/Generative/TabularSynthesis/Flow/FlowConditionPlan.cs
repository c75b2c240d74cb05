using Generative.Tabular;
using static TorchSharp.torch;

namespace Generative.TabularSynthesis;

/// <summary>
/// A <see cref="TableCondition"/> turned into bounds on the flow's endpoint x₁, per matrix column of the transformer's
/// layout: a conditioned category's slots are fixed (the allowed one to 1 and the others to 0; of a set of allowed
/// categories, the others to 0), a conditioned number's missing indicator is fixed to <c>present</c>, and its Gaussian
/// value is bounded by the interval of the normal space that decodes inside its range. During sampling the field is
/// redirected so that the predicted endpoint x̂₁ = x_t + (1 − t)·v lies within the bounds (<see cref="Redirect"/>); at the
/// end every one-hot group is snapped to an allowed slot and every bounded value clamped (<see cref="Finish"/>).
/// </summary>
internal sealed class FlowConditionPlan : IDisposable
{
    private readonly double[] _lower;
    private readonly double[] _upper;
    private readonly bool[] _allowed;
    private readonly (int Offset, int Width)[] _groups;
    private readonly int[] _bounded;
    private readonly Tensor? _lowerTensor;
    private readonly Tensor? _upperTensor;
    private readonly Tensor? _boundedMask;

    private FlowConditionPlan(double[] lower, double[] upper, bool[] allowed, (int Offset, int Width)[] groups)
    {
        _lower = lower;
        _upper = upper;
        _allowed = allowed;
        _groups = groups;
        _bounded = [.. Enumerable.Range(0, lower.Length).Where(j => lower[j] > double.NegativeInfinity || upper[j] < double.PositiveInfinity)];
        if (_bounded.Length > 0)
        {
            _lowerTensor = tensor(lower.Select(v => (float)v).ToArray()).DetachFromDisposeScope();
            _upperTensor = tensor(upper.Select(v => (float)v).ToArray()).DetachFromDisposeScope();
            _boundedMask = tensor(Enumerable.Range(0, lower.Length).Select(j => _bounded.Contains(j)).ToArray()).DetachFromDisposeScope();
        }
    }

    /// <summary>Whether no coordinate is bounded (an empty condition): the field is used as it is.</summary>
    internal bool IsFree => _bounded.Length == 0;

    /// <summary>Builds the plan for the transformer's layout (the flow's own column order).</summary>
    /// <exception cref="NotSupportedException">A range is asked of a column whose encoder has no single monotone Gaussian
    /// value (a <c>mode-specific</c> number).</exception>
    /// <exception cref="ArgumentException">A range holds no value the column can be generated as.</exception>
    internal static FlowConditionPlan Build(TableCondition condition, TableTransformer transformer)
    {
        var layout = transformer.Layout;
        int width = layout.Width;
        var lower = Enumerable.Repeat(double.NegativeInfinity, width).ToArray();
        var upper = Enumerable.Repeat(double.PositiveInfinity, width).ToArray();
        var allowed = Enumerable.Repeat(true, width).ToArray();
        var groups = layout.OneHotGroups.Select(g => (g.Offset, g.Width)).ToArray();
        foreach (var column in condition.Columns)
        {
            var (encoder, encoderOffset, transform) = FindEncoder(transformer, column.Column);
            foreach (var block in layout.ForColumn(column.Column).Where(b => b.Kind == BlockKind.OneHot))
            {
                for (int slot = 0; slot < block.Width; slot++)
                {
                    allowed[block.Offset + slot] = block.Role switch
                    {
                        BlockRole.Missing => block.Labels[slot] == "present",
                        BlockRole.Value when column.Categories is not null =>
                            slot != block.MissingSlot && column.Categories.Contains(block.Labels[slot], StringComparer.Ordinal),
                        _ => throw new NotSupportedException(
                            $"The flow model conditions a range of '{column.Column}' through one Gaussian value; its '{transform}' encoding has a {block.Role} group. Fit it with the default quantile-normal transform to condition on ranges."),
                    };
                }

                int allowedCount = Enumerable.Range(block.Offset, block.Width).Count(j => allowed[j]);
                for (int j = block.Offset; j < block.Offset + block.Width; j++)
                {
                    // A disallowed slot ends at 0; the only allowed slot of a group ends at 1.
                    if (!allowed[j] || allowedCount == 1)
                    {
                        lower[j] = upper[j] = allowed[j] ? 1 : 0;
                    }
                }
            }

            if (column.Categories is null)
            {
                var value = encoder.Blocks.Single(b => b.Kind == BlockKind.Gaussian && b.Role == BlockRole.Value);
                var (low, high) = ConditionPlan.NormalInterval(encoder, value.Offset, column);
                lower[encoderOffset + value.Offset] = low;
                upper[encoderOffset + value.Offset] = high;
            }
        }

        return new FlowConditionPlan(lower, upper, allowed, groups);
    }

    /// <summary>
    /// The field with its endpoint kept within the bounds: on a bounded coordinate v is replaced by
    /// (clamp(x̂₁) − x_t)/(1 − t), x̂₁ = x_t + (1 − t)·v, so that a step aims at the clamped endpoint; a fixed coordinate
    /// started at noise x₀ then moves along the straight path (1 − t)·x₀ + t·x₁ that training used, with the constant
    /// velocity x₁ − x₀ (replacement, as in inpainting). At t = 1 the field is left as it is (<see cref="Finish"/> makes
    /// the end exact).
    /// </summary>
    internal Tensor Redirect(Tensor velocity, Tensor x, Tensor t)
    {
        if (IsFree)
        {
            return velocity;
        }

        using var scope = NewDisposeScope();
        var remaining = t.SubtractedFrom(1).unsqueeze(1);
        var endpoint = x.Plus(remaining * velocity);
        var clamped = maximum(minimum(endpoint, _upperTensor!), _lowerTensor!);
        var redirect = _boundedMask! & remaining.GreaterThan(1e-6);
        return where(redirect, (clamped - x) / remaining.ClampMin(1e-6), velocity).MoveToOuterDisposeScope();
    }

    /// <summary>Makes the flow's rows exact: every bounded coordinate clamped into its bounds, every one-hot group set to
    /// exactly one slot — the largest allowed value (NaN counts as −∞; ties take the first slot, as decoding does).</summary>
    /// <param name="values">Row-major rows of the layout's width, changed in place.</param>
    /// <param name="rows">The number of rows.</param>
    internal void Finish(Span<double> values, int rows)
    {
        int width = _lower.Length;
        for (int r = 0; r < rows; r++)
        {
            var row = values.Slice(r * width, width);
            foreach (int j in _bounded)
            {
                row[j] = Math.Clamp(double.IsNaN(row[j]) ? 0 : row[j], _lower[j], _upper[j]);
            }

            foreach (var (offset, groupWidth) in _groups)
            {
                int best = -1;
                for (int j = offset; j < offset + groupWidth; j++)
                {
                    if (_allowed[j] && (best < 0 || row[j] > row[best] || (double.IsNaN(row[best]) && !double.IsNaN(row[j]))))
                    {
                        best = j;
                    }
                }

                row.Slice(offset, groupWidth).Clear();
                row[best] = 1;
            }
        }
    }

    public void Dispose()
    {
        _lowerTensor?.Dispose();
        _upperTensor?.Dispose();
        _boundedMask?.Dispose();
    }

    private static (IColumnEncoder Encoder, int Offset, string Transform) FindEncoder(TableTransformer transformer, string column)
    {
        int offset = 0;
        var encoders = transformer.Encoders;
        for (int i = 0; i < encoders.Count; i++)
        {
            if (encoders[i].Column.Name == column)
            {
                return (encoders[i], offset, transformer.TransformNames[i]);
            }

            offset += encoders[i].Width;
        }

        throw new ArgumentException($"The model has no encoder for column '{column}' (an id column cannot be conditioned).", nameof(column));
    }
}
