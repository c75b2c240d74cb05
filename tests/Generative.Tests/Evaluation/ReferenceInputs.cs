using TorchSharp;

namespace Generative.Tests.Evaluation;

/// <summary>
/// Deterministic inputs shared with reference/metrics_reference.py: splitmix64 uniforms and Box–Muller normals,
/// identical bit for bit in both languages up to the last ulp of log/cos.
/// </summary>
internal static class ReferenceInputs
{
    internal static double[] Uniforms(ulong seed, int count)
    {
        ulong state = seed;
        var result = new double[count];
        for (int i = 0; i < count; i++)
        {
            unchecked
            {
                state += 0x9E3779B97F4A7C15UL;
                ulong z = state;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                z ^= z >> 31;
                result[i] = (z >> 11) * Math.Pow(2, -53);
            }
        }

        return result;
    }

    /// <summary>A float64 tensor [rows, cols] of standard normals.</summary>
    internal static torch.Tensor Normals(ulong seed, int rows, int cols)
    {
        double[] u = Uniforms(seed, 2 * rows * cols);
        var z = new double[rows * cols];
        for (int i = 0; i < z.Length; i++)
        {
            z[i] = Math.Sqrt(-2.0 * Math.Log(1.0 - u[2 * i])) * Math.Cos(2.0 * Math.PI * u[(2 * i) + 1]);
        }

        return torch.tensor(z, [rows, cols]);
    }

    /// <summary>A float64 matrix [rows, cols] of uniforms − 0.5.</summary>
    internal static torch.Tensor Mixing(ulong seed, int rows, int cols) =>
        torch.tensor(Uniforms(seed, rows * cols), [rows, cols]) - 0.5;

    internal static torch.Tensor GridCentres()
    {
        var c = new double[50];
        for (int i = 0; i < 5; i++)
        {
            for (int j = 0; j < 5; j++)
            {
                c[2 * ((5 * i) + j)] = -4 + (2 * i);
                c[(2 * ((5 * i) + j)) + 1] = -4 + (2 * j);
            }
        }

        return torch.tensor(c, [25, 2]);
    }
}
