using SkiaSharp;
using static TorchSharp.torch;

namespace Generative.Data;

/// <summary>Options of <see cref="ImageFolderDataSource.Load"/>.</summary>
public sealed class ImageFolderOptions
{
    /// <summary>Resize every image to this width (with <see cref="Height"/>); <see langword="null"/> keeps the first image's size and requires all to match.</summary>
    public int? Width { get; init; }

    /// <summary>Resize every image to this height (with <see cref="Width"/>).</summary>
    public int? Height { get; init; }

    /// <summary>Convert to one grey channel (ITU-R 601 luma: 0.299 R + 0.587 G + 0.114 B) instead of three RGB channels.</summary>
    public bool Grayscale { get; init; }

    /// <summary>
    /// Whether images are labelled by sub-folder (class i = the i-th sub-folder in ordinal order). <see langword="null"/>
    /// (default): labelled when the folder has sub-folders holding images.
    /// </summary>
    public bool? Labelled { get; init; }
}

/// <summary>
/// A folder of PNG/JPEG images decoded with SkiaSharp: <c>[C, H, W]</c> float32 samples scaled to [-1, 1]
/// (<c>v / 127.5 − 1</c>), optionally resized and converted to grey; the class of an image is its sub-folder.
/// </summary>
/// <remarks>
/// Images are decoded once, at load, and held in memory (suited to the small image sets this library trains on). A file
/// that cannot be decoded throws <see cref="InvalidDataException"/> naming it. Dispose the source to release the data.
/// </remarks>
public sealed class ImageFolderDataSource : IDataSource
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];
    private readonly TensorDataSource _inner;

    private ImageFolderDataSource(TensorDataSource inner, IReadOnlyList<string>? classNames, IReadOnlyList<string> files)
    {
        _inner = inner;
        ClassNames = classNames;
        Files = files;
    }

    /// <inheritdoc/>
    public TensorShape SampleShape => _inner.SampleShape;

    /// <inheritdoc/>
    public long Count => _inner.Count;

    /// <inheritdoc/>
    public int ClassCount => _inner.ClassCount;

    /// <inheritdoc/>
    public IReadOnlyList<string>? FeatureNames => null;

    /// <inheritdoc/>
    public DataStandardization? Standardization => null;

    /// <summary>The class names (sub-folder names) when labelled, else <see langword="null"/>.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The image files, in sample order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Loads every PNG/JPEG image under <paramref name="directory"/>.</summary>
    /// <param name="directory">The folder: images directly in it, or in one sub-folder per class.</param>
    /// <param name="options">Size, colour and labelling; defaults when <see langword="null"/>.</param>
    /// <returns>The data source (the caller owns and disposes it).</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">No image is found, an image cannot be decoded, or sizes differ without resizing.</exception>
    /// <exception cref="ArgumentException">Only one of width and height is given, or a size is below 1.</exception>
    public static ImageFolderDataSource Load(string directory, ImageFolderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= new ImageFolderOptions();
        if ((options.Width is null) != (options.Height is null) || options.Width < 1 || options.Height < 1)
        {
            throw new ArgumentException("Give both a width and a height of at least 1 to resize, or neither.", nameof(options));
        }

        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"The image folder '{directory}' does not exist.");
        }

        var classDirs = Directory.GetDirectories(directory).Order(StringComparer.Ordinal).Where(d => ImagesIn(d, recursive: true).Any()).ToList();
        bool labelled = options.Labelled ?? classDirs.Count > 0;
        var files = new List<(string Path, long Label)>();
        if (labelled)
        {
            for (int c = 0; c < classDirs.Count; c++)
            {
                files.AddRange(ImagesIn(classDirs[c], recursive: true).Select(f => (f, (long)c)));
            }
        }
        else
        {
            files.AddRange(ImagesIn(directory, recursive: true).Select(f => (f, 0L)));
        }

        if (files.Count == 0)
        {
            throw new InvalidDataException($"No PNG or JPEG image was found in '{directory}'.");
        }

        int channels = options.Grayscale ? 1 : 3;
        int width = options.Width ?? 0, height = options.Height ?? 0;
        float[]? buffer = null;
        for (int i = 0; i < files.Count; i++)
        {
            string file = files[i].Path;
            using var decoded = SKBitmap.Decode(file) ?? throw new InvalidDataException($"'{file}' is not a PNG or JPEG image that can be decoded.");
            if (width == 0)
            {
                width = decoded.Width;
                height = decoded.Height;
            }

            SKBitmap? resized = null;
            var bitmap = decoded;
            if (decoded.Width != width || decoded.Height != height)
            {
                if (options.Width is null)
                {
                    throw new InvalidDataException(
                        $"'{file}' is {decoded.Width}×{decoded.Height}, but the first image is {width}×{height}; set Width and Height to resize them all.");
                }

                resized = decoded.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul), SKFilterQuality.High)
                    ?? throw new InvalidDataException($"'{file}' could not be resized.");
                bitmap = resized;
            }

            using (resized)
            {
                buffer ??= new float[checked((long)files.Count * channels * height * width)];
                WritePixels(bitmap, buffer.AsSpan(i * channels * height * width, channels * height * width), channels, width, height);
            }
        }

        using var scope = NewDisposeScope();
        var samples = tensor(buffer!).reshape(files.Count, channels, height, width);
        var labels = labelled ? tensor(files.Select(f => f.Label).ToArray()) : null;
        var inner = new TensorDataSource(samples, labels, labelled ? classDirs.Count : null);
        return new ImageFolderDataSource(inner, labelled ? [.. classDirs.Select(Path.GetFileName).Select(n => n!)] : null, [.. files.Select(f => f.Path)]);
    }

    /// <inheritdoc/>
    public TrainingBatch ReadBatch(Tensor indices, Device device) => _inner.ReadBatch(indices, device);

    /// <summary>Releases the data.</summary>
    public void Dispose() => _inner.Dispose();

    private static IEnumerable<string> ImagesIn(string directory, bool recursive) =>
        Directory.EnumerateFiles(directory, "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal);

    private static void WritePixels(SKBitmap bitmap, Span<float> target, int channels, int width, int height)
    {
        using var rgba = bitmap.ColorType == SKColorType.Rgba8888 && bitmap.AlphaType != SKAlphaType.Premul
            ? null
            : bitmap.Copy(SKColorType.Rgba8888);
        var source = rgba ?? bitmap;
        ReadOnlySpan<byte> pixels = source.GetPixelSpan();
        int rowBytes = source.RowBytes;
        int plane = width * height;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int p = (y * rowBytes) + (x * 4);
                int o = (y * width) + x;
                if (channels == 1)
                {
                    double luma = (0.299 * pixels[p]) + (0.587 * pixels[p + 1]) + (0.114 * pixels[p + 2]);
                    target[o] = (float)((luma / 127.5) - 1);
                }
                else
                {
                    target[o] = (pixels[p] / 127.5f) - 1;
                    target[plane + o] = (pixels[p + 1] / 127.5f) - 1;
                    target[(2 * plane) + o] = (pixels[p + 2] / 127.5f) - 1;
                }
            }
        }
    }
}
