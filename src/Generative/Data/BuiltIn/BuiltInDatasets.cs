using TorchSharp;

namespace Generative.Data.BuiltIn;

/// <summary>Looks up the built-in data sets by name.</summary>
public static class BuiltInDatasets
{
    // One entry per data set, in the order of Names: a generated set draws (count, generator); a fixed set loads its rows.
    private static readonly DatasetEntry[] Entries =
    [
        new("ring", Generated: Mixtures.Ring),
        new("grid", Generated: Mixtures.Grid),
        new("swissroll", Generated: (count, generator) => Mixtures.SwissRoll(count, generator)),
        new("moons", Generated: (count, generator) => Mixtures.Moons(count, generator)),
        new("checkerboard", Generated: Mixtures.Checkerboard),
        new("digits", Fixed: Digits.Load),
        new("stacked-digits", Generated: Digits.LoadStacked),
        new("wine", Fixed: Tables.LoadWine),
        new("breast-cancer", Fixed: Tables.LoadBreastCancer),
    ];

    /// <summary>The default number of samples drawn for the generated data sets.</summary>
    public const long DefaultSampleCount = 10_000;

    /// <summary>
    /// The known names: <c>ring</c>, <c>grid</c>, <c>swissroll</c>, <c>moons</c>, <c>checkerboard</c>, <c>digits</c>,
    /// <c>stacked-digits</c>, <c>wine</c>, <c>breast-cancer</c>.
    /// </summary>
    public static IReadOnlyList<string> Names { get; } = [.. Entries.Select(e => e.Name)];

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
        var entry = Entries.FirstOrDefault(e => string.Equals(e.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException(
                $"Unknown built-in data set '{name}'. Known data sets: {string.Join(", ", Names)}.", nameof(name));
        if (entry.Fixed is { } load)
        {
            return load();
        }

        using var generator = new torch.Generator((ulong)seed);
        return entry.Generated!(sampleCount, generator);
    }

    private sealed record DatasetEntry(
        string Name,
        Func<long, torch.Generator, BuiltInDataset>? Generated = null,
        Func<BuiltInDataset>? Fixed = null);
}
