namespace Generative.Tabular;

/// <summary>
/// One column's marginal in a <see cref="GaussianCopula"/>: how its values (and missing cells) map to a uniform
/// variable and back. Fitting maps every row to a uniform draw inside the row's probability interval (a randomised
/// probability integral transform, so that ties and categories spread over their interval instead of sitting on a
/// point); sampling maps a uniform back through the empirical distribution, which the missing rate and the categories'
/// frequencies keep exactly.
/// </summary>
internal abstract class CopulaMarginal
{
    protected CopulaMarginal(ColumnSchema column) => Column = column;

    internal ColumnSchema Column { get; }

    internal static CopulaMarginal Fit(TableColumn column, ColumnSchema schema) => schema.Kind switch
    {
        ColumnKind.Categorical or ColumnKind.Boolean => new CategoricalMarginal(column, schema),
        ColumnKind.Id => new IdMarginal(column, schema),
        _ => new NumericMarginal(column, schema),
    };

    /// <summary>Whether the column takes part in the correlation (an id does not).</summary>
    internal virtual bool Learned => true;

    /// <summary>A uniform per row; <paramref name="jitter"/> holds a U(0, 1) draw per row.</summary>
    internal abstract double[] ToUniform(TableColumn column, ReadOnlySpan<double> jitter);

    internal abstract TableColumn FromUniform(ReadOnlySpan<double> u);

    private sealed class CategoricalMarginal : CopulaMarginal
    {
        private readonly string[] _labels;
        private readonly double[] _upper;
        private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);

        internal CategoricalMarginal(TableColumn column, ColumnSchema schema)
            : base(schema)
        {
            string[] categories = schema.Kind == ColumnKind.Boolean ? ["false", "true"] : [.. schema.Categories!];
            _labels = categories;
            var counts = new double[categories.Length + 1];
            for (int i = 0; i < categories.Length; i++)
            {
                _slots[categories[i]] = i;
            }

            for (int r = 0; r < column.Count; r++)
            {
                counts[Slot(column, r)]++;
            }

            _upper = new double[counts.Length];
            double sum = 0;
            for (int i = 0; i < counts.Length; i++)
            {
                sum += counts[i] / column.Count;
                _upper[i] = sum;
            }

            _upper[^1] = 1;
        }

        internal override double[] ToUniform(TableColumn column, ReadOnlySpan<double> jitter)
        {
            var u = new double[column.Count];
            for (int r = 0; r < column.Count; r++)
            {
                int slot = Slot(column, r);
                double lower = slot == 0 ? 0 : _upper[slot - 1];
                u[r] = lower + (jitter[r] * (_upper[slot] - lower));
            }

            return u;
        }

        internal override TableColumn FromUniform(ReadOnlySpan<double> u)
        {
            var slots = new int[u.Length];
            for (int r = 0; r < u.Length; r++)
            {
                int slot = Array.BinarySearch(_upper, u[r]);
                slot = slot >= 0 ? slot + 1 : ~slot;
                slots[r] = Math.Min(slot, _upper.Length - 1);
                while (slots[r] > 0 && _upper[slots[r]] == _upper[slots[r] - 1])
                {
                    slots[r]--; // an empty slot (zero frequency) is never drawn
                }
            }

            return Column.Kind == ColumnKind.Boolean
                ? TableColumn.Boolean(Column.Name, slots.Select(s => s < 2 ? (bool?)(s == 1) : null), Column.Nullable)
                : TableColumn.Categorical(Column.Name, slots.Select(s => s < _labels.Length ? _labels[s] : null), Column.Nullable);
        }

        private int Slot(TableColumn column, int r) =>
            column.IsMissing(r) ? _labels.Length
            : _slots[Column.Kind == ColumnKind.Boolean ? (column.GetBoolean(r) ? "true" : "false") : column.GetString(r)];
    }

    private sealed class NumericMarginal : CopulaMarginal
    {
        private const int GridSize = 1001;

        private readonly double _missing;
        private readonly double[] _sorted;
        private readonly double[] _grid;
        private readonly int? _decimals;
        private readonly long _origin;
        private readonly long _unit;

        internal NumericMarginal(TableColumn column, ColumnSchema schema)
            : base(schema)
        {
            int[] present = [.. Enumerable.Range(0, column.Count).Where(r => !column.IsMissing(r))];
            _missing = (double)(column.Count - present.Length) / column.Count;
            if (schema.Kind == ColumnKind.DateTime)
            {
                long[] ticks = [.. present.Select(r => column.GetDateTime(r).Ticks)];
                _origin = ticks.Length == 0 ? 0 : ticks.Min();
                _unit = DateTimeEncoder.Unit(ticks).Ticks;
                _sorted = [.. ticks.Select(t => (double)((t - _origin) / _unit)).Order()];
                _decimals = 0;
            }
            else
            {
                _sorted = [.. present.Select(column.GetDouble).Order()];
                _decimals = schema.Kind == ColumnKind.Integer ? 0 : QuantileNormalEncoder.Decimals(_sorted);
            }

            _grid = _sorted.Length == 0 ? [0] : [.. Enumerable.Range(0, GridSize).Select(j => _sorted[(int)Math.Round((double)j * (_sorted.Length - 1) / (GridSize - 1))])];
        }

        internal override double[] ToUniform(TableColumn column, ReadOnlySpan<double> jitter)
        {
            var u = new double[column.Count];
            for (int r = 0; r < column.Count; r++)
            {
                if (column.IsMissing(r))
                {
                    u[r] = jitter[r] * _missing;
                    continue;
                }

                double x = Column.Kind == ColumnKind.DateTime ? (column.GetDateTime(r).Ticks - _origin) / _unit : column.GetDouble(r);
                int below = LowerBound(_sorted, x);
                int equal = LowerBound(_sorted, Math.BitIncrement(x)) - below;
                double within = (below + (jitter[r] * equal)) / _sorted.Length;
                u[r] = _missing + ((1 - _missing) * within);
            }

            return u;
        }

        internal override TableColumn FromUniform(ReadOnlySpan<double> u)
        {
            var values = new double?[u.Length];
            for (int r = 0; r < u.Length; r++)
            {
                if (u[r] < _missing || _sorted.Length == 0)
                {
                    continue;
                }

                double v = Math.Clamp((u[r] - _missing) / (1 - _missing), 0, 1) * (_grid.Length - 1);
                int i = Math.Min((int)v, _grid.Length - 2);
                double x = _grid.Length == 1 ? _grid[0] : _grid[i] + ((v - i) * (_grid[i + 1] - _grid[i]));
                values[r] = _decimals is int d ? Math.Round(x, d) : x;
            }

            return Column.Kind switch
            {
                ColumnKind.Integer => TableColumn.Integer(Column.Name, values.Select(v => v is double x ? (long?)x : null), Column.Nullable),
                ColumnKind.DateTime => TableColumn.DateTime(Column.Name, values.Select(v => v is double x ? (DateTime?)new DateTime(_origin + ((long)x * _unit)) : null), Column.Nullable),
                _ => TableColumn.Continuous(Column.Name, values, Column.Nullable),
            };
        }

        private static int LowerBound(double[] a, double v)
        {
            int lo = 0, hi = a.Length;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (a[mid] < v)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }
    }

    private sealed class IdMarginal : CopulaMarginal
    {
        private readonly IColumnEncoder _ids;

        internal IdMarginal(TableColumn column, ColumnSchema schema)
            : base(schema) => _ids = IdEncoder.Fit(column, schema);

        internal override bool Learned => false;

        internal override double[] ToUniform(TableColumn column, ReadOnlySpan<double> jitter) =>
            throw new InvalidOperationException($"Column '{Column.Name}' is an id; it is not learned.");

        internal override TableColumn FromUniform(ReadOnlySpan<double> u) => _ids.Decode(ReadOnlySpan<double>.Empty, u.Length, 0);
    }
}
