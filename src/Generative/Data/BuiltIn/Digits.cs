using System.Globalization;
using TorchSharp;

namespace Generative.Data.BuiltIn;

/// <summary>
/// The 8×8 handwritten digits (UCI "Optical Recognition of Handwritten Digits", scikit-learn's copy; see NOTICE.md),
/// embedded in the assembly, and stacked digits (the Stacked-MNIST protocol of Metz et al. 2017 / Srivastava et al.
/// 2017, built from these digits). Pixels, 0..16 in the file, are scaled to [−1, 1] by p / 8 − 1.
/// </summary>
public static class Digits
{
    /// <summary>The number of digit images in the file.</summary>
    public const int ImageCount = 1797;

    /// <summary>Maps a raw pixel value p ∈ 0..16 to the model scale: p / 8 − 1 (so 0 → −1, 8 → 0, 16 → 1).</summary>
    /// <param name="pixel">The raw pixel value.</param>
    public static double ScalePixel(double pixel) => (pixel / 8.0) - 1.0;

    /// <summary>Inverse of <see cref="ScalePixel"/>: x ↦ 8(x + 1).</summary>
    /// <param name="scaled">A value on the model scale.</param>
    public static double UnscalePixel(double scaled) => 8.0 * (scaled + 1.0);

    /// <summary>
    /// All 1797 digits as float32 <c>[1797, 1, 8, 8]</c> scaled to [−1, 1] (<see cref="ScalePixel"/>), labels 0..9,
    /// class names "0".."9", feature names <c>pixel_r_c</c> (row r, column c). The caller owns the result.
    /// </summary>
    public static BuiltInDataset Load()
    {
        var table = EmbeddedData.Digits;
        using var scope = torch.NewDisposeScope();
        var samples = torch.tensor(table.Values, [table.Rows, 1, 8, 8]).DividedBy(8.0).Minus(1.0).MoveToOuterDisposeScope();
        var labels = torch.tensor(table.Labels).MoveToOuterDisposeScope();
        return new BuiltInDataset("digits", BuiltInDatasetKind.Image, samples, labels, PixelNames(null), table.ClassNames);
    }

    /// <summary>
    /// Stacked digits: each sample stacks three digit images drawn independently and uniformly (with replacement)
    /// from the 1797 digits into three channels, float32 <c>[count, 3, 8, 8]</c> on the [−1, 1] scale. The label is
    /// 100·a + 10·b + c for the digits a, b, c of channels 0, 1, 2, giving 1000 modes; class names "000".."999".
    /// </summary>
    /// <param name="count">Number of samples, ≥ 1.</param>
    /// <param name="generator">The random source (CPU generator).</param>
    public static BuiltInDataset LoadStacked(long count, torch.Generator generator)
    {
        Mixtures.Validate(count, generator);
        var table = EmbeddedData.Digits;
        using var scope = torch.NewDisposeScope();
        var images = torch.tensor(table.Values, [table.Rows, 64]).DividedBy(8.0).Minus(1.0);
        var digitLabels = torch.tensor(table.Labels);
        var index = torch.randint(0, table.Rows, [count, 3], dtype: torch.ScalarType.Int64, generator: generator);
        var flat = index.reshape(-1);
        var samples = images.index_select(0, flat).reshape(count, 3, 8, 8);
        var picked = digitLabels.index_select(0, flat).reshape(count, 3);
        var labels = picked[.., 0].Times(100).Plus(picked[.., 1].Times(10)).Plus(picked[.., 2]);
        var classNames = Enumerable.Range(0, 1000).Select(i => i.ToString("000", CultureInfo.InvariantCulture)).ToArray();
        var names = new List<string>(192);
        for (int ch = 0; ch < 3; ch++)
        {
            names.AddRange(PixelNames(ch));
        }

        return new BuiltInDataset("stacked-digits", BuiltInDatasetKind.Image, samples.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope(), names, classNames);
    }

    private static string[] PixelNames(int? channel)
    {
        var names = new string[64];
        for (int r = 0; r < 8; r++)
        {
            for (int c = 0; c < 8; c++)
            {
                names[(r * 8) + c] = channel is null
                    ? string.Create(CultureInfo.InvariantCulture, $"pixel_{r}_{c}")
                    : string.Create(CultureInfo.InvariantCulture, $"c{channel}_pixel_{r}_{c}");
            }
        }

        return names;
    }
}
