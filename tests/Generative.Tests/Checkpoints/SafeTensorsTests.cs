using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Generative.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Checkpoints;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gen-st-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static string ReferenceDirectory([CallerFilePath] string path = "") => Path.Combine(Path.GetDirectoryName(path)!, "reference");

    /// <summary>The tensors of safetensors_reference.py's interop_set().</summary>
    private static Dictionary<string, Tensor> InteropSet() => new()
    {
        ["f32"] = (arange(6, dtype: ScalarType.Float32).reshape(2, 3) * 0.5) - 1,
        ["f64"] = tensor(new[] { 1.0 / 3, -2.5, 1e300 }, ScalarType.Float64),
        ["f16"] = tensor(new float[] { 0.5f, -1.25f, 65504f, 0.0009765625f }).reshape(2, 2).to_type(ScalarType.Float16),
        ["bf16"] = tensor(new float[] { 1.5f, -2f, 3.140625f }).to_type(ScalarType.BFloat16),
        ["i64"] = tensor(new long[] { -9007199254740993, 42 }),
        ["i32"] = tensor(new int[] { -7, int.MaxValue }).reshape(2, 1),
        ["i16"] = tensor(new short[] { short.MinValue, short.MaxValue }),
        ["i8"] = tensor(new sbyte[] { sbyte.MinValue, sbyte.MaxValue }),
        ["u8"] = tensor(new byte[] { 0, 1, 128, 255 }),
        ["bool"] = tensor(new[] { true, false, true }),
        ["empty"] = zeros(0, 4),
        ["scalar"] = tensor(2.5f),
    };

    private static readonly Dictionary<string, string> InteropMetadata = new() { ["format"] = "pt", ["source"] = "generative-interop" };

    [Fact]
    public void Writes_byte_for_byte_what_the_python_reference_writer_writes()
    {
        // reference/pytorch_interop.safetensors was written by `safetensors_reference.py write-interop` from PyTorch
        // tensors and read back by its checker ("OK 12 tensors equal").
        using var scope = NewDisposeScope();
        string path = Path.Combine(_dir, "ours.safetensors");
        SafeTensors.Save(path, InteropSet(), InteropMetadata);
        File.ReadAllBytes(path).Should().Equal(File.ReadAllBytes(Path.Combine(ReferenceDirectory(), "pytorch_interop.safetensors")));
    }

    [Fact]
    public void Reads_the_file_written_by_pytorch_with_every_dtype()
    {
        using var scope = NewDisposeScope();
        using var content = SafeTensors.Load(Path.Combine(ReferenceDirectory(), "pytorch_interop.safetensors"));
        content.Metadata.Should().Equal(InteropMetadata);
        var expected = InteropSet();
        content.Tensors.Keys.Should().BeEquivalentTo(expected.Keys);
        foreach (var (name, t) in expected)
        {
            var got = content.Tensors[name];
            got.dtype.Should().Be(t.dtype, name);
            got.shape.Should().Equal(t.shape, name);
            got.equal(t).all().item<bool>().Should().BeTrue(name);
        }
    }

    [SkippableFact]
    public void Files_we_write_load_in_pytorch()
    {
        // Without Debian's python3-torch the byte-identity test above still ties our writer to the reference.
        Skip.IfNot(PythonTorch.IsAvailable, "Debian's python3-torch (/usr/bin/python3 with torch) is not installed.");

        using var scope = NewDisposeScope();
        string path = Path.Combine(_dir, "ours.safetensors");
        SafeTensors.Save(path, InteropSet(), InteropMetadata);
        PythonTorch.Run(Path.Combine(ReferenceDirectory(), "safetensors_reference.py"), "check-interop", path).Should().Contain("OK 12 tensors equal");
    }

    [Fact]
    public void Round_trips_a_module_state_exactly()
    {
        using var scope = NewDisposeScope();
        using var module = nn.Sequential(nn.Linear(5, 7), nn.LayerNorm(7), nn.Linear(7, 2));
        string path = Path.Combine(_dir, "m.safetensors");
        var state = module.state_dict();
        SafeTensors.Save(path, state);
        using var content = SafeTensors.Load(path);
        foreach (var (name, t) in state)
        {
            content.Tensors[name].equal(t).all().item<bool>().Should().BeTrue(name);
        }
    }

    [Fact]
    public void Every_truncation_of_a_valid_file_is_rejected_with_a_clear_exception()
    {
        byte[] valid = File.ReadAllBytes(Path.Combine(ReferenceDirectory(), "pytorch_interop.safetensors"));
        for (int length = 0; length < valid.Length; length++)
        {
            using var stream = new MemoryStream(valid, 0, length);
            var act = () => SafeTensors.Load(stream, $"prefix-{length}").Dispose();
            act.Should().Throw<CheckpointFormatException>($"a {length}-byte prefix is truncated").Which.Message.Should().Contain($"prefix-{length}");
        }
    }

    [Fact]
    public void Random_mutations_either_load_or_fail_cleanly_never_crash()
    {
        byte[] valid = File.ReadAllBytes(Path.Combine(ReferenceDirectory(), "pytorch_interop.safetensors"));
        var random = new Random(11);
        int rejected = 0;
        for (int trial = 0; trial < 2000; trial++)
        {
            byte[] mutated = (byte[])valid.Clone();
            int flips = random.Next(1, 4);
            for (int i = 0; i < flips; i++)
            {
                // Mostly in the length field and the header, where structure lives.
                int at = random.Next(0, random.Next(2) == 0 ? 600 : mutated.Length);
                mutated[at] = (byte)random.Next(256);
            }

            using var stream = new MemoryStream(mutated);
            try
            {
                SafeTensors.Load(stream, "mutated").Dispose();
            }
            catch (CheckpointFormatException)
            {
                rejected++;
            }
        }

        rejected.Should().BeGreaterThan(500);
    }

    [Theory]
    [InlineData("absurd-length", "more than the 100000000 accepted")]
    [InlineData("length-past-end", "runs past the end")]
    [InlineData("not-json", "not valid JSON")]
    [InlineData("json-array", "not an object")]
    [InlineData("overlap", "overlaps")]
    [InlineData("gap", "gap of unclaimed bytes")]
    [InlineData("offset-past-data", "run past the")]
    [InlineData("size-mismatch", "needs 8 bytes but its data_offsets span 4")]
    [InlineData("unknown-dtype", "'C64', which is not supported")]
    [InlineData("duplicate", "names 'a' twice")]
    [InlineData("negative-dim", "not a non-negative integer")]
    [InlineData("bad-bool", "bytes other than 0 and 1")]
    [InlineData("trailing", "trailing bytes")]
    [InlineData("metadata-number", "is not a string")]
    public void Structural_defects_are_named_in_the_exception(string defect, string message)
    {
        byte[] bytes = defect switch
        {
            "absurd-length" => WithLength(ulong.MaxValue - 3, "{}"),
            "length-past-end" => WithLength(1000, "{}"),
            "not-json" => Make("{\"a\":{\"dtype\":\"F32\",", 0),
            "json-array" => Make("[1,2]", 0),
            "overlap" => Make("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8),
            "gap" => Make("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8),
            "offset-past-data" => Make("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8),
            "size-mismatch" => Make("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4),
            "unknown-dtype" => Make("{\"a\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8),
            "duplicate" => Make("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2),
            "negative-dim" => Make("{\"a\":{\"dtype\":\"U8\",\"shape\":[-1],\"data_offsets\":[0,1]}}", 1),
            "bad-bool" => Make("{\"a\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2, fill: 2),
            "trailing" => Make("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 5),
            "metadata-number" => Make("{\"__metadata__\":{\"x\":1}}", 0),
            _ => throw new ArgumentOutOfRangeException(nameof(defect)),
        };
        using var stream = new MemoryStream(bytes);
        var act = () => SafeTensors.Load(stream, defect).Dispose();
        act.Should().Throw<CheckpointFormatException>().WithMessage($"*{message}*");
    }

    private static byte[] Make(string header, int dataLength, byte fill = 0)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataLength];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        bytes.AsSpan(8 + json.Length).Fill(fill);
        return bytes;
    }

    private static byte[] WithLength(ulong length, string header)
    {
        byte[] bytes = Make(header, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, length);
        return bytes;
    }
}

/// <summary>Runs Debian's /usr/bin/python3 with torch, when installed.</summary>
internal static class PythonTorch
{
    private const string Python = "/usr/bin/python3";

    public static bool IsAvailable { get; } = Probe();

    public static string Run(params string[] args)
    {
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.Should().Be(0, error);
        return output;
    }

    private static bool Probe()
    {
        if (!File.Exists(Python))
        {
            return false;
        }

        try
        {
            var info = new ProcessStartInfo(Python, ["-c", "import torch"]) { RedirectStandardError = true };
            using var process = Process.Start(info)!;
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
