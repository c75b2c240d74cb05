namespace Generative.Flow;

/// <summary>
/// The linear assignment problem, solved exactly: for an n × n cost matrix C, the permutation σ that minimises
/// Σᵢ C[i, σ(i)]. Shortest augmenting paths with dual potentials (the Hungarian method in the form of Jonker and
/// Volgenant, 1987): one row is added at a time, and a Dijkstra-like search over the reduced costs
/// C[i, j] − u[i] − v[j] ≥ 0 finds the cheapest augmenting path, so the whole solve is O(n³) time and O(n) memory
/// beside the matrix. Deterministic: ties go to the lowest column index.
/// </summary>
internal static class LinearAssignment
{
    /// <summary>Solves the assignment for a square cost matrix.</summary>
    /// <param name="cost">The costs, row-major: <c>cost[i * n + j]</c> is the cost of assigning row i to column j; finite.</param>
    /// <param name="n">The number of rows and columns, at least 0.</param>
    /// <returns><c>column[i]</c>, the column assigned to row i: a permutation of 0 … n − 1 of least total cost.</returns>
    /// <exception cref="ArgumentException">The matrix does not have n² entries, or a cost is not finite.</exception>
    public static int[] Solve(ReadOnlySpan<double> cost, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (cost.Length != (long)n * n)
        {
            throw new ArgumentException($"An assignment of {n} rows needs {(long)n * n} costs, but got {cost.Length}.", nameof(cost));
        }

        for (int k = 0; k < cost.Length; k++)
        {
            if (!double.IsFinite(cost[k]))
            {
                throw new ArgumentException($"The cost of row {k / n} and column {k % n} is {cost[k]}; every cost must be finite.", nameof(cost));
            }
        }

        // 1-based rows and columns; column 0 is the virtual start of each augmenting path.
        var u = new double[n + 1];       // row potentials
        var v = new double[n + 1];       // column potentials
        var rowOf = new int[n + 1];      // rowOf[j]: the row matched to column j (0 for none)
        var way = new int[n + 1];        // way[j]: the previous column on the shortest path to j
        var minReduced = new double[n + 1];
        var used = new bool[n + 1];
        for (int i = 1; i <= n; i++)
        {
            rowOf[0] = i;
            int j0 = 0;
            Array.Fill(minReduced, double.PositiveInfinity);
            Array.Fill(used, false);
            do
            {
                used[j0] = true;
                int i0 = rowOf[j0];
                double delta = double.PositiveInfinity;
                int j1 = 0;
                int rowStart = (i0 - 1) * n;
                for (int j = 1; j <= n; j++)
                {
                    if (used[j])
                    {
                        continue;
                    }

                    double reduced = cost[rowStart + j - 1] - u[i0] - v[j];
                    if (reduced < minReduced[j])
                    {
                        minReduced[j] = reduced;
                        way[j] = j0;
                    }

                    if (minReduced[j] < delta)
                    {
                        delta = minReduced[j];
                        j1 = j;
                    }
                }

                for (int j = 0; j <= n; j++)
                {
                    if (used[j])
                    {
                        u[rowOf[j]] += delta;
                        v[j] -= delta;
                    }
                    else
                    {
                        minReduced[j] -= delta;
                    }
                }

                j0 = j1;
            }
            while (rowOf[j0] != 0);

            // Flip the path's matches back to its start.
            do
            {
                int j1 = way[j0];
                rowOf[j0] = rowOf[j1];
                j0 = j1;
            }
            while (j0 != 0);
        }

        var column = new int[n];
        for (int j = 1; j <= n; j++)
        {
            column[rowOf[j] - 1] = j - 1;
        }

        return column;
    }
}
