using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Checkpoints;

/// <summary>One tensor's entry in a safetensors header.</summary>
/// <param name="Name">The tensor's name.</param>
/// <param name="DType">Its element type.</param>
/// <param name="Shape">Its shape.</param>
/// <param name="Begin">Start of its bytes, relative to the data section.</param>
/// <param name="End">End (exclusive) of its bytes, relative to the data section.</param>
internal sealed record SafeTensorsEntry(string Name, ScalarType DType, IReadOnlyList<long> Shape, long Begin, long End);

/// <summary>A validated safetensors header: the tensors' entries (by offset) and the free-form metadata.</summary>
/// <param name="Entries">The tensors, ordered by their offset.</param>
/// <param name="Metadata">The <c>__metadata__</c> strings (empty when absent).</param>
/// <param name="DataStart">Where the data section starts in the file (8 + header length).</param>
internal sealed record SafeTensorsHeader(IReadOnlyList<SafeTensorsEntry> Entries, IReadOnlyDictionary<string, string> Metadata, long DataStart);

/// <summary>Tensors read from a safetensors file; owns them until disposed.</summary>
public sealed class SafeTensorsContent : IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors;

    internal SafeTensorsContent(Dictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        _tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>The tensors by name, on CPU (owned by this object: copy what must outlive it).</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    /// <summary>The <c>__metadata__</c> strings.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Disposes the tensors.</summary>
    public void Dispose()
    {
        foreach (var t in _tensors.Values)
        {
            t.Dispose();
        }

        _tensors.Clear();
    }
}

/// <summary>
/// Reads and writes the safetensors format (Hugging Face): a little-endian u64 header length, a UTF-8 JSON header mapping
/// each tensor name to <c>{"dtype","shape","data_offsets"}</c> (plus an optional <c>"__metadata__"</c> string map), then the
/// raw little-endian data. Files are readable by PyTorch's <c>safetensors</c> loader and the other way round.
/// </summary>
/// <remarks>
/// <para>Reading validates everything before allocating a tensor: the header length against the file and
/// <see cref="MaxHeaderBytes"/>, the JSON, the dtypes, shapes and offsets (inside the data, not overlapping, no gaps,
/// sizes matching), boolean bytes. Any defect throws <see cref="CheckpointFormatException"/>; nothing is executed.</para>
/// <para>Supported dtypes: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL. Thread-safe (no shared state).</para>
/// </remarks>
public static class SafeTensors
{
    /// <summary>The largest header accepted (100 MB, as the reference implementation).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Writes <paramref name="tensors"/> to a new file at <paramref name="path"/> and flushes it to disk.</summary>
    /// <param name="path">The file to create (overwritten if it exists).</param>
    /// <param name="tensors">The tensors by name (any device; written contiguous, in name order).</param>
    /// <param name="metadata">Optional free-form strings.</param>
    /// <exception cref="ArgumentException">A name is empty or reserved, or a dtype is not supported.</exception>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        Write(stream, tensors, metadata);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Writes <paramref name="tensors"/> in safetensors format to <paramref name="stream"/>.</summary>
    /// <param name="stream">A writable stream.</param>
    /// <param name="tensors">The tensors by name (any device; written contiguous, in name order).</param>
    /// <param name="metadata">Optional free-form strings.</param>
    /// <exception cref="ArgumentException">A name is empty or reserved, or a dtype is not supported.</exception>
    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("safetensors data is little-endian; big-endian machines are not supported.");
        }

        var names = tensors.Keys.OrderBy(n => n, StringComparer.Ordinal).ToList();
        var header = new MemoryStream();
        long offset = 0;
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    json.WriteString(k, v);
                }

                json.WriteEndObject();
            }

            foreach (string name in names)
            {
                if (string.IsNullOrEmpty(name) || name == MetadataKey)
                {
                    throw new ArgumentException($"'{name}' cannot name a tensor in a safetensors file.", nameof(tensors));
                }

                var t = tensors[name];
                string dtype = DTypeName(t.dtype, name);
                long size = t.numel() * ElementSize(t.dtype);
                json.WriteStartObject(name);
                json.WriteString("dtype", dtype);
                json.WriteStartArray("shape");
                foreach (long d in t.shape)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + size);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += size;
            }

            json.WriteEndObject();
        }

        // Pad the header with spaces so that the data starts 8-byte aligned, as the reference writer does.
        while ((header.Length % 8) != 0)
        {
            header.WriteByte((byte)' ');
        }

        Span<byte> lengthBytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)header.Length);
        stream.Write(lengthBytes);
        header.Position = 0;
        header.CopyTo(stream);
        foreach (string name in names)
        {
            using var scope = NewDisposeScope();
            var t = tensors[name].detach().cpu().contiguous();
            if (t.numel() > 0)
            {
                stream.Write(t.bytes);
            }
        }
    }

    /// <summary>Reads and validates the header of the file at <paramref name="path"/> (the data is not read).</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="CheckpointFormatException">The file is not a valid safetensors file.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    internal static SafeTensorsHeader ReadHeader(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return ReadHeader(stream, path);
    }

    /// <summary>Reads and validates every tensor of the file at <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The tensors (on CPU) and metadata, owned by the returned object.</returns>
    /// <exception cref="CheckpointFormatException">The file is not a valid safetensors file.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static SafeTensorsContent Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Load(stream, path);
    }

    /// <summary>Reads and validates every tensor from a seekable stream holding a safetensors file.</summary>
    /// <param name="stream">A readable, seekable stream positioned at the file's start.</param>
    /// <param name="sourceName">The name used in error messages.</param>
    /// <returns>The tensors (on CPU) and metadata, owned by the returned object.</returns>
    /// <exception cref="CheckpointFormatException">The content is not a valid safetensors file.</exception>
    public static SafeTensorsContent Load(Stream stream, string sourceName = "stream") => Load(stream, sourceName, null);

    /// <summary>Reads and validates the file at <paramref name="path"/>, keeping only the tensors <paramref name="include"/> selects.</summary>
    internal static SafeTensorsContent Load(string path, Func<string, bool> include)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Load(stream, path, include);
    }

    private static SafeTensorsContent Load(Stream stream, string sourceName, Func<string, bool>? include)
    {
        var header = ReadHeader(stream, sourceName);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var entry in header.Entries)
            {
                if (include is not null && !include(entry.Name))
                {
                    continue;
                }

                var t = empty([.. entry.Shape], dtype: entry.DType).DetachFromDisposeScope();
                tensors[entry.Name] = t;
                long size = entry.End - entry.Begin;
                if (size == 0)
                {
                    continue;
                }

                stream.Position = header.DataStart + entry.Begin;
                var span = t.bytes;
                stream.ReadExactly(span);
                if (entry.DType == ScalarType.Bool && span.IndexOfAnyExcept((byte)0, (byte)1) >= 0)
                {
                    throw Fail(sourceName, $"the BOOL tensor '{entry.Name}' holds bytes other than 0 and 1");
                }
            }

            return new SafeTensorsContent(tensors, header.Metadata);
        }
        catch (Exception e)
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }

            if (e is EndOfStreamException)
            {
                throw Fail(sourceName, "the file ended before the tensor data", e);
            }

            throw;
        }
    }

    /// <summary>Reads and validates a safetensors header from a seekable stream positioned at the file's start.</summary>
    /// <param name="stream">A readable, seekable stream.</param>
    /// <param name="sourceName">The name used in error messages.</param>
    /// <exception cref="CheckpointFormatException">The content is not a valid safetensors file.</exception>
    internal static SafeTensorsHeader ReadHeader(Stream stream, string sourceName = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
        {
            throw new ArgumentException("The stream must be seekable.", nameof(stream));
        }

        long fileLength = stream.Length - stream.Position;
        if (fileLength < 8)
        {
            throw Fail(sourceName, $"it is {fileLength} bytes long, shorter than the 8-byte header length (truncated or not a safetensors file)");
        }

        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes)
        {
            throw Fail(sourceName, $"its header length is {headerLength} bytes, more than the {MaxHeaderBytes} accepted (corrupt or not a safetensors file)");
        }

        if ((long)headerLength + 8 > fileLength)
        {
            throw Fail(sourceName, $"its header length ({headerLength} bytes) runs past the end of the {fileLength}-byte file (truncated)");
        }

        if (headerLength < 2)
        {
            throw Fail(sourceName, $"its header is {headerLength} bytes long, too short for a JSON object");
        }

        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        long dataLength = fileLength - 8 - (long)headerLength;
        var (entries, metadata) = ParseHeader(headerBytes, dataLength, sourceName);
        return new SafeTensorsHeader(entries, metadata, stream.Position);
    }

    internal static int ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        ScalarType.Int8 or ScalarType.Byte or ScalarType.Bool => 1,
        _ => throw new ArgumentException($"The dtype {dtype} cannot be stored in safetensors here."),
    };

    private static string DTypeName(ScalarType dtype, string name) => dtype switch
    {
        ScalarType.Float64 => "F64",
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new ArgumentException($"Tensor '{name}' has dtype {dtype}, which safetensors files here do not support."),
    };

    private static ScalarType? ParseDType(string name) => name switch
    {
        "F64" => ScalarType.Float64,
        "F32" => ScalarType.Float32,
        "F16" => ScalarType.Float16,
        "BF16" => ScalarType.BFloat16,
        "I64" => ScalarType.Int64,
        "I32" => ScalarType.Int32,
        "I16" => ScalarType.Int16,
        "I8" => ScalarType.Int8,
        "U8" => ScalarType.Byte,
        "BOOL" => ScalarType.Bool,
        _ => null,
    };

    private static (List<SafeTensorsEntry> Entries, Dictionary<string, string> Metadata) ParseHeader(byte[] headerBytes, long dataLength, string source)
    {
        JsonDocument document;
        try
        {
            _ = StrictUtf8.GetCharCount(headerBytes);
            document = JsonDocument.Parse(headerBytes, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException)
        {
            throw Fail(source, $"its header is not valid JSON ({e.Message})", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Fail(source, $"its header is a JSON {root.ValueKind}, not an object");
            }

            var entries = new List<SafeTensorsEntry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw Fail(source, $"its header names '{property.Name}' twice");
                }

                if (property.Name == MetadataKey)
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                    {
                        throw Fail(source, "its __metadata__ is not a JSON object");
                    }

                    foreach (var m in property.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                        {
                            throw Fail(source, $"its __metadata__ value '{m.Name}' is not a string");
                        }

                        metadata[m.Name] = m.Value.GetString()!;
                    }

                    continue;
                }

                try
                {
                    entries.Add(ParseEntry(property, dataLength, source));
                }
                catch (InvalidOperationException e)
                {
                    throw Fail(source, $"the entry of tensor '{property.Name}' is malformed ({e.Message})", e);
                }
            }

            entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            long expected = 0;
            foreach (var e in entries)
            {
                if (e.Begin < expected)
                {
                    throw Fail(source, $"the data of tensor '{e.Name}' [{e.Begin}, {e.End}) overlaps the previous tensor's (which ends at {expected})");
                }

                if (e.Begin > expected)
                {
                    throw Fail(source, $"there is a gap of unclaimed bytes [{expected}, {e.Begin}) before tensor '{e.Name}'");
                }

                expected = e.End;
            }

            if (expected != dataLength)
            {
                throw Fail(source, $"the tensors claim {expected} bytes of data but the file holds {dataLength} (truncated, or trailing bytes)");
            }

            return (entries, metadata);
        }
    }

    private static SafeTensorsEntry ParseEntry(JsonProperty property, long dataLength, string source)
    {
        string name = property.Name;
        var v = property.Value;
        if (name.Length == 0)
        {
            throw Fail(source, "a tensor has an empty name");
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            throw Fail(source, $"the entry of tensor '{name}' is not a JSON object");
        }

        if (!v.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw Fail(source, $"tensor '{name}' has no dtype string");
        }

        string dtypeName = dtypeElement.GetString()!;
        var dtype = ParseDType(dtypeName) ?? throw Fail(source, $"tensor '{name}' has dtype '{dtypeName}', which is not supported (F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
        if (!v.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw Fail(source, $"tensor '{name}' has no shape array");
        }

        var shape = new List<long>();
        long count = 1;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0)
            {
                throw Fail(source, $"tensor '{name}' has a shape entry that is not a non-negative integer");
            }

            shape.Add(dim);
            count = count == 0 || dim == 0 ? 0 : (count > long.MaxValue / dim ? throw Fail(source, $"tensor '{name}' has an absurd shape") : count * dim);
        }

        if (shape.Count > 16)
        {
            throw Fail(source, $"tensor '{name}' has {shape.Count} dimensions, more than 16");
        }

        if (!v.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
        {
            throw Fail(source, $"tensor '{name}' has no data_offsets pair");
        }

        if (!offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end) || begin < 0 || end < begin)
        {
            throw Fail(source, $"tensor '{name}' has invalid data_offsets");
        }

        if (end > dataLength)
        {
            throw Fail(source, $"tensor '{name}' data_offsets [{begin}, {end}) run past the {dataLength} bytes of data (truncated or corrupt)");
        }

        int elementSize = ElementSize(dtype);
        if (count > long.MaxValue / elementSize || count * elementSize != end - begin)
        {
            throw Fail(source, string.Create(CultureInfo.InvariantCulture, $"tensor '{name}' ({dtypeName} {TensorShape.Format([.. shape])}) needs {count * elementSize} bytes but its data_offsets span {end - begin}"));
        }

        if (end - begin > int.MaxValue)
        {
            throw Fail(source, $"tensor '{name}' is larger than 2 GiB, which is not supported");
        }

        foreach (var p in v.EnumerateObject())
        {
            if (p.Name is not ("dtype" or "shape" or "data_offsets"))
            {
                throw Fail(source, $"tensor '{name}' has an unknown field '{p.Name}'");
            }
        }

        return new SafeTensorsEntry(name, dtype, shape, begin, end);
    }

    private static CheckpointFormatException Fail(string source, string what, Exception? inner = null)
    {
        string message = $"'{source}' is not a valid safetensors file: {what}.";
        return inner is null ? new CheckpointFormatException(message) : new CheckpointFormatException(message, inner);
    }
}
