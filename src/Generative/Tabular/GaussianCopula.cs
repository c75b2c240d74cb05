using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;

namespace Generative.Tabular;

/// <summary>
/// The Gaussian copula, the fast baseline of tabular synthesis (the floor every tabular model must beat): each column's
/// marginal is its empirical distribution (missing cells and categories at their observed rates), and the dependence
/// between columns is one correlation matrix of their normal scores. Fitting takes seconds on Adult; sampling draws
/// correlated normals, maps each through Φ and the column's empirical quantiles, and returns a typed table.
/// </summary>
/// <remarks>
/// <para>Normal scores: each row's value becomes a uniform inside the value's probability interval (a randomised
/// probability integral transform: ties and categories spread over their interval), then z = Φ⁻¹(u); a nullable column's
/// missing cells take the interval [0, missing rate). The correlation matrix is the Pearson correlation of the scores
/// (a constant column is uncorrelated), factored by Cholesky (with a small ridge if needed). Id columns are not learned:
/// sampled rows get fresh keys (see <see cref="ColumnTransformRegistry"/>, <c>id</c>).</para>
/// <para>Conditional sampling (<see cref="Sample(int, TableCondition, torch.Generator)"/>) is exact conditioning, not
/// rejection: a category, a set of categories, or a numeric or date range is an interval (or a union of intervals) of
/// the column's uniform, hence of its normal score; the conditioned scores are drawn from the Gaussian restricted to
/// those intervals — exactly by inverse CDF for one conditioned column, by Gibbs sweeps from a sequential start for
/// several — and the other columns' scores from the Gaussian given them.</para>
/// <para>Saved (<see cref="Save"/>) as <c>synthesizer.json</c> (<c>"synthesizer": "copula"</c>), <c>schema.json</c> and
/// <c>copula.json</c> (each column's marginal and the correlation matrix); <see cref="Load"/> validates them.</para>
/// <para>Thread-safety: immutable once fitted; <see cref="Sample(int, torch.Generator)"/> may run on several threads
/// at once, each with its own generator.</para>
/// </remarks>
public sealed class GaussianCopula : ITableSynthesizer
{
    /// <summary>The name the copula is registered under (<see cref="TableSynthesizerRegistry"/>) and written into
    /// <c>synthesizer.json</c>.</summary>
    public const string RegisteredName = "copula";

    private const string ModelFile = "copula.json";
    private const string SchemaFile = "schema.json";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly CopulaMarginal[] _marginals;
    private readonly int[] _learned;
    private readonly double[] _correlation;
    private readonly double[] _cholesky;

    private GaussianCopula(TableSchema schema, CopulaMarginal[] marginals, double[] correlation)
    {
        Schema = schema;
        _marginals = marginals;
        _learned = [.. Enumerable.Range(0, marginals.Length).Where(i => marginals[i].Learned)];
        _correlation = correlation;
        _cholesky = Cholesky(correlation, _learned.Length);
    }

    /// <summary>The schema of the table it was fitted to; sampled tables have these columns, kinds and nullability.</summary>
    public TableSchema Schema { get; }

    /// <summary>The registered name, <see cref="RegisteredName"/>.</summary>
    public string Name => RegisteredName;

    /// <summary>The columns the correlation matrix is over (all but ids), in its order.</summary>
    public IReadOnlyList<string> CorrelatedColumns => [.. _learned.Select(i => _marginals[i].Column.Name)];

    /// <summary>Fits the copula to a table.</summary>
    /// <param name="table">The table (at least 2 rows).</param>
    /// <param name="generator">Draws the uniforms of the randomised probability integral transform.</param>
    /// <returns>The fitted copula.</returns>
    /// <exception cref="ArgumentException">The table has fewer than 2 rows.</exception>
    public static GaussianCopula Fit(Table table, torch.Generator generator)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(generator);
        if (table.RowCount < 2)
        {
            throw new ArgumentException($"A copula needs at least 2 rows to fit; the table has {table.RowCount}.", nameof(table));
        }

        var schema = table.Schema;
        var marginals = table.Columns.Select((c, i) => CopulaMarginal.Fit(c, schema.Columns[i])).ToArray();
        int[] learned = [.. Enumerable.Range(0, marginals.Length).Where(i => marginals[i].Learned)];
        int n = table.RowCount, d = learned.Length;
        double[] jitter = Uniforms(n * d, generator);
        var z = new double[d][];
        for (int j = 0; j < d; j++)
        {
            double[] u = marginals[learned[j]].ToUniform(table.Columns[learned[j]], jitter.AsSpan(j * n, n));
            z[j] = [.. u.Select(v => NormalDistribution.InverseCdf(Math.Clamp(v, 1e-12, 1 - 1e-12)))];
        }

        return new GaussianCopula(schema, marginals, Correlation(z, n));
    }

    /// <summary>The correlation of two columns' normal scores.</summary>
    /// <param name="a">A correlated column.</param>
    /// <param name="b">Another (or the same).</param>
    /// <returns>The correlation, in [-1, 1].</returns>
    /// <exception cref="KeyNotFoundException">A column is not among <see cref="CorrelatedColumns"/>.</exception>
    public double Correlation(string a, string b)
    {
        var names = CorrelatedColumns;
        int i = Index(names, a), j = Index(names, b);
        return _correlation[(i * names.Count) + j];
    }

    /// <summary>Draws rows.</summary>
    /// <param name="count">How many (0 or more).</param>
    /// <param name="generator">The source of randomness: the same seed gives the same rows.</param>
    /// <returns>A table of <paramref name="count"/> rows with the fitted schema's columns.</returns>
    public Table Sample(int count, torch.Generator generator)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(generator);
        int d = _learned.Length;
        double[] eps;
        using (var scope = torch.NewDisposeScope())
        {
            eps = d == 0 || count == 0 ? [] : torch.randn([count, d], torch.float64, generator: generator).data<double>().ToArray();
        }

        var u = new double[d][];
        for (int j = 0; j < d; j++)
        {
            u[j] = new double[count];
        }

        for (int r = 0; r < count; r++)
        {
            for (int j = 0; j < d; j++)
            {
                double z = 0;
                for (int k = 0; k <= j; k++)
                {
                    z += _cholesky[(j * d) + k] * eps[(r * d) + k];
                }

                u[j][r] = NormalDistribution.Cdf(z);
            }
        }

        var columns = new TableColumn[_marginals.Length];
        var placeholder = new double[count];
        for (int i = 0; i < _marginals.Length; i++)
        {
            int j = Array.IndexOf(_learned, i);
            columns[i] = _marginals[i].FromUniform(j >= 0 ? u[j] : placeholder);
        }

        return new Table(columns, Reasons());
    }

    /// <summary>
    /// Draws rows that all satisfy a condition, by conditioning the copula (see the remarks): exactly
    /// <paramref name="count"/> rows, none drawn and discarded, no conditioned cell missing.
    /// </summary>
    /// <param name="count">How many (0 or more).</param>
    /// <param name="condition">What every row must satisfy; validated against <see cref="Schema"/> first.</param>
    /// <param name="generator">The source of randomness: the same seed gives the same rows.</param>
    /// <returns>A table of <paramref name="count"/> rows, each satisfying <paramref name="condition"/>.</returns>
    /// <exception cref="ArgumentException">The condition names an unknown column or an impossible value (one the
    /// model never generates).</exception>
    public Table Sample(int count, TableCondition condition, torch.Generator generator)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(generator);
        condition.Validate(Schema);
        if (condition.IsEmpty)
        {
            return Sample(count, generator);
        }

        var conditions = new ColumnCondition?[_marginals.Length];
        var positions = new List<int>();
        var sets = new List<UnitIntervals>();
        foreach (var c in condition.Columns)
        {
            int i = Schema.Columns.ToList().FindIndex(s => s.Name == c.Column);
            conditions[i] = c;
            positions.Add(Array.IndexOf(_learned, i));
            sets.Add(_marginals[i].Allowed(c));
        }

        var u = new CopulaConditional(_cholesky, _learned.Length, [.. positions]).Draw(count, [.. sets], generator);
        var columns = new TableColumn[_marginals.Length];
        var placeholder = new double[count];
        for (int i = 0; i < _marginals.Length; i++)
        {
            int j = Array.IndexOf(_learned, i);
            var values = j >= 0 ? u[j] : placeholder;
            columns[i] = conditions[i] is { } c ? _marginals[i].FromUniform(values, c) : _marginals[i].FromUniform(values);
        }

        var table = new Table(columns, Reasons());
        int failing = Array.IndexOf(condition.Matches(table), false);
        return failing < 0
            ? table
            : throw new InvalidOperationException($"Row {failing + 1} of a conditional sample does not satisfy {condition}; this is a bug in the copula's conditioning.");
    }

    /// <summary>Saves the copula into a folder, atomically: <c>synthesizer.json</c>, <c>schema.json</c> and
    /// <c>copula.json</c> (the marginals and the correlation matrix).</summary>
    /// <param name="directory">The folder (created, or replaced).</param>
    public void Save(string directory)
    {
        var columns = new JsonArray();
        for (int i = 0; i < _marginals.Length; i++)
        {
            columns.Add(new JsonObject { ["column"] = Schema.Columns[i].Name, ["marginal"] = _marginals[i].Describe() });
        }

        int d = _learned.Length;
        var rows = new JsonArray([.. Enumerable.Range(0, d).Select(i => (JsonNode?)Json.Array(_correlation.Skip(i * d).Take(d)))]);
        var model = new JsonObject
        {
            ["columns"] = columns,
            ["correlation"] = new JsonObject
            {
                ["columns"] = new JsonArray([.. CorrelatedColumns.Select(n => (JsonNode?)JsonValue.Create(n))]),
                ["values"] = rows,
            },
        };
        TableSynthesizerFile.Save(directory, TableSynthesizerFile.CreateHeader(RegisteredName), folder =>
        {
            Schema.Save(Path.Combine(folder, SchemaFile));
            File.WriteAllText(Path.Combine(folder, ModelFile), model.ToJsonString(Indented));
        });
    }

    /// <summary>Loads a copula saved by <see cref="Save"/>, validating every file: the header, the schema, each
    /// marginal, and a correlation matrix of the right size, finite, symmetric, with a unit diagonal.</summary>
    /// <param name="directory">The folder.</param>
    /// <returns>The copula; it samples exactly as the saved one.</returns>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is not valid (the message names the file, the key and the value).</exception>
    public static GaussianCopula Load(string directory)
    {
        TableSynthesizerFile.ReadHeader(directory, RegisteredName);
        var schema = TableSchema.Load(Path.Combine(directory, SchemaFile));
        string path = Path.Combine(directory, ModelFile);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }

        if (node is not JsonObject root || root["columns"] is not JsonArray columns)
        {
            throw new InvalidDataException($"{path}: expected an object with 'columns' (an array, one marginal per column) and 'correlation'.");
        }

        if (columns.Count != schema.Columns.Count)
        {
            throw new InvalidDataException($"{path}: 'columns' has {columns.Count} marginals; the schema has {schema.Columns.Count} columns.");
        }

        var marginals = new CopulaMarginal[columns.Count];
        for (int i = 0; i < columns.Count; i++)
        {
            string where = $"{path}: columns[{i}]";
            var entry = columns[i] as JsonObject ?? throw new InvalidDataException($"{where} must be an object; found {Json.Describe(columns[i])}.");
            string name = Json.String(entry, "column", where);
            if (name != schema.Columns[i].Name)
            {
                throw new InvalidDataException($"{where}: 'column' is '{name}'; the schema's column {i + 1} is '{schema.Columns[i].Name}'.");
            }

            var state = entry["marginal"] as JsonObject ?? throw new InvalidDataException($"{where}: 'marginal' must be an object; found {Json.Describe(entry["marginal"])}.");
            marginals[i] = CopulaMarginal.Load(state, schema.Columns[i], $"{path}: column '{name}' marginal");
        }

        string[] learned = [.. marginals.Where(m => m.Learned).Select(m => m.Column.Name)];
        return new GaussianCopula(schema, marginals, ReadCorrelation(root["correlation"], learned, path));
    }

    private static double[] ReadCorrelation(JsonNode? node, string[] learned, string path)
    {
        int d = learned.Length;
        var correlation = node as JsonObject ?? throw new InvalidDataException($"{path}: 'correlation' must be an object with 'columns' and 'values'; found {Json.Describe(node)}.");
        string[] names = Json.OptionalStrings(correlation, "columns", $"{path}: 'correlation'") ?? [];
        if (!names.SequenceEqual(learned, StringComparer.Ordinal))
        {
            throw new InvalidDataException($"{path}: 'correlation.columns' is [{string.Join(", ", names)}]; the correlated columns (all but ids) are [{string.Join(", ", learned)}].");
        }

        if (correlation["values"] is not JsonArray rows || rows.Count != d)
        {
            throw new InvalidDataException($"{path}: 'correlation.values' must be {d} rows of {d} numbers (one per correlated column); found {(correlation["values"] is JsonArray a ? $"{a.Count} rows" : Json.Describe(correlation["values"]))}.");
        }

        var c = new double[d * d];
        for (int i = 0; i < d; i++)
        {
            string where = $"{path}: 'correlation.values'[{i}]";
            if (rows[i] is not JsonArray row || row.Count != d)
            {
                throw new InvalidDataException($"{where} must be {d} numbers; found {(rows[i] is JsonArray r ? $"{r.Count} numbers" : Json.Describe(rows[i]))}.");
            }

            for (int j = 0; j < d; j++)
            {
                c[(i * d) + j] = row[j] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && double.IsFinite(v.GetValue<double>())
                    ? v.GetValue<double>()
                    : throw new InvalidDataException($"{where}[{j}] must be a finite number; found {Json.Describe(row[j])}.");
            }
        }

        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j < d; j++)
            {
                double value = c[(i * d) + j];
                string at = $"{path}: 'correlation.values'[{i}][{j}] = {value.ToString(CultureInfo.InvariantCulture)}";
                if (i == j && value != 1)
                {
                    throw new InvalidDataException($"{at}; a correlation matrix has 1 on its diagonal.");
                }

                if (Math.Abs(value) > 1)
                {
                    throw new InvalidDataException($"{at}; a correlation lies in [-1, 1].");
                }

                if (value != c[(j * d) + i])
                {
                    throw new InvalidDataException($"{at} but [{j}][{i}] = {c[(j * d) + i].ToString(CultureInfo.InvariantCulture)}; a correlation matrix is symmetric.");
                }
            }
        }

        return c;
    }

    private Dictionary<string, string> Reasons() =>
        Schema.Columns.Where(c => c.Reason is not null).ToDictionary(c => c.Name, c => c.Reason!, StringComparer.Ordinal);

    private static int Index(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }

        throw new KeyNotFoundException($"'{name}' is not a correlated column; they are: {string.Join(", ", names)}.");
    }

    private static double[] Uniforms(int count, torch.Generator generator)
    {
        using var scope = torch.NewDisposeScope();
        return count == 0 ? [] : torch.rand([count], torch.float64, generator: generator).data<double>().ToArray();
    }

    /// <summary>Pearson correlation of the columns of <paramref name="z"/> (d arrays of n), row-major d × d; a constant
    /// column correlates with nothing.</summary>
    private static double[] Correlation(double[][] z, int n)
    {
        int d = z.Length;
        var centred = new double[d][];
        var norm = new double[d];
        for (int j = 0; j < d; j++)
        {
            double mean = z[j].Average();
            centred[j] = [.. z[j].Select(v => v - mean)];
            norm[j] = Math.Sqrt(centred[j].Sum(v => v * v));
        }

        var c = new double[d * d];
        for (int i = 0; i < d; i++)
        {
            c[(i * d) + i] = 1;
            for (int j = 0; j < i; j++)
            {
                double r = 0;
                if (norm[i] > 1e-12 * Math.Sqrt(n) && norm[j] > 1e-12 * Math.Sqrt(n))
                {
                    double dot = 0;
                    for (int k = 0; k < n; k++)
                    {
                        dot += centred[i][k] * centred[j][k];
                    }

                    r = Math.Clamp(dot / (norm[i] * norm[j]), -1, 1);
                }

                c[(i * d) + j] = r;
                c[(j * d) + i] = r;
            }
        }

        return c;
    }

    /// <summary>The lower Cholesky factor of a correlation matrix, shrunk towards the identity until it is positive
    /// definite.</summary>
    private static double[] Cholesky(double[] c, int d)
    {
        for (double ridge = 0; ; ridge = ridge == 0 ? 1e-8 : ridge * 10)
        {
            var l = new double[d * d];
            bool ok = true;
            for (int i = 0; i < d && ok; i++)
            {
                for (int j = 0; j <= i; j++)
                {
                    double s = c[(i * d) + j] * (i == j ? 1 : 1 - ridge); // off-diagonals shrunk by the ridge
                    for (int k = 0; k < j; k++)
                    {
                        s -= l[(i * d) + k] * l[(j * d) + k];
                    }

                    if (i == j)
                    {
                        if (s <= 1e-12)
                        {
                            ok = false;
                            break;
                        }

                        l[(i * d) + i] = Math.Sqrt(s);
                    }
                    else
                    {
                        l[(i * d) + j] = s / l[(j * d) + j];
                    }
                }
            }

            if (ok || ridge >= 1)
            {
                return l;
            }
        }
    }
}
