namespace Generative.Flow;

/// <summary>
/// The linear assignment problem, solved exactly: for an n × n cost matrix C, the permutation σ that minimises
/// Σᵢ C[i, σ(i)]. Shortest augmenting paths with dual potentials (Jonker and Volgenant, 1987, in the form of Crouse,
/// 2016, "On implementing 2D rectangular assignment algorithms", IEEE TAES 52(4), Algorithm 1): one row is added at a
/// time (after Jonker and Volgenant's column reduction has matched what it can), a Dijkstra search over the reduced costs C[i, j] − u[i] − v[j] ≥ 0 finds the cheapest augmenting path to a
/// free column, and the potentials of the rows and columns it reached are updated so that every reduced cost stays
/// ≥ 0 and every match is tight. O(n³) time at worst, O(n) memory beside the matrix. Deterministic: ties prefer a free
/// column, then the order of the search.
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

        var u = new double[n];              // row potentials
        var v = new double[n];              // column potentials
        var columnOf = new int[n];          // the column matched to each row (-1 for none)
        var rowOf = new int[n];             // the row matched to each column (-1 for none)
        var path = new int[n];              // the previous row on the shortest path to each column
        var distance = new double[n];       // shortest reduced path cost to each column
        var remaining = new int[n];         // the columns not yet reached, in the first `left` entries
        var rowReached = new bool[n];
        var columnReached = new bool[n];
        Array.Fill(columnOf, -1);
        Array.Fill(rowOf, -1);

        // Column reduction (Jonker and Volgenant's first step): v[j] = the column's least cost, so every reduced cost is
        // ≥ 0, and the column goes to that least-cost row when the row is still free (a tight match).
        for (int j = n - 1; j >= 0; j--)
        {
            int argmin = 0;
            double least = cost[j];
            for (int r = 1; r < n; r++)
            {
                if (cost[(r * n) + j] < least)
                {
                    least = cost[(r * n) + j];
                    argmin = r;
                }
            }

            v[j] = least;
            if (columnOf[argmin] < 0)
            {
                columnOf[argmin] = j;
                rowOf[j] = argmin;
            }
        }

        for (int start = 0; start < n; start++)
        {
            if (columnOf[start] >= 0)
            {
                continue;
            }

            // Dijkstra over reduced costs from row `start` until a free column is reached.
            Array.Fill(distance, double.PositiveInfinity);
            Array.Clear(rowReached);
            Array.Clear(columnReached);
            int left = n;
            for (int k = 0; k < n; k++)
            {
                remaining[k] = n - 1 - k;
            }

            double reach = 0;
            int sink = -1;
            int i = start;
            while (sink < 0)
            {
                rowReached[i] = true;
                int best = -1;
                double lowest = double.PositiveInfinity;
                double ui = u[i];
                var row = cost.Slice(i * n, n);
                for (int k = 0; k < left; k++)
                {
                    int j = remaining[k];
                    double d = reach + row[j] - ui - v[j];
                    if (d < distance[j])
                    {
                        path[j] = i;
                        distance[j] = d;
                    }

                    // Ties prefer a free column (a shorter search), then the lowest column.
                    if (distance[j] < lowest || (distance[j] == lowest && rowOf[j] < 0))
                    {
                        lowest = distance[j];
                        best = k;
                    }
                }

                reach = lowest;
                int reached = remaining[best];
                columnReached[reached] = true;
                remaining[best] = remaining[--left];
                if (rowOf[reached] < 0)
                {
                    sink = reached;
                }
                else
                {
                    i = rowOf[reached];
                }
            }

            // Update the potentials of what the search reached, keeping every reduced cost ≥ 0 and the matches tight.
            u[start] += reach;
            for (int r = 0; r < n; r++)
            {
                if (rowReached[r] && r != start)
                {
                    u[r] += reach - distance[columnOf[r]];
                }
            }

            for (int c = 0; c < n; c++)
            {
                if (columnReached[c])
                {
                    v[c] -= reach - distance[c];
                }
            }

            // Flip the matches along the path.
            for (int j = sink; ;)
            {
                int r = path[j];
                rowOf[j] = r;
                (columnOf[r], j) = (j, columnOf[r]);
                if (r == start)
                {
                    break;
                }
            }
        }

        return columnOf;
    }
}
