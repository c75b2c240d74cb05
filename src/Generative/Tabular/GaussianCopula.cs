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
/// <para>Thread-safety: immutable once fitted; <see cref="Sample"/> may run on several threads at once, each with its
/// own generator.</para>
/// </remarks>
public sealed class GaussianCopula
{
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

        return new Table(columns, Schema.Columns.Where(c => c.Reason is not null).ToDictionary(c => c.Name, c => c.Reason!, StringComparer.Ordinal));
    }

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
