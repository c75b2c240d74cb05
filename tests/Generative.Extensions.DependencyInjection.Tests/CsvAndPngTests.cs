using System.Buffers.Binary;
using System.IO.Compression;
using Generative.Data;
using Generative.Hosting;
using TorchSharp;

namespace Generative.Extensions.DependencyInjection.Tests;

public sealed class CsvAndPngTests
{
    [Fact]
    public void Csv_has_a_header_invariant_round_trip_numbers_and_quotes_where_needed()
    {
        var table = new SyntheticTable(["a", "b,c", "say \"hi\""], [1.5f, -0.1f, 1e-8f, float.NaN, 3f, 123456.79f], rowCount: 2);

        string csv = table.ToCsv();

        csv.Should().Be("a,\"b,c\",\"say \"\"hi\"\"\"\r\n1.5,-0.1,1E-08\r\nNaN,3,123456.79\r\n");
        float.Parse("1E-08", System.Globalization.CultureInfo.InvariantCulture).Should().Be(1e-8f, "values round-trip");
    }

    [Fact]
    public void A_table_checks_its_dimensions()
    {
        var make = () => new SyntheticTable(["a", "b"], [1f, 2f, 3f], rowCount: 2);
        make.Should().Throw<ArgumentException>().WithMessage("Expected 2 rows × 2 columns = 4 values, but got 3.*");
    }

    [Fact]
    public void Png_chunks_carry_correct_crcs_and_the_pixels_decode_back()
    {
        // Two 2×3 grey images; values 0 … 1 map to 0 … 255, clamped outside.
        float[] values = [0f, 0.5f, 1f, -1f, 2f, 0.25f, 1f, 1f, 1f, 0f, 0f, 0f];
        using var images = torch.tensor(values, [2, 1, 2, 3]);

        byte[] png = PngGrid.Encode(images, columns: 2, padding: 1);

        var (width, height, colorType, pixels) = Decode(png);
        width.Should().Be(2 * 3 + 3);
        height.Should().Be(2 + 2);
        colorType.Should().Be(0);
        byte[][] expected =
        [
            [0, 0, 0, 0, 0, 0, 0, 0, 0],
            [0, 0, 128, 255, 0, 255, 255, 255, 0],
            [0, 0, 255, 64, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 0, 0, 0, 0],
        ];
        for (int y = 0; y < height; y++)
        {
            pixels[y].Should().Equal(expected[y], $"row {y}");
        }
    }

    [Fact]
    public void Rgb_images_interleave_channels_and_fill_an_incomplete_last_row_with_background()
    {
        // Three 1×1 RGB images in a 2-column grid without padding: the fourth cell stays black.
        using var images = torch.tensor(new float[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, [3, 3, 1, 1]);

        var (width, height, colorType, pixels) = Decode(PngGrid.Encode(images, columns: 2, padding: 0));

        (width, height, colorType).Should().Be((2, 2, 2));
        pixels[0].Should().Equal(255, 0, 0, 0, 255, 0);
        pixels[1].Should().Equal(0, 0, 255, 0, 0, 0);
    }

    [Fact]
    public void The_value_range_is_configurable()
    {
        using var images = torch.tensor(new float[] { -1f, 0f, 1f }, [1, 1, 3]);
        var (_, _, _, pixels) = Decode(PngGrid.Encode(images, minimum: -1, maximum: 1, padding: 0));
        pixels[0].Should().Equal(0, 128, 255);
    }

    [Fact]
    public void Bad_shapes_and_ranges_are_rejected()
    {
        using var table = torch.zeros(2, 3);
        using var twoChannels = torch.zeros(1, 2, 4, 4);
        using var grey = torch.zeros(1, 4, 4);
        FluentActions.Invoking(() => PngGrid.Encode(table)).Should().Throw<ArgumentException>().WithMessage("*[2, 3]*");
        FluentActions.Invoking(() => PngGrid.Encode(twoChannels)).Should().Throw<ArgumentException>().WithMessage("*[1, 2, 4, 4]*");
        FluentActions.Invoking(() => PngGrid.Encode(grey, minimum: 1, maximum: 1)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => PngGrid.Encode(grey, columns: 0)).Should().Throw<ArgumentOutOfRangeException>();
    }

    /// <summary>A minimal PNG reader for 8-bit, filter-0 images: checks the signature and every chunk's CRC against
    /// the known CRC of IEND (AE 42 60 82, fixed by the PNG specification) and a bitwise CRC written here.</summary>
    private static (int Width, int Height, int ColorType, byte[][] Rows) Decode(byte[] png)
    {
        png.AsSpan(0, 8).ToArray().Should().Equal(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A);
        png.AsSpan(png.Length - 4).ToArray().Should().Equal(0xAE, 0x42, 0x60, 0x82);
        int offset = 8, width = 0, height = 0, colorType = 0;
        using var idat = new MemoryStream();
        while (offset < png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            string type = System.Text.Encoding.ASCII.GetString(png, offset + 4, 4);
            var data = png.AsSpan(offset + 8, length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset + 8 + length));
            BitwiseCrc(png.AsSpan(offset + 4, length + 4)).Should().Be(crc, $"the CRC of {type}");
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                data[8].Should().Be(8);
                colorType = data[9];
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }

            offset += 12 + length;
        }

        int channels = colorType switch { 0 => 1, 2 => 3, _ => 4 };
        idat.Position = 0;
        using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        zlib.CopyTo(raw);
        byte[] bytes = raw.ToArray();
        int stride = width * channels + 1;
        bytes.Length.Should().Be(stride * height);
        var rows = new byte[height][];
        for (int y = 0; y < height; y++)
        {
            bytes[y * stride].Should().Be(0, "filter type none");
            rows[y] = bytes.AsSpan(y * stride + 1, stride - 1).ToArray();
        }

        return (width, height, colorType, rows);
    }

    private static uint BitwiseCrc(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc >> 1) ^ (0xEDB88320u & (uint)-(int)(crc & 1));
            }
        }

        return ~crc;
    }
}
