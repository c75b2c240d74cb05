using System.Globalization;
using System.Text.Json.Nodes;

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

    /// <summary>The uniforms whose cells satisfy a (validated) condition on this column, as disjoint intervals; a
    /// conditioned cell is never missing.</summary>
    /// <exception cref="ArgumentException">No uniform gives an allowed value (a range finer than the data's precision).</exception>
    internal abstract UnitIntervals Allowed(ColumnCondition condition);

    /// <summary>Decodes uniforms that lie in <see cref="Allowed"/>, making sure every cell satisfies the condition (a
    /// number is clamped to the condition's range at the data's precision: a no-op but at the intervals' edges).</summary>
    internal virtual TableColumn FromUniform(ReadOnlySpan<double> u, ColumnCondition condition) => FromUniform(u);

    /// <summary>The fitted state, for <see cref="GaussianCopula.Save"/>.</summary>
    internal abstract JsonObject Describe();

    /// <summary>Reads a marginal back from <see cref="Describe"/>'s JSON, validating every field.</summary>
    /// <param name="state">The JSON.</param>
    /// <param name="schema">The column's saved schema.</param>
    /// <param name="where">Where the JSON was read, for messages.</param>
    internal static CopulaMarginal Load(JsonObject state, ColumnSchema schema, string where) => schema.Kind switch
    {
        ColumnKind.Categorical or ColumnKind.Boolean => CategoricalMarginal.Read(state, schema, where),
        ColumnKind.Id => new IdMarginal(schema, IdEncoder.Load(state, schema)),
        _ => NumericMarginal.Read(state, schema, where),
    };

    private sealed class CategoricalMarginal : CopulaMarginal
    {
        private readonly string[] _labels;
        private double[] _upper;
        private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);

        internal CategoricalMarginal(TableColumn column, ColumnSchema schema)
            : this(schema)
        {
            var counts = new double[_labels.Length + 1];
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

        private CategoricalMarginal(ColumnSchema schema)
            : base(schema)
        {
            _labels = schema.Kind == ColumnKind.Boolean ? ["false", "true"] : [.. schema.Categories ?? []];
            for (int i = 0; i < _labels.Length; i++)
            {
                _slots[_labels[i]] = i;
            }

            _upper = [];
        }

        internal static CategoricalMarginal Read(JsonObject state, ColumnSchema schema, string where)
        {
            var marginal = new CategoricalMarginal(schema);
            double[] upper = Json.Doubles(state, "upper", where);
            if (upper.Length != marginal._labels.Length + 1)
            {
                throw new InvalidDataException($"{where}: 'upper' must hold {marginal._labels.Length + 1} cumulative frequencies (one per category, then the missing cells); found {upper.Length}.");
            }

            for (int i = 0; i < upper.Length; i++)
            {
                if (upper[i] < 0 || upper[i] > 1 || (i > 0 && upper[i] < upper[i - 1]) || (i == upper.Length - 1 && upper[i] != 1))
                {
                    throw new InvalidDataException($"{where}: 'upper'[{i}] is {upper[i].ToString(CultureInfo.InvariantCulture)}; cumulative frequencies must not decrease, lie in [0, 1] and end at 1.");
                }
            }

            marginal._upper = upper;
            return marginal;
        }

        internal override JsonObject Describe() => new() { ["upper"] = Json.Array(_upper) };

        internal override UnitIntervals Allowed(ColumnCondition condition)
        {
            var intervals = new List<(double, double)>();
            foreach (string category in condition.Categories ?? throw new ArgumentException($"'{Column.Name}' takes categories, not a range.", nameof(condition)))
            {
                int slot = _slots[category];
                double lower = slot == 0 ? 0 : _upper[slot - 1];
                if (_upper[slot] > lower)
                {
                    intervals.Add((lower, _upper[slot]));
                }
            }

            return UnitIntervals.Create(intervals, Column.Name, condition);
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
        private readonly bool _empty;
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

            _empty = _sorted.Length == 0;
            _grid = _empty ? [0] : [.. Enumerable.Range(0, GridSize).Select(j => _sorted[(int)Math.Round((double)j * (_sorted.Length - 1) / (GridSize - 1))])];
        }

        private NumericMarginal(ColumnSchema schema, double missing, double[] grid, bool empty, int? decimals, long origin, long unit)
            : base(schema)
        {
            _missing = missing;
            _grid = grid;
            _empty = empty;
            _decimals = decimals;
            _origin = origin;
            _unit = unit;
            _sorted = [];
        }

        internal static NumericMarginal Read(JsonObject state, ColumnSchema schema, string where)
        {
            double missing = Json.Double(state, "missing", where);
            if (missing is < 0 or > 1)
            {
                throw new InvalidDataException($"{where}: 'missing' is {missing.ToString(CultureInfo.InvariantCulture)}; a missing rate lies in [0, 1].");
            }

            bool empty = state["grid"] is null;
            double[] grid = empty ? [0] : Json.Doubles(state, "grid", where);
            if (!empty && grid.Length != GridSize)
            {
                throw new InvalidDataException($"{where}: 'grid' must hold {GridSize} quantiles; found {grid.Length}.");
            }

            for (int i = 1; i < grid.Length; i++)
            {
                if (grid[i] < grid[i - 1])
                {
                    throw new InvalidDataException($"{where}: 'grid'[{i}] is {grid[i].ToString(CultureInfo.InvariantCulture)}, below 'grid'[{i - 1}] = {grid[i - 1].ToString(CultureInfo.InvariantCulture)}; quantiles must not decrease.");
                }
            }

            int? decimals = Json.OptionalInt(state, "decimals", where);
            if (decimals is < 0 or > 15)
            {
                throw new InvalidDataException($"{where}: 'decimals' must be 0 to 15; found {decimals}.");
            }

            long origin = 0, unit = 1;
            if (schema.Kind == ColumnKind.DateTime)
            {
                origin = (Json.OptionalDate(state, "origin", where) ?? throw new InvalidDataException($"{where}: 'origin' is missing; expected an ISO 8601 date.")).Ticks;
                double ticks = Json.Double(state, "unit", where);
                if (ticks is < 1 or > TimeSpan.TicksPerDay || ticks != Math.Floor(ticks))
                {
                    throw new InvalidDataException($"{where}: 'unit' must be a whole number of ticks from 1 to {TimeSpan.TicksPerDay} (a day); found {ticks.ToString(CultureInfo.InvariantCulture)}.");
                }

                unit = (long)ticks;
            }

            return new NumericMarginal(schema, missing, grid, empty, decimals, origin, unit);
        }

        internal override JsonObject Describe()
        {
            var state = new JsonObject { ["missing"] = _missing };
            if (!_empty)
            {
                state["grid"] = Json.Array(_grid);
            }

            if (_decimals is int d)
            {
                state["decimals"] = d;
            }

            if (Column.Kind == ColumnKind.DateTime)
            {
                state["origin"] = new DateTime(_origin).ToString("O", CultureInfo.InvariantCulture);
                state["unit"] = _unit;
            }

            return state;
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

        internal override TableColumn FromUniform(ReadOnlySpan<double> u) => Decode(u, double.NegativeInfinity, double.PositiveInfinity);

        internal override TableColumn FromUniform(ReadOnlySpan<double> u, ColumnCondition condition)
        {
            var (low, high) = Lattice(condition);
            return Decode(u, low, high);
        }

        /// <summary>
        /// The uniforms whose decoded value lies in the condition's range: the range's first and last values at the
        /// data's precision (whole numbers, whole date units, the data's decimals), widened by just under half a step
        /// each side (what rounds into them), mapped back through the piecewise-linear quantile grid, which is monotone.
        /// </summary>
        internal override UnitIntervals Allowed(ColumnCondition condition)
        {
            var (low, high) = Lattice(condition);
            if (_empty || low > high)
            {
                return UnitIntervals.Create([], Column.Name, condition);
            }

            double half = _decimals is int d ? 0.5 * Math.Pow(10, -d) : 0;
            double from = low - half + (half * 1e-6), to = high + half - (half * 1e-6);
            int last = _grid.Length - 1;
            if (from > _grid[last] || to < _grid[0])
            {
                return UnitIntervals.Create([], Column.Name, condition);
            }

            double tLow = 0, tHigh = last;
            if (from > _grid[0])
            {
                int i = LowerBound(_grid, from) - 1; // _grid[i] < from <= _grid[i + 1]
                tLow = i + ((from - _grid[i]) / (_grid[i + 1] - _grid[i]));
            }

            if (to < _grid[last])
            {
                int j = LowerBound(_grid, Math.BitIncrement(to)) - 1; // _grid[j] <= to < _grid[j + 1]
                tHigh = j + ((to - _grid[j]) / (_grid[j + 1] - _grid[j]));
            }

            double uLow = _missing + ((1 - _missing) * tLow / last), uHigh = _missing + ((1 - _missing) * tHigh / last);
            return UnitIntervals.Create(uHigh > uLow ? [(uLow, uHigh)] : [], Column.Name, condition);
        }

        /// <summary>The condition's smallest and largest values at the data's precision, in the marginal's units.</summary>
        private (double Low, double High) Lattice(ColumnCondition condition)
        {
            if (Column.Kind == ColumnKind.DateTime)
            {
                long earliest = (condition.Earliest ?? DateTime.MinValue).Ticks - _origin, latest = (condition.Latest ?? DateTime.MaxValue).Ticks - _origin;
                long low = (earliest / _unit) + (earliest > 0 && earliest % _unit != 0 ? 1 : 0);
                long high = (latest / _unit) - (latest < 0 && latest % _unit != 0 ? 1 : 0);
                return (low, high);
            }

            double minimum = condition.Minimum ?? double.NegativeInfinity, maximum = condition.Maximum ?? double.PositiveInfinity;
            if (_decimals is not int decimals)
            {
                return (minimum, maximum);
            }

            double scale = Math.Pow(10, decimals);
            double first = Math.Round(Math.Ceiling((minimum * scale) - 1e-7) / scale, decimals);
            if (first < minimum)
            {
                first = Math.Round((Math.Ceiling((minimum * scale) - 1e-7) + 1) / scale, decimals);
            }

            double final = Math.Round(Math.Floor((maximum * scale) + 1e-7) / scale, decimals);
            if (final > maximum)
            {
                final = Math.Round((Math.Floor((maximum * scale) + 1e-7) - 1) / scale, decimals);
            }

            return (first, final);
        }

        private TableColumn Decode(ReadOnlySpan<double> u, double low, double high)
        {
            var values = new double?[u.Length];
            for (int r = 0; r < u.Length; r++)
            {
                if (u[r] < _missing || _empty)
                {
                    continue;
                }

                double v = Math.Clamp((u[r] - _missing) / (1 - _missing), 0, 1) * (_grid.Length - 1);
                int i = Math.Min((int)v, _grid.Length - 2);
                double x = _grid.Length == 1 ? _grid[0] : _grid[i] + ((v - i) * (_grid[i + 1] - _grid[i]));
                values[r] = Math.Clamp(_decimals is int d ? Math.Round(x, d) : x, low, high);
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

        internal IdMarginal(ColumnSchema schema, IColumnEncoder ids)
            : base(schema) => _ids = ids;

        internal override bool Learned => false;

        internal override double[] ToUniform(TableColumn column, ReadOnlySpan<double> jitter) =>
            throw new InvalidOperationException($"Column '{Column.Name}' is an id; it is not learned.");

        internal override TableColumn FromUniform(ReadOnlySpan<double> u) => _ids.Decode(ReadOnlySpan<double>.Empty, u.Length, 0);

        internal override UnitIntervals Allowed(ColumnCondition condition) =>
            throw new ArgumentException($"Column '{Column.Name}' is an id; it cannot be conditioned.", nameof(condition));

        internal override JsonObject Describe() => _ids.Describe();
    }
}
