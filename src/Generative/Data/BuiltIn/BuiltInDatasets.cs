using TorchSharp;

namespace Generative.Data.BuiltIn;

/// <summary>Looks up the built-in data sets by name.</summary>
public static class BuiltInDatasets
{
    /// <summary>The default number of samples drawn for the generated data sets.</summary>
    public const long DefaultSampleCount = 10_000;

    /// <summary>
    /// The known names: <c>ring</c>, <c>grid</c>, <c>swissroll</c>, <c>moons</c>, <c>checkerboard</c>, <c>digits</c>,
    /// <c>stacked-digits</c>, <c>wine</c>, <c>breast-cancer</c>.
    /// </summary>
    public static IReadOnlyList<string> Names { get; } =
        ["ring", "grid", "swissroll", "moons", "checkerboard", "digits", "stacked-digits", "wine", "breast-cancer"];

    /// <summary>Whether <paramref name="name"/> is a known data set (case-insensitive).</summary>
    /// <param name="name">The name to check.</param>
    public static bool Contains(string name) =>
        name is not null && Names.Contains(name.Trim(), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Loads a data set by name (case-insensitive). Generated sets (ring, grid, swissroll, moons, checkerboard,
    /// stacked-digits) draw <paramref name="sampleCount"/> samples from a generator seeded with
    /// <paramref name="seed"/>; the fixed sets (digits, wine, breast-cancer) return all their rows and ignore both.
    /// </summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="sampleCount">Samples to draw for generated sets, ≥ 1.</param>
    /// <param name="seed">Seed of the <see cref="torch.Generator"/> for generated sets.</param>
    /// <returns>A data set the caller owns and disposes.</returns>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known names.</exception>
    public static BuiltInDataset Load(string name, long sampleCount = DefaultSampleCount, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleCount, 1);
        string key = name.Trim().ToLowerInvariant();
        switch (key)
        {
            case "digits":
                return Digits.Load();
            case "wine":
                return Tables.LoadWine();
            case "breast-cancer":
                return Tables.LoadBreastCancer();
        }

        if (!Names.Contains(key))
        {
            throw new ArgumentException(
                $"Unknown built-in data set '{name}'. Known data sets: {string.Join(", ", Names)}.", nameof(name));
        }

        using var generator = new torch.Generator((ulong)seed);
        return key switch
        {
            "ring" => Mixtures.Ring(sampleCount, generator),
            "grid" => Mixtures.Grid(sampleCount, generator),
            "swissroll" => Mixtures.SwissRoll(sampleCount, generator),
            "moons" => Mixtures.Moons(sampleCount, generator),
            "checkerboard" => Mixtures.Checkerboard(sampleCount, generator),
            "stacked-digits" => Digits.LoadStacked(sampleCount, generator),
            _ => throw new InvalidOperationException("unreachable"),
        };
    }
}
