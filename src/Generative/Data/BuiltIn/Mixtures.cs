using TorchSharp;

namespace Generative.Data.BuiltIn;

/// <summary>
/// Two-dimensional synthetic data sets drawn from a <see cref="torch.Generator"/>: the PacGAN Gaussian mixtures
/// (Lin et al. 2018, "PacGAN: The power of two samples in generative adversarial networks", §5) and the classic
/// swiss roll, two moons and checkerboard. Same generator state, same samples. All results are float32 on the CPU;
/// the caller owns the returned <see cref="BuiltInDataset"/>.
/// </summary>
public static class Mixtures
{
    /// <summary>σ of each of the 8 ring modes (PacGAN protocol).</summary>
    public const double RingStandardDeviation = 0.01;

    /// <summary>σ of each of the 25 grid modes (PacGAN protocol).</summary>
    public const double GridStandardDeviation = 0.05;

    /// <summary>
    /// The ring: 8 Gaussians with centres (cos 2πk/8, sin 2πk/8), k = 0..7, on the unit circle, each with
    /// isotropic σ = 0.01. Each sample picks its mode uniformly at random; the label is the mode index.
    /// </summary>
    /// <param name="count">Number of samples, ≥ 1.</param>
    /// <param name="generator">The random source (CPU generator).</param>
    public static BuiltInDataset Ring(long count, torch.Generator generator)
    {
        var centres = new float[16];
        for (int k = 0; k < 8; k++)
        {
            centres[2 * k] = (float)Math.Cos(2 * Math.PI * k / 8);
            centres[(2 * k) + 1] = (float)Math.Sin(2 * Math.PI * k / 8);
        }

        return GaussianMixture("ring", centres, RingStandardDeviation, count, generator);
    }

    /// <summary>
    /// The grid: 25 Gaussians with centres {−4, −2, 0, 2, 4}² (mode index 5·i + j for centre (−4 + 2i, −4 + 2j)),
    /// each with isotropic σ = 0.05. Each sample picks its mode uniformly at random; the label is the mode index.
    /// </summary>
    /// <param name="count">Number of samples, ≥ 1.</param>
    /// <param name="generator">The random source (CPU generator).</param>
    public static BuiltInDataset Grid(long count, torch.Generator generator)
    {
        var centres = new float[50];
        for (int i = 0; i < 5; i++)
        {
            for (int j = 0; j < 5; j++)
            {
                centres[2 * ((5 * i) + j)] = -4 + (2 * i);
                centres[(2 * ((5 * i) + j)) + 1] = -4 + (2 * j);
            }
        }

        return GaussianMixture("grid", centres, GridStandardDeviation, count, generator);
    }

    /// <summary>
    /// The 2-D swiss roll: t = 1.5π(1 + 2u) with u ~ U(0, 1), point = (t·cos t, t·sin t) / 5 + noise·N(0, I).
    /// The division by 5 keeps the roll within about [−3, 3]². No labels.
    /// </summary>
    /// <param name="count">Number of samples, ≥ 1.</param>
    /// <param name="generator">The random source (CPU generator).</param>
    /// <param name="noise">Standard deviation of the added Gaussian noise (after scaling), ≥ 0; default 0.05.</param>
    public static BuiltInDataset SwissRoll(long count, torch.Generator generator, double noise = 0.05)
    {
        Validate(count, generator);
        ArgumentOutOfRangeException.ThrowIfNegative(noise);
        using var scope = torch.NewDisposeScope();
        var u = torch.rand(count, generator: generator);
        var t = u.Times(2).Plus(1).Times(1.5 * Math.PI);
        var points = torch.stack([t * torch.cos(t), t * torch.sin(t)], 1).DividedBy(5.0);
        points = points.Plus(torch.randn(count, 2, generator: generator).Times(noise));
        var samples = points.to_type(torch.ScalarType.Float32).MoveToOuterDisposeScope();
        return new BuiltInDataset("swissroll", BuiltInDatasetKind.Plane, samples, null, ["x", "y"], null);
    }

    /// <summary>
    /// Two interleaving half circles (as scikit-learn's make_moons, with random angles): label 0 (upper moon)
    /// is (cos θ, sin θ), label 1 (lower moon) is (1 − cos θ, 0.5 − sin θ), θ ~ U(0, π), plus noise·N(0, I).
    /// Each sample picks its moon uniformly at random.
    /// </summary>
    /// <param name="count">Number of samples, ≥ 1.</param>
    /// <param name="generator">The random source (CPU generator).</param>
    /// <param name="noise">Standard deviation of the added Gaussian noise, ≥ 0; default 0.05.</param>
    public static BuiltInDataset Moons(long count, torch.Generator generator, double noise = 0.05)
    {
        Validate(count, generator);
        ArgumentOutOfRangeException.ThrowIfNegative(noise);
        using var scope = torch.NewDisposeScope();
        var labels = torch.randint(0, 2, [count], dtype: torch.ScalarType.Int64, generator: generator);
        var theta = torch.rand(count, generator: generator).Times(Math.PI);
        var lower = labels.to_type(torch.ScalarType.Float32);
        var upper = lower.SubtractedFrom(1);
        var x = (upper * torch.cos(theta)).Plus(lower * torch.cos(theta).SubtractedFrom(1));
        var y = (upper * torch.sin(theta)).Plus(lower * torch.sin(theta).SubtractedFrom(0.5));
        var points = torch.stack([x, y], 1).Plus(torch.randn(count, 2, generator: generator).Times(noise));
        var samples = points.to_type(torch.ScalarType.Float32).MoveToOuterDisposeScope();
        return new BuiltInDataset("moons", BuiltInDatasetKind.Plane, samples, labels.MoveToOuterDisposeScope(), ["x", "y"], ["upper", "lower"]);
    }

    /// <summary>
    /// A 4×4 checkerboard on [−4, 4]² with cells of side 2: the 8 cells (i, j) (column i, row j, 0..3, cell
    /// [−4 + 2i, −2 + 2i) × [−4 + 2j, −2 + 2j)) with i + j even are filled uniformly, the others are empty. Each sample
    /// picks one of the 8 filled cells uniformly at random; the label is that cell's index 0..7 in row-major order of
    /// the filled cells.
    /// </summary>
    /// <param name="count">Number of samples, ≥ 1.</param>
    /// <param name="generator">The random source (CPU generator).</param>
    public static BuiltInDataset Checkerboard(long count, torch.Generator generator)
    {
        Validate(count, generator);
        var corners = new float[16];
        var names = new string[8];
        int k = 0;
        for (int j = 0; j < 4; j++)
        {
            for (int i = 0; i < 4; i++)
            {
                if ((i + j) % 2 == 0)
                {
                    corners[2 * k] = -4 + (2 * i);
                    corners[(2 * k) + 1] = -4 + (2 * j);
                    names[k] = $"cell ({i}, {j})";
                    k++;
                }
            }
        }

        using var scope = torch.NewDisposeScope();
        var labels = torch.randint(0, 8, [count], dtype: torch.ScalarType.Int64, generator: generator);
        var lowerLeft = torch.tensor(corners, [8, 2]).index_select(0, labels);
        var points = lowerLeft.Plus(torch.rand(count, 2, generator: generator).Times(2));
        return new BuiltInDataset("checkerboard", BuiltInDatasetKind.Plane, points.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope(), ["x", "y"], names);
    }

    private static BuiltInDataset GaussianMixture(string name, float[] centres, double sigma, long count, torch.Generator generator)
    {
        Validate(count, generator);
        int modes = centres.Length / 2;
        using var scope = torch.NewDisposeScope();
        var centreTensor = torch.tensor(centres, [modes, 2]);
        var labels = torch.randint(0, modes, [count], dtype: torch.ScalarType.Int64, generator: generator);
        var points = centreTensor.index_select(0, labels).Plus(torch.randn(count, 2, generator: generator).Times(sigma));
        var names = Enumerable.Range(0, modes).Select(m => $"mode {m}").ToArray();
        return new BuiltInDataset(
            name,
            BuiltInDatasetKind.Plane,
            points.to_type(torch.ScalarType.Float32).MoveToOuterDisposeScope(),
            labels.MoveToOuterDisposeScope(),
            ["x", "y"],
            names,
            centreTensor.MoveToOuterDisposeScope(),
            sigma);
    }

    internal static void Validate(long count, torch.Generator generator)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentNullException.ThrowIfNull(generator);
    }
}
