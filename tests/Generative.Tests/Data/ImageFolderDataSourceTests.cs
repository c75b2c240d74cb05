using Generative.Data;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Data;

public sealed class ImageFolderDataSourceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gen-img-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void WriteImage(string path, int width, int height, SKColor color, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.Erase(color);
        bitmap.SetPixel(0, 0, new SKColor(255, 255, 255));
        using var data = bitmap.Encode(format, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    [Fact]
    public void Loads_classes_from_sub_folders_scaled_to_minus_one_one()
    {
        WriteImage(Path.Combine(_dir, "cats", "a.png"), 4, 3, new SKColor(0, 51, 255));
        WriteImage(Path.Combine(_dir, "cats", "b.png"), 4, 3, new SKColor(0, 51, 255));
        WriteImage(Path.Combine(_dir, "dogs", "c.png"), 4, 3, new SKColor(102, 0, 0));
        using var source = ImageFolderDataSource.Load(_dir);
        source.Count.Should().Be(3);
        source.SampleShape.Should().Be(new TensorShape(3, 3, 4));
        source.ClassNames.Should().Equal("cats", "dogs");
        using var scope = NewDisposeScope();
        var batch = source.ReadBatch(tensor(new long[] { 0, 2 }), CPU);
        batch.Labels!.data<long>().ToArray().Should().Equal(0, 1);
        var x = batch.Samples;
        // Pixel (1, 0) of a.png is (0, 51, 255): (v / 127.5) − 1 = (−1, −0.6, 1); pixel (0, 0) is white (1, 1, 1).
        x[0, 0, 0, 1].item<float>().Should().BeApproximately(-1f, 1e-6f);
        x[0, 1, 0, 1].item<float>().Should().BeApproximately(-0.6f, 1e-6f);
        x[0, 2, 0, 1].item<float>().Should().BeApproximately(1f, 1e-6f);
        x[0, 1, 0, 0].item<float>().Should().BeApproximately(1f, 1e-6f);
        x[1, 0, 2, 3].item<float>().Should().BeApproximately((102 / 127.5f) - 1, 1e-6f);
    }

    [Fact]
    public void Resizes_converts_to_grey_and_reads_jpeg()
    {
        WriteImage(Path.Combine(_dir, "a.png"), 8, 8, new SKColor(100, 150, 200));
        WriteImage(Path.Combine(_dir, "b.jpg"), 16, 12, new SKColor(100, 150, 200), SKEncodedImageFormat.Jpeg);
        using var source = ImageFolderDataSource.Load(_dir, new ImageFolderOptions { Width = 4, Height = 4, Grayscale = true });
        source.SampleShape.Should().Be(new TensorShape(1, 4, 4));
        source.ClassCount.Should().Be(0);
        using var scope = NewDisposeScope();
        var x = source.ReadBatch(tensor(new long[] { 0, 1 }), CPU).Samples;
        // Away from the white corner the grey value is the luma 0.299·100 + 0.587·150 + 0.114·200 = 140.75 (JPEG: ±3 levels).
        double expected = (140.75 / 127.5) - 1;
        x[0, 0, 3, 3].item<float>().Should().BeApproximately((float)expected, 0.01f);
        x[1, 0, 3, 3].item<float>().Should().BeApproximately((float)expected, 3 / 127.5f);
        x.min().item<float>().Should().BeGreaterThanOrEqualTo(-1f);
        x.max().item<float>().Should().BeLessThanOrEqualTo(1f);
    }

    [Fact]
    public void Undecodable_files_and_mismatched_sizes_are_named()
    {
        WriteImage(Path.Combine(_dir, "a.png"), 4, 4, SKColors.Red);
        WriteImage(Path.Combine(_dir, "b.png"), 5, 4, SKColors.Red);
        FluentActions.Invoking(() => ImageFolderDataSource.Load(_dir)).Should().Throw<InvalidDataException>().WithMessage("*b.png' is 5×4, but the first image is 4×4*");
        File.WriteAllText(Path.Combine(_dir, "c.png"), "not an image");
        FluentActions.Invoking(() => ImageFolderDataSource.Load(_dir, new ImageFolderOptions { Width = 4, Height = 4 }))
            .Should().Throw<InvalidDataException>().WithMessage("*c.png' is not a PNG or JPEG image*");
        FluentActions.Invoking(() => ImageFolderDataSource.Load(Path.Combine(_dir, "none"))).Should().Throw<DirectoryNotFoundException>();
    }
}
