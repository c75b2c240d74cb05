using System.Globalization;
using System.Text.Json.Nodes;

namespace Generative.Tabular;

/// <summary>
/// The built-in <c>mode-specific</c> transform of continuous and integer columns (see
/// <see cref="ColumnTransformRegistry"/>; Xu et al. 2019, "Modeling Tabular Data using Conditional GAN", §4.2): a
/// Gaussian mixture of at most <see cref="MaxModes"/> components is fitted to the column; a value x becomes its mode k
/// (a one-hot group, <see cref="BlockRole.Mode"/>) and its offset α = (x − μ_k) / (4σ_k) within the mode (a Gaussian
/// block), plus a missing indicator when nullable.
/// </summary>
/// <remarks>
/// <para>The mixture: expectation-maximisation for 1 to 10 components (means started at evenly spaced quantiles of the
/// distinct values, so the fit is deterministic), the number chosen by the Bayesian information criterion, then every
/// component lighter than <see cref="WeightThreshold"/> (the paper's 0.005) dropped. σ_k is floored at half the data's
/// quantum (0.5 for integers, 0.05 for values with one decimal), so a spike on one value (Adult's capital-gain = 0) is one
/// narrow mode rather than a degenerate one.</para>
/// <para>The mode of a value is the most responsible component (the largest π_k N(x | μ_k, σ_k)), not a draw from the
/// responsibilities as CTGAN's code does: the transform is a pure function of the value (the interface gives it no
/// source of randomness, and the same table must give the same matrix for saving, reports and round trips), and a
/// deterministic mode keeps the mode group a function of x that a generator can learn exactly. α is not clipped, so
/// values beyond four standard deviations of their mode come back exactly too.</para>
/// </remarks>
internal sealed class ModeSpecificEncoder : IColumnEncoder
{
    internal const string Name = "mode-specific";

    /// <summary>The most components: 10, as the paper.</summary>
    internal const int MaxModes = 10;

    /// <summary>The lightest component kept: 0.005, as the paper.</summary>
    internal const double WeightThreshold = 0.005;

    private readonly int? _decimals;

    private ModeSpecificEncoder(ColumnSchema column, GaussianMixture1D mixture, int? decimals)
    {
        Column = column;
        Mixture = mixture;
        _decimals = decimals;
        int k = mixture.Count;
        var blocks = new List<TransformBlock>
        {
            new(column.Name, BlockKind.Gaussian, BlockRole.Value, 0, 1),
            new(column.Name, BlockKind.OneHot, BlockRole.Mode, 1, k, [.. Enumerable.Range(1, k).Select(i => string.Create(CultureInfo.InvariantCulture, $"mode {i}"))]),
        };
        if (column.Nullable)
        {
            blocks.Add(MissingIndicator.Block(column.Name, 1 + k));
        }

        Blocks = blocks;
        Width = 1 + k + (column.Nullable ? MissingIndicator.Width : 0);
    }

    public ColumnSchema Column { get; }

    public IReadOnlyList<TransformBlock> Blocks { get; }

    public int Width { get; }

    /// <summary>The fitted modes.</summary>
    internal GaussianMixture1D Mixture { get; }

    internal static IColumnEncoder Fit(TableColumn column, ColumnSchema schema)
    {
        Require(schema);
        var present = Enumerable.Range(0, column.Count).Where(r => !column.IsMissing(r)).Select(column.GetDouble).ToArray();
        int? decimals = column.Kind == ColumnKind.Integer ? 0 : QuantileNormalEncoder.Decimals(present);
        double range = present.Length == 0 ? 1 : present.Max() - present.Min();
        double floor = Math.Max(decimals is int d ? 0.5 * Math.Pow(10, -d) : 0, Math.Max(range, 1e-12) * 1e-6);
        return new ModeSpecificEncoder(schema, GaussianMixture1D.Fit(present, MaxModes, WeightThreshold, floor), decimals);
    }

    internal static IColumnEncoder Load(JsonObject state, ColumnSchema schema)
    {
        Require(schema);
        string where = $"column '{schema.Name}' ({Name})";
        double[] weights = Json.Doubles(state, "weights", where);
        double[] means = Json.Doubles(state, "means", where);
        double[] deviations = Json.Doubles(state, "deviations", where);
        if (weights.Length is 0 or > MaxModes || means.Length != weights.Length || deviations.Length != weights.Length)
        {
            throw new InvalidDataException($"{where}: 'weights', 'means' and 'deviations' must have the same number of modes, 1 to {MaxModes}; found {weights.Length}, {means.Length} and {deviations.Length}.");
        }

        int bad = Array.FindIndex(weights, w => w <= 0 || w > 1);
        if (bad >= 0 || Math.Abs(weights.Sum() - 1) > 1e-6)
        {
            throw new InvalidDataException($"{where}: 'weights' must be positive and sum to 1; found [{string.Join(", ", weights)}].");
        }

        bad = Array.FindIndex(deviations, s => s <= 0);
        if (bad >= 0)
        {
            throw new InvalidDataException($"{where}: 'deviations[{bad}]' must be positive; found {deviations[bad]}.");
        }

        int? decimals = Json.OptionalInt(state, "decimals", where);
        if (decimals is < 0 or > 15)
        {
            throw new InvalidDataException($"{where}: 'decimals' must be 0 to 15; found {decimals}.");
        }

        return new ModeSpecificEncoder(schema, new GaussianMixture1D(weights, means, deviations), decimals);
    }

    public void Encode(TableColumn column, Span<double> output, int stride)
    {
        int k = Mixture.Count;
        int heaviest = Array.IndexOf(Mixture.Weights, Mixture.Weights.Max());
        for (int r = 0; r < column.Count; r++)
        {
            int at = r * stride;
            bool missing = column.IsMissing(r);
            double x = missing ? 0 : column.GetDouble(r);
            int mode = missing ? heaviest : Mixture.MostResponsible(x);
            output[at] = missing ? 0 : (x - Mixture.Means[mode]) / (4 * Mixture.Deviations[mode]);
            for (int j = 0; j < k; j++)
            {
                output[at + 1 + j] = j == mode ? 1 : 0;
            }

            if (Column.Nullable)
            {
                MissingIndicator.Write(output, at + 1 + k, missing);
            }
        }
    }

    public TableColumn Decode(ReadOnlySpan<double> input, int rows, int stride)
    {
        int k = Mixture.Count;
        var values = new double?[rows];
        double low = Column.Minimum ?? double.NegativeInfinity, high = Column.Maximum ?? double.PositiveInfinity;
        for (int r = 0; r < rows; r++)
        {
            int at = r * stride;
            if (Column.Nullable && MissingIndicator.Read(input, at + 1 + k))
            {
                continue;
            }

            int mode = 0;
            for (int j = 1; j < k; j++)
            {
                if (input[at + 1 + j] > input[at + 1 + mode])
                {
                    mode = j;
                }
            }

            double alpha = double.IsNaN(input[at]) ? 0 : Math.Clamp(input[at], -1e6, 1e6);
            double x = Mixture.Means[mode] + (4 * Mixture.Deviations[mode] * alpha);
            x = _decimals is int d ? Math.Round(x, d) : x;
            values[r] = Math.Clamp(x, low, high);
        }

        return Column.Kind == ColumnKind.Integer
            ? TableColumn.Integer(Column.Name, values.Select(v => v is double x ? (long?)x : null), Column.Nullable)
            : TableColumn.Continuous(Column.Name, values, Column.Nullable);
    }

    public JsonObject Describe() => new()
    {
        ["weights"] = Json.Array(Mixture.Weights),
        ["means"] = Json.Array(Mixture.Means),
        ["deviations"] = Json.Array(Mixture.Deviations),
        ["decimals"] = _decimals,
    };

    private static void Require(ColumnSchema schema)
    {
        if (schema.Kind is not (ColumnKind.Continuous or ColumnKind.Integer))
        {
            throw new ArgumentException($"The {Name} transform encodes continuous and integer columns; '{schema.Name}' is {TableSchema.KindName(schema.Kind)}.", nameof(schema));
        }
    }
}
