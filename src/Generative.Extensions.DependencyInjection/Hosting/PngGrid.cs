using System.Buffers.Binary;
using System.IO.Compression;
using TorchSharp;

namespace Generative.Hosting;

/// <summary>
/// Writes a batch of images as one PNG file, laid out in a grid. Managed code only (zlib from the base library): no
/// native imaging library is needed by the applications that use it.
/// </summary>
/// <remarks>Thread-safe: holds no state.</remarks>
public static class PngGrid
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>Encodes images as a PNG grid, 8 bits per channel: grey for one channel, RGB for three, RGBA for four.</summary>
    /// <param name="images"><c>[N, C, H, W]</c> with C = 1, 3 or 4, or <c>[N, H, W]</c> (grey); any device and floating dtype. Not disposed.</param>
    /// <param name="minimum">The value drawn as 0 (black); values below are clamped.</param>
    /// <param name="maximum">The value drawn as 255 (white); greater than <paramref name="minimum"/>; values above are clamped.</param>
    /// <param name="columns">Images per grid row, at least 1; <see langword="null"/> for ⌈√N⌉.</param>
    /// <param name="padding">Pixels of background (0) between and around the images, at least 0.</param>
    /// <returns>The bytes of a PNG file. NaN values are drawn as 0.</returns>
    /// <exception cref="ArgumentException">The shape is not one of the accepted ones, or the range is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="columns"/> or <paramref name="padding"/> is out of range.</exception>
    public static byte[] Encode(torch.Tensor images, double minimum = 0, double maximum = 1, int? columns = null, int padding = 1)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (!(maximum > minimum) || !double.IsFinite(minimum) || !double.IsFinite(maximum))
        {
            throw new ArgumentException($"The value range must be finite with maximum > minimum, but is [{minimum}, {maximum}].", nameof(maximum));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        long[] shape = images.shape;
        bool validShape = shape.Length == 3 || (shape.Length == 4 && shape[1] is 1 or 3 or 4);
        if (!validShape || shape[0] < 1)
        {
            throw new ArgumentException(
                $"Expected images of shape [N, C, H, W] with C = 1, 3 or 4, or [N, H, W], with N ≥ 1, but got {TensorShape.Format(shape)}.",
                nameof(images));
        }

        int count = checked((int)shape[0]);
        int channels = shape.Length == 4 ? (int)shape[1] : 1;
        int height = checked((int)shape[^2]);
        int width = checked((int)shape[^1]);
        int gridColumns = columns ?? (int)Math.Ceiling(Math.Sqrt(count));
        ArgumentOutOfRangeException.ThrowIfLessThan(gridColumns, 1, nameof(columns));
        gridColumns = Math.Min(gridColumns, count);
        int gridRows = (count + gridColumns - 1) / gridColumns;
        int gridWidth = checked((gridColumns * (width + padding)) + padding);
        int gridHeight = checked((gridRows * (height + padding)) + padding);

        float[] values;
        using (var scope = torch.NewDisposeScope())
        {
            values = images.detach().to(torch.float32).cpu().contiguous().data<float>().ToArray();
        }

        // Scanlines: one filter byte (0, none) then the pixels, channels interleaved.
        int stride = (gridWidth * channels) + 1;
        var raw = new byte[checked(stride * gridHeight)];
        double scale = 255.0 / (maximum - minimum);
        int plane = height * width;
        for (int n = 0; n < count; n++)
        {
            int originX = padding + ((n % gridColumns) * (width + padding));
            int originY = padding + ((n / gridColumns) * (height + padding));
            int imageOffset = n * channels * plane;
            for (int y = 0; y < height; y++)
            {
                int rowStart = ((originY + y) * stride) + 1 + (originX * channels);
                for (int x = 0; x < width; x++)
                {
                    for (int c = 0; c < channels; c++)
                    {
                        double v = (values[imageOffset + (c * plane) + (y * width) + x] - minimum) * scale;
                        raw[rowStart + (x * channels) + c] = double.IsNaN(v) ? (byte)0 : (byte)Math.Round(Math.Clamp(v, 0, 255));
                    }
                }
            }
        }

        byte colorType = channels switch { 1 => 0, 3 => 2, _ => 6 };
        using var output = new MemoryStream();
        output.Write(Signature);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(0), gridWidth);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), gridHeight);
        header[8] = 8; // bit depth
        header[9] = colorType;
        // compression 0, filter 0, interlace 0
        WriteChunk(output, "IHDR"u8, header);

        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            {
                zlib.Write(raw);
            }

            WriteChunk(output, "IDAT"u8, compressed.ToArray());
        }

        WriteChunk(output, "IEND"u8, []);
        return output.ToArray();
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        output.Write(type);
        output.Write(data);
        uint crc = UpdateCrc(UpdateCrc(0xFFFFFFFFu, type), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        output.Write(word);
    }

    private static uint UpdateCrc(uint crc, ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        // CRC-32 (ISO 3309 / ITU-T V.42), the polynomial of the PNG specification, section 5.5.
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
