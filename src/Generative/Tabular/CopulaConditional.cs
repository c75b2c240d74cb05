using TorchSharp;

namespace Generative.Tabular;

/// <summary>
/// The copula's normal scores given a condition: the conditioned columns' scores are drawn from the Gaussian restricted
/// to their allowed intervals, the other columns' from the Gaussian given them.
/// </summary>
/// <remarks>
/// <para>One conditioned column: exact — its uniform is drawn uniformly on the allowed set (the inverse-CDF draw of the
/// truncated normal, done on the uniform scale), then z = Φ⁻¹(u).</para>
/// <para>Several: a truncated multivariate normal over the conditioned scores, drawn by Gibbs sampling — each score in
/// turn from its univariate normal given the others (mean −Σₖ Pᵢₖzₖ/Pᵢᵢ, variance 1/Pᵢᵢ, with P the inverse of their
/// correlation), truncated to its intervals and drawn exactly by inverse CDF. Each row's chain starts from a sequential
/// (GHK) draw, z = L·e with eᵢ drawn truncated given e₁…eᵢ₋₁ — already close to the target — and runs
/// <see cref="Sweeps"/> sweeps; the test compares it with rejection sampling.</para>
/// <para>The others: z_R = A·z_C + L_S·ε with A = Σ_RC·Σ_CC⁻¹ and L_S the Cholesky factor of Σ_RR − A·Σ_CR, where Σ is
/// the correlation the unconditional sampler uses (L·Lᵀ of its factor).</para>
/// <para>Scores become uniforms through the fast Φ of <see cref="TruncatedNormal"/> (relative error below 1.2e-7, a
/// shift of about 1e-4 of a quantile step when decoding).</para>
/// </remarks>
internal sealed class CopulaConditional
{
    /// <summary>Gibbs sweeps after the sequential start, for two or more conditioned columns.</summary>
    internal const int Sweeps = 10;

    private readonly int[] _conditioned;
    private readonly int[] _rest;
    private readonly double[] _choleskyC;
    private readonly double[] _precision;
    private readonly double[] _regression;
    private readonly double[] _choleskyRest;

    /// <summary>Prepares the conditional of the scores at <paramref name="conditioned"/> (positions in 0..d−1).</summary>
    /// <param name="cholesky">The lower Cholesky factor (d × d, row-major) of the copula's correlation.</param>
    /// <param name="d">The number of scores.</param>
    /// <param name="conditioned">The conditioned positions, distinct.</param>
    internal CopulaConditional(double[] cholesky, int d, int[] conditioned)
    {
        _conditioned = conditioned;
        _rest = [.. Enumerable.Range(0, d).Except(conditioned)];
        var sigma = new double[d * d];
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double s = 0;
                for (int k = 0; k <= j; k++)
                {
                    s += cholesky[(i * d) + k] * cholesky[(j * d) + k];
                }

                sigma[(i * d) + j] = s;
                sigma[(j * d) + i] = s;
            }
        }

        int c = conditioned.Length, r = _rest.Length;
        var sigmaCC = Block(sigma, d, conditioned, conditioned);
        _choleskyC = Factor(sigmaCC, c);
        _precision = Inverse(_choleskyC, c);
        var sigmaRC = Block(sigma, d, _rest, conditioned);
        _regression = Multiply(sigmaRC, r, c, _precision, c);
        var schur = Block(sigma, d, _rest, _rest);
        for (int i = 0; i < r; i++)
        {
            for (int j = 0; j < r; j++)
            {
                double s = 0;
                for (int k = 0; k < c; k++)
                {
                    s += _regression[(i * c) + k] * sigmaRC[(j * c) + k];
                }

                schur[(i * r) + j] -= s;
            }
        }

        _choleskyRest = Factor(schur, r);
    }

    /// <summary>Draws the uniforms of every score for <paramref name="count"/> rows (u[j][row], j over the d scores),
    /// those of conditioned scores inside their sets.</summary>
    /// <param name="count">Rows.</param>
    /// <param name="sets">The allowed uniforms of each conditioned score, in the order of the positions.</param>
    /// <param name="generator">The source of randomness.</param>
    internal double[][] Draw(int count, UnitIntervals[] sets, torch.Generator generator)
    {
        int c = _conditioned.Length, r = _rest.Length, d = c + r;
        int draws = c == 1 ? 1 : 1 + Sweeps;
        double[] uniforms, normals;
        using (var scope = torch.NewDisposeScope())
        {
            uniforms = count == 0 ? [] : torch.rand([count, draws, c], torch.float64, generator: generator).data<double>().ToArray();
            normals = count == 0 || r == 0 ? [] : torch.randn([count, r], torch.float64, generator: generator).data<double>().ToArray();
        }

        var u = new double[d][];
        for (int j = 0; j < d; j++)
        {
            u[j] = new double[count];
        }

        var z = new double[c];
        var e = new double[c];
        for (int row = 0; row < count; row++)
        {
            int offset = row * draws * c;
            if (c == 1)
            {
                double value = sets[0].At(uniforms[offset]);
                u[_conditioned[0]][row] = value;
                z[0] = NormalDistribution.InverseCdf(value);
            }
            else
            {
                for (int i = 0; i < c; i++)
                {
                    double mean = 0;
                    for (int k = 0; k < i; k++)
                    {
                        mean += _choleskyC[(i * c) + k] * e[k];
                    }

                    z[i] = sets[i].DrawScore(mean, _choleskyC[(i * c) + i], uniforms[offset + i]);
                    e[i] = (z[i] - mean) / _choleskyC[(i * c) + i];
                }

                for (int sweep = 1; sweep < draws; sweep++)
                {
                    for (int i = 0; i < c; i++)
                    {
                        double pii = _precision[(i * c) + i], s = 0;
                        for (int k = 0; k < c; k++)
                        {
                            if (k != i)
                            {
                                s += _precision[(i * c) + k] * z[k];
                            }
                        }

                        z[i] = sets[i].DrawScore(-s / pii, 1 / Math.Sqrt(pii), uniforms[offset + (sweep * c) + i]);
                    }
                }

                for (int i = 0; i < c; i++)
                {
                    u[_conditioned[i]][row] = sets[i].Clamp(TruncatedNormal.Cdf(z[i]));
                }
            }

            for (int i = 0; i < r; i++)
            {
                double value = 0;
                for (int k = 0; k < c; k++)
                {
                    value += _regression[(i * c) + k] * z[k];
                }

                for (int k = 0; k <= i; k++)
                {
                    value += _choleskyRest[(i * r) + k] * normals[(row * r) + k];
                }

                u[_rest[i]][row] = TruncatedNormal.Cdf(value);
            }
        }

        return u;
    }

    private static double[] Block(double[] m, int d, int[] rows, int[] columns)
    {
        var block = new double[rows.Length * columns.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            for (int j = 0; j < columns.Length; j++)
            {
                block[(i * columns.Length) + j] = m[(rows[i] * d) + columns[j]];
            }
        }

        return block;
    }

    private static double[] Multiply(double[] a, int rows, int inner, double[] b, int columns)
    {
        var product = new double[rows * columns];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                double s = 0;
                for (int k = 0; k < inner; k++)
                {
                    s += a[(i * inner) + k] * b[(k * columns) + j];
                }

                product[(i * columns) + j] = s;
            }
        }

        return product;
    }

    /// <summary>The lower Cholesky factor of a symmetric positive semi-definite matrix, with a jitter added to the
    /// diagonal if it is (numerically) singular — a conditional covariance with a direction fixed by the condition.</summary>
    private static double[] Factor(double[] a, int n)
    {
        double scale = n == 0 ? 1 : Math.Max(Enumerable.Range(0, n).Average(i => a[(i * n) + i]), 1e-300);
        for (double jitter = 0; ; jitter = jitter == 0 ? 1e-12 * scale : jitter * 10)
        {
            var l = new double[n * n];
            bool ok = true;
            for (int i = 0; i < n && ok; i++)
            {
                for (int j = 0; j <= i; j++)
                {
                    double s = a[(i * n) + j] + (i == j ? jitter : 0);
                    for (int k = 0; k < j; k++)
                    {
                        s -= l[(i * n) + k] * l[(j * n) + k];
                    }

                    if (i == j)
                    {
                        if (!(s > 0))
                        {
                            ok = false;
                            break;
                        }

                        l[(i * n) + i] = Math.Sqrt(s);
                    }
                    else
                    {
                        l[(i * n) + j] = s / l[(j * n) + j];
                    }
                }
            }

            if (ok || jitter > scale)
            {
                return l;
            }
        }
    }

    /// <summary>The inverse of L·Lᵀ from its lower factor L.</summary>
    private static double[] Inverse(double[] l, int n)
    {
        var inverse = new double[n * n];
        var column = new double[n];
        for (int j = 0; j < n; j++)
        {
            // Solve L·y = e_j, then Lᵀ·x = y.
            Array.Clear(column);
            column[j] = 1;
            for (int i = 0; i < n; i++)
            {
                double s = column[i];
                for (int k = 0; k < i; k++)
                {
                    s -= l[(i * n) + k] * column[k];
                }

                column[i] = s / l[(i * n) + i];
            }

            for (int i = n - 1; i >= 0; i--)
            {
                double s = column[i];
                for (int k = i + 1; k < n; k++)
                {
                    s -= l[(k * n) + i] * column[k];
                }

                column[i] = s / l[(i * n) + i];
            }

            for (int i = 0; i < n; i++)
            {
                inverse[(i * n) + j] = column[i];
            }
        }

        return inverse;
    }
}
