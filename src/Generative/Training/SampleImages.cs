using SkiaSharp;
using static TorchSharp.torch;

namespace Generative.Training;

/// <summary>Renders samples to PNG files with SkiaSharp: a grid for images, a scatter plot for 2-D points.</summary>
/// <remarks>Thread-safe (no shared state). The tensors passed in are not modified or disposed.</remarks>
public static class SampleImages
{
    /// <summary>Writes images <c>[N, C, H, W]</c> (C = 1 or 3, values in [-1, 1]) as one PNG grid.</summary>
    /// <param name="images">The images; values outside [-1, 1] are clamped.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="columns">Images per row; default ⌈√N⌉.</param>
    /// <param name="padding">Pixels between images, ≥ 0.</param>
    /// <exception cref="ArgumentException">The tensor is not <c>[N, 1|3, H, W]</c> with N ≥ 1.</exception>
    public static void SaveGrid(Tensor images, string path, int? columns = null, int padding = 2)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        if (images.dim() != 4 || images.shape[0] < 1 || images.shape[1] is not (1 or 3))
        {
            throw new ArgumentException($"Expected images of shape [N, 1 or 3, H, W], but got {TensorShape.Format(images.shape)}.", nameof(images));
        }

        int n = (int)images.shape[0], c = (int)images.shape[1], h = (int)images.shape[2], w = (int)images.shape[3];
        int cols = columns ?? (int)Math.Ceiling(Math.Sqrt(n));
        ArgumentOutOfRangeException.ThrowIfLessThan(cols, 1, nameof(columns));
        int rows = (n + cols - 1) / cols;
        byte[] pixels;
        using (var scope = NewDisposeScope())
        {
            var x = images.detach().to_type(ScalarType.Float32).cpu().Clamp(-1, 1).Plus(1).Times(127.5).round().to_type(ScalarType.Byte);
            pixels = x.permute(0, 2, 3, 1).contiguous().data<byte>().ToArray();
        }

        int width = (cols * w) + ((cols + 1) * padding), height = (rows * h) + ((rows + 1) * padding);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        int rowBytes = bitmap.RowBytes;
        var target = new byte[rowBytes * height];
        for (int i = 3; i < target.Length; i += 4)
        {
            target[i] = 255;
        }

        for (int i = 0; i < n; i++)
        {
            int ox = padding + ((i % cols) * (w + padding)), oy = padding + ((i / cols) * (h + padding));
            for (int y = 0; y < h; y++)
            {
                for (int xx = 0; xx < w; xx++)
                {
                    int s = ((((i * h) + y) * w) + xx) * c;
                    int t = ((oy + y) * rowBytes) + ((ox + xx) * 4);
                    target[t] = pixels[s];
                    target[t + 1] = pixels[s + (c == 3 ? 1 : 0)];
                    target[t + 2] = pixels[s + (c == 3 ? 2 : 0)];
                    target[t + 3] = 255;
                }
            }
        }

        System.Runtime.InteropServices.Marshal.Copy(target, 0, bitmap.GetPixels(), target.Length);
        Save(bitmap, path);
    }

    /// <summary>Writes 2-D points <c>[N, 2]</c> as a PNG scatter plot, optionally over reference points (e.g. the real data) in grey.</summary>
    /// <param name="points">The points to plot (blue).</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="reference">Optional reference points <c>[M, 2]</c> (grey, drawn first).</param>
    /// <param name="size">The image's width and height in pixels, ≥ 64.</param>
    /// <exception cref="ArgumentException">A tensor is not <c>[N, 2]</c>.</exception>
    public static void SaveScatter(Tensor points, string path, Tensor? reference = null, int size = 512)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 64);
        float[] p = Points(points, nameof(points));
        float[] r = reference is null ? [] : Points(reference, nameof(reference));
        var all = p.Concat(r).Where(float.IsFinite).ToArray();
        float minX = float.MaxValue, maxX = float.MinValue, minY = float.MaxValue, maxY = float.MinValue;
        for (int i = 0; i + 1 < all.Length; i += 2)
        {
            minX = Math.Min(minX, all[i]);
            maxX = Math.Max(maxX, all[i]);
            minY = Math.Min(minY, all[i + 1]);
            maxY = Math.Max(maxY, all[i + 1]);
        }

        if (all.Length < 2)
        {
            minX = minY = -1;
            maxX = maxY = 1;
        }

        float span = Math.Max(Math.Max(maxX - minX, maxY - minY), 1e-6f) * 1.1f;
        float cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
        const int margin = 24;
        float scale = (size - (2 * margin)) / span;
        SKPoint Map(float x, float y) => new(margin + ((x - cx + (span / 2)) * scale), size - margin - ((y - cy + (span / 2)) * scale));

        using var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        using (var axis = new SKPaint { Color = new SKColor(120, 120, 120), StrokeWidth = 1, IsAntialias = true, Style = SKPaintStyle.Stroke })
        using (var grey = new SKPaint { Color = new SKColor(190, 190, 190), IsAntialias = true })
        using (var blue = new SKPaint { Color = new SKColor(31, 119, 180), IsAntialias = true })
        {
            canvas.Clear(SKColors.White);
            if (cx - (span / 2) < 0 && cx + (span / 2) > 0)
            {
                canvas.DrawLine(Map(0, cy - (span / 2)), Map(0, cy + (span / 2)), axis);
            }

            if (cy - (span / 2) < 0 && cy + (span / 2) > 0)
            {
                canvas.DrawLine(Map(cx - (span / 2), 0), Map(cx + (span / 2), 0), axis);
            }

            canvas.DrawRect(margin, margin, size - (2 * margin), size - (2 * margin), axis);
            float radius = Math.Max(1.5f, size / 256f);
            for (int i = 0; i + 1 < r.Length; i += 2)
            {
                canvas.DrawCircle(Map(r[i], r[i + 1]), radius, grey);
            }

            for (int i = 0; i + 1 < p.Length; i += 2)
            {
                canvas.DrawCircle(Map(p[i], p[i + 1]), radius, blue);
            }
        }

        Save(bitmap, path);
    }

    private static float[] Points(Tensor t, string name)
    {
        if (t.dim() != 2 || t.shape[1] != 2)
        {
            throw new ArgumentException($"Expected points of shape [N, 2], but got {TensorShape.Format(t.shape)}.", name);
        }

        using var scope = NewDisposeScope();
        return t.detach().to_type(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
    }

    private static void Save(SKBitmap bitmap, string path)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        using var stream = File.Create(path);
        data.SaveTo(stream);
    }
}
