using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Generative.Checkpoints;
using Generative.Diffusion;
using Generative.Gan;
using Generative.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Generative.Tests.Checkpoints.Untrusted;

/// <summary>
/// A seeded fuzz test over model directories and trainer checkpoints (issue #21): a few hundred mutants of eleven kinds,
/// each loaded as a model, into existing modules and (trainer checkpoints) resumed, with a per-load timeout as a hang guard.
/// Only documented outcomes are accepted: a load that succeeds, a <see cref="CheckpointFormatException"/> or a
/// <see cref="DirectoryNotFoundException"/>; a refused load into existing modules or a refused resume must leave them exactly
/// as they were. Costs are checked before allocation by the loaders, so the loads run in this process. Mutants that once
/// failed are kept as explicit cases in <see cref="UntrustedCheckpointTests"/>.
/// </summary>
public sealed class CheckpointFuzzTests : IClassFixture<UntrustedCheckpoints>, IDisposable
{
    public const int Seed = 21;
    public const int MutantsPerKind = 30;

    /// <summary>The hang guard: no single load may take longer (the slowest measured takes milliseconds).</summary>
    private static readonly TimeSpan PerLoadTimeout = TimeSpan.FromSeconds(30);

    private static readonly string[] Kinds =
    [
        "truncation", "byte-flip", "byte-flip-rehashed", "header-length", "header-json", "config-type", "config-size",
        "names-outside", "trainer-state-json", "trainer-state-tensors", "optimizer-state",
    ];

    /// <summary>The config.json mutants of the issue, as (key, JSON or null to remove).</summary>
    private static readonly (string Key, string? Json)[] Regressions =
    [
        ("options.network.options.depth", "1000000"), ("options.network.options.width", "1e9"), ("options.network.options.width", "100000"),
        ("options.network.options.width", "1048576"), ("options.network.options.time_embedding_dimension", "1073741824"),
        ("options.network.options.class_count", "2147483647"), ("options.network.type", "5"), ("options", "[]"), ("options.network", "\"mlp\""),
        ("options.featureNames", "[1, 2]"), ("options.network.features", "2.5"), ("options.network.features", null),
        ("options.hiddenLayers", "1000000"), ("options.hiddenWidth", "1048576"), ("options.classCount", "2147483647"),
    ];

    private readonly UntrustedCheckpoints _pristine;
    private readonly ITestOutputHelper _output;
    private readonly string _dir = Directory.CreateTempSubdirectory("gen-fuzz-").FullName;

    public CheckpointFuzzTests(UntrustedCheckpoints pristine, ITestOutputHelper output)
    {
        _pristine = pristine;
        _output = output;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Mutated_checkpoints_give_only_documented_outcomes_and_nothing_half_loaded()
    {
        var random = new Random(Seed);
        var stats = new FuzzStats();
        using var data = UntrustedCheckpoints.Data();
        using var diffusionRun = DiffusionRun.Create(seed: 31);
        using var diffusionTrainer = diffusionRun.Builder(data).WithSteps(100).Build();
        using var ganRun = GanRun.Create(seed: 33);
        using var ganTrainer = ganRun.Builder(data).WithSteps(100).Build();
        var targets = new List<Target>
        {
            new("diffusion-mlp", _pristine.DiffusionMlp, Family.Diffusion, null, null),
            new("diffusion-unet", _pristine.DiffusionUNet, Family.Diffusion, null, null),
            new("gan-mlp", _pristine.GanMlp, Family.Gan, null, null),
            new("gan-conv", _pristine.GanConv, Family.Gan, null, null),
            new("diffusion-trainer", UntrustedCheckpoints.Latest(_pristine.DiffusionTrainerRoot), Family.Diffusion, diffusionTrainer, diffusionRun.Ema),
            new("gan-trainer", UntrustedCheckpoints.Latest(_pristine.GanTrainerRoot), Family.Gan, ganTrainer, null),
        };

        int index = 0;
        var failures = new List<string>();

        // The mutants that once failed (issue #21: raw exceptions, minutes of allocation, process aborts), first, measured alike.
        foreach (var (key, json) in Regressions)
        {
            var target = targets[key is "options.hiddenLayers" or "options.hiddenWidth" or "options.classCount" ? 2 : 0];
            string dir = UntrustedCheckpoints.Copy(target.Path, Path.Combine(_dir, index.ToString("D4", CultureInfo.InvariantCulture)));
            UntrustedCheckpointTests.SetConfigValue(dir, key, json);
            failures.AddRange(Run(target, dir, "regression", $"#{index++} regression of {target.Name}: config.json {key} = {json ?? "(removed)"}", stats));
            Directory.Delete(dir, recursive: true);
        }

        foreach (string kind in Kinds)
        {
            for (int i = 0; i < MutantsPerKind; i++, index++)
            {
                var candidates = kind.StartsWith("trainer", StringComparison.Ordinal) || kind == "optimizer-state" ? targets.Where(t => t.Trainer is not null).ToList() : targets;
                var target = candidates[random.Next(candidates.Count)];
                string dir = UntrustedCheckpoints.Copy(target.Path, Path.Combine(_dir, index.ToString("D4", CultureInfo.InvariantCulture)));
                string description = $"#{index} {kind} of {target.Name}: " + Mutations.Apply(kind, dir, random);
                foreach (string failure in Run(target, dir, kind, description, stats))
                {
                    failures.Add(failure);
                }

                Directory.Delete(dir, recursive: true);
            }
        }

        _output.WriteLine(stats.Report());
        stats.Mutants.Should().Be((Kinds.Length * MutantsPerKind) + Regressions.Length);
        stats.Refusals.Should().BeGreaterThan(stats.Loads / 2, "most mutants are defects that must be refused, not silently accepted");
        failures.Should().BeEmpty();
    }

    private IEnumerable<string> Run(Target target, string dir, string kind, string description, FuzzStats stats)
    {
        stats.Mutant(kind);
        var outcomes = new List<string>();

        // 1. As a model (a new object: nothing to half-load, but the outcome must be documented).
        outcomes.Add(Load(kind, description, stats, "model", () =>
        {
            using IGenerativeModel model = target.Family == Family.Diffusion ? DiffusionModel.Load(dir) : GanModel.Load(dir);
        }));

        // 2. Into existing modules: a refusal leaves them untouched.
        using (var scope = NewDisposeScope())
        {
            var modules = FreshModules(target);
            string before = Fingerprint(modules);
            string outcome = Load(kind, description, stats, "modules", () => ModelCheckpoint.LoadModules(dir, modules));
            outcomes.Add(outcome);
            if (outcome != "loaded" && Fingerprint(modules) != before)
            {
                yield return $"{description}: a refused LoadModules changed the modules ({outcome})";
            }

            foreach (var module in modules.Values)
            {
                module.Dispose();
            }
        }

        // 3. Resumed by a trainer of the same run: a refusal leaves the trainer exactly as it was.
        if (target.Trainer is not null)
        {
            string before = TrainerFingerprint.Take(target.Trainer, target.Ema);
            string outcome = Load(kind, description, stats, "resume", () => target.Trainer.ResumeFrom(dir));
            outcomes.Add(outcome);
            if (outcome != "loaded" && TrainerFingerprint.Take(target.Trainer, target.Ema) != before)
            {
                yield return $"{description}: a refused resume changed the trainer ({outcome})";
            }
        }

        foreach (string outcome in outcomes.Where(o => o.StartsWith("UNDOCUMENTED", StringComparison.Ordinal) || o == "HANG"))
        {
            yield return $"{description}: {outcome}";
        }
    }

    private static string Load(string kind, string description, FuzzStats stats, string operation, Action load)
    {
        long rssBefore = Memory.ResetPeak();
        var watch = Stopwatch.StartNew();
        var task = Task.Run(() =>
        {
            try
            {
                load();
                return "loaded";
            }
            catch (Exception e) when (e is CheckpointFormatException or DirectoryNotFoundException)
            {
                return e.GetType().Name;
            }
            catch (Exception e)
            {
                return $"UNDOCUMENTED {e.GetType().Name}: {e.Message}";
            }
        });
        string outcome = task.Wait(PerLoadTimeout) ? task.Result : "HANG";
        watch.Stop();
        stats.Outcome(kind, operation, outcome, watch.Elapsed, Memory.Peak() - rssBefore, description);
        return outcome;
    }

    private static Dictionary<string, nn.Module> FreshModules(Target target)
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(target.Path, ModelCheckpoint.ConfigFileName)))!;
        var options = config["options"]!;
        var modules = new Dictionary<string, nn.Module>(StringComparer.Ordinal);
        foreach (string name in config["modules"]!.AsArray().Select(m => m!.GetValue<string>()))
        {
            modules[name] = target.Family == Family.Diffusion
                ? DenoiserRegistry.Default.Create(options["network"]!.AsObject()).Module
                : name == GanTrainingStep.CriticName
                    ? new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2), HiddenWidth = 8, HiddenLayers = 1 })
                    : GeneratorRegistry.Default.Plan(new ConfigValue(options, "config.json", "options")).Create(null).Module;
        }

        return modules;
    }

    private static string Fingerprint(Dictionary<string, nn.Module> modules)
    {
        using var scope = NewDisposeScope();
        return string.Join("\n", modules.SelectMany(m => m.Value.state_dict().Select(p => $"{m.Key}.{p.Key} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(p.Value.contiguous().bytes))}")));
    }

    private enum Family
    {
        Diffusion,
        Gan,
    }

    private sealed record Target(string Name, string Path, Family Family, Trainer? Trainer, ExponentialMovingAverage? Ema);
}

/// <summary>The mutation kinds of the fuzz test; each returns what it did, to reproduce a failure.</summary>
internal static class Mutations
{
    private static readonly string[] NumberPool =
        ["0", "-1", "1", "2", "3", "7", "100000", "1000000", "1073741824", "2147483647", "2147483648", "-2147483648", "9007199254740993", "1e9", "1e300", "-0.5"];

    private static readonly string[] TypePool =
        ["null", "true", "\"\"", "\"mlp\"", "\"unet\"", "\"conv\"", "[]", "{}", "[1, 2]", "[\"a\", \"b\"]", "2.5", "{\"type\": 5}", "\"" + new string('x', 300) + "\""];

    private static readonly string[] EscapingNames =
        ["../model.safetensors", "..", "/etc/passwd", "a/b", "..\\\\x", ".hidden", "model.safetensors/..", "%2e%2e/x", "step-1/../../config.json"];

    public static string Apply(string kind, string dir, Random random) => kind switch
    {
        "truncation" => Truncate(dir, random),
        "byte-flip" => Flip(dir, random, rehash: false),
        "byte-flip-rehashed" => Flip(dir, random, rehash: true),
        "header-length" => HeaderLength(dir, random),
        "header-json" => HeaderJson(dir, random),
        "config-type" => ConfigValue(dir, random, TypePool),
        "config-size" => ConfigValue(dir, random, NumberPool),
        "names-outside" => NamesOutside(dir, random),
        "trainer-state-json" => TrainerStateJson(dir, random),
        "trainer-state-tensors" => TrainerStateTensors(dir, random),
        "optimizer-state" => OptimizerState(dir, random),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static string Pick(Random random, IReadOnlyList<string> items) => items[random.Next(items.Count)];

    private static List<string> Files(string dir, Func<string, bool>? filter = null) =>
        [.. Directory.EnumerateFiles(dir).Select(Path.GetFileName).Where(f => filter is null || filter(f!)).Order(StringComparer.Ordinal).Select(f => f!)];

    private static string Truncate(string dir, Random random)
    {
        string file = Pick(random, Files(dir));
        var bytes = File.ReadAllBytes(Path.Combine(dir, file));
        int length = random.Next(4) switch { 0 => 0, 1 => Math.Max(0, bytes.Length - 1), 2 => Math.Min(bytes.Length - 1, 8), _ => random.Next(bytes.Length) };
        File.WriteAllBytes(Path.Combine(dir, file), bytes[..length]);
        return $"{file} cut from {bytes.Length} to {length} bytes";
    }

    private static string Flip(string dir, Random random, bool rehash)
    {
        string file = Pick(random, Files(dir, f => !rehash || f != ModelCheckpoint.ConfigFileName));
        string path = Path.Combine(dir, file);
        var bytes = File.ReadAllBytes(path);
        var positions = new List<int>();
        for (int n = random.Next(1, 4); n > 0; n--)
        {
            int position = random.Next(bytes.Length);
            bytes[position] ^= (byte)random.Next(1, 256);
            positions.Add(position);
        }

        File.WriteAllBytes(path, bytes);
        if (rehash)
        {
            UntrustedCheckpoints.Rehash(path);
        }

        return $"{file} bytes {string.Join(",", positions)} flipped{(rehash ? ", hash updated" : string.Empty)}";
    }

    private static string HeaderLength(string dir, Random random)
    {
        string file = Pick(random, Files(dir, f => f.EndsWith(".safetensors", StringComparison.Ordinal)));
        string path = Path.Combine(dir, file);
        var bytes = File.ReadAllBytes(path);
        ulong current = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        ulong[] values = [0, 1, 2, 7, current - 1, current + 1, current + 8, (ulong)bytes.Length - 8, (ulong)bytes.Length, 100_000_001, ulong.MaxValue, 1UL << 63, (ulong)random.NextInt64()];
        ulong value = values[random.Next(values.Length)];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        File.WriteAllBytes(path, bytes);
        UntrustedCheckpoints.Rehash(path);
        return $"{file} header length {current} -> {value}, hash updated";
    }

    private static string HeaderJson(string dir, Random random)
    {
        string file = Pick(random, Files(dir, f => f.EndsWith(".safetensors", StringComparison.Ordinal)));
        string path = Path.Combine(dir, file);
        var bytes = File.ReadAllBytes(path);
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, headerLength))!.AsObject();
        var names = header.Select(p => p.Key).Where(k => k != "__metadata__").Order(StringComparer.Ordinal).ToList();
        string name = Pick(random, names);
        var entry = header[name]!.AsObject();
        string what;
        switch (random.Next(9))
        {
            case 0:
                string dtype = Pick(random, ["F64", "F32", "F16", "BF16", "I64", "I32", "U8", "BOOL", "X9", "f32"]);
                what = $"dtype of {name} -> {dtype}";
                entry["dtype"] = dtype;
                break;
            case 1:
                var shape = entry["shape"]!.AsArray();
                string[] edits = ["double", "plus-one", "zero", "negative", "huge", "drop", "add"];
                string edit = Pick(random, edits);
                what = $"shape of {name}: {edit}";
                int at = shape.Count == 0 ? 0 : random.Next(shape.Count);
                switch (edit)
                {
                    case "drop" when shape.Count > 0: shape.RemoveAt(at); break;
                    case "add" or "drop": shape.Add(1); break;
                    default:
                        if (shape.Count == 0)
                        {
                            shape.Add(2);
                            break;
                        }

                        long d = shape[at]!.GetValue<long>();
                        shape[at] = edit switch { "double" => d * 2, "plus-one" => d + 1, "zero" => 0, "negative" => -d, _ => 1L << 40 };
                        break;
                }

                break;
            case 2:
                var offsets = entry["data_offsets"]!.AsArray();
                long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
                (long b, long e) = random.Next(5) switch { 0 => (begin + 1, end + 1), 1 => (end, begin), 2 => (begin, long.MaxValue), 3 => (-1, end), _ => (begin, end - 1) };
                what = $"data_offsets of {name} -> [{b}, {e}]";
                entry["data_offsets"] = new JsonArray(b, e);
                break;
            case 3:
                string renamed = Pick(random, ["../" + name, string.Empty, "__metadata__", names[0], name + ".extra", "x"]);
                what = $"{name} renamed to '{renamed}'";
                header.Remove(name);
                if (renamed.Length > 0 && !header.ContainsKey(renamed))
                {
                    header[renamed] = entry;
                }
                else
                {
                    header["a" + renamed] = entry;
                }

                break;
            case 4:
                what = $"{name} removed from the header";
                header.Remove(name);
                break;
            case 5:
                what = $"entry of {name} replaced by a string";
                header[name] = "tensor";
                break;
            case 6:
                what = "__metadata__ holds a number";
                header["__metadata__"] = new JsonObject { ["format"] = 5 };
                break;
            case 7:
                what = $"{name} has an extra field";
                entry["device"] = "cuda";
                break;
            default:
                what = $"shape of {name} holds a string";
                entry["shape"] = new JsonArray("8");
                break;
        }

        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        var result = new byte[8 + padded + (bytes.Length - 8 - headerLength)];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)padded);
        json.CopyTo(result, 8);
        result.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        bytes.AsSpan(8 + headerLength).CopyTo(result.AsSpan(8 + padded));
        File.WriteAllBytes(path, result);
        UntrustedCheckpoints.Rehash(path);
        return $"{file} header: {what}, hash updated";
    }

    private static string ConfigValue(string dir, Random random, IReadOnlyList<string> pool)
    {
        string path = Path.Combine(dir, ModelCheckpoint.ConfigFileName);
        var root = JsonNode.Parse(File.ReadAllText(path))!;
        var nodes = new List<(JsonNode Parent, string? Key, int Index, string Path)>();
        Collect(root, "", nodes);
        var (parent, key, index, nodePath) = nodes[random.Next(nodes.Count)];
        string value = random.Next(8) == 0 ? "(removed)" : Pick(random, pool);
        if (value == "(removed)" && key is not null)
        {
            parent.AsObject().Remove(key);
        }
        else if (key is not null)
        {
            parent[key] = value == "(removed)" ? null : JsonNode.Parse(value);
        }
        else
        {
            parent[index] = value == "(removed)" ? null : JsonNode.Parse(value);
        }

        File.WriteAllText(path, root.ToJsonString());
        return $"config.json {nodePath} = {(value.Length > 40 ? value[..40] + "…" : value)}";
    }

    private static void Collect(JsonNode node, string path, List<(JsonNode Parent, string? Key, int Index, string Path)> nodes)
    {
        if (node is JsonObject o)
        {
            foreach (var (k, v) in o.ToList())
            {
                if (k == "files")
                {
                    continue; // file names and hashes: the names-outside kind and the hash checks
                }

                nodes.Add((o, k, -1, path + "." + k));
                if (v is not null)
                {
                    Collect(v, path + "." + k, nodes);
                }
            }
        }
        else if (node is JsonArray a)
        {
            for (int i = 0; i < a.Count; i++)
            {
                nodes.Add((a, null, i, $"{path}[{i}]"));
                if (a[i] is { } v)
                {
                    Collect(v, $"{path}[{i}]", nodes);
                }
            }
        }
    }

    private static string NamesOutside(string dir, Random random)
    {
        string path = Path.Combine(dir, ModelCheckpoint.ConfigFileName);
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var files = root["files"]!.AsObject();
        string name = Pick(random, EscapingNames);
        string what;
        switch (random.Next(4))
        {
            case 3:
                string linked = Pick(random, Files(dir));
                string outside = Pick(random, ["/dev/zero", "/etc/hostname", Path.Combine(Path.GetDirectoryName(dir)!, "..", "elsewhere")]);
                File.Delete(Path.Combine(dir, linked));
                File.CreateSymbolicLink(Path.Combine(dir, linked), outside);
                return $"{linked} replaced by a symbolic link to {outside}";
            case 0:
                string existing = Pick(random, files.Select(p => p.Key).Order(StringComparer.Ordinal).ToList());
                var hash = files[existing]!.GetValue<string>();
                files.Remove(existing);
                files[name] = hash;
                what = $"files entry '{existing}' renamed to '{name}'";
                break;
            case 1:
                files[name] = new string('0', 64);
                what = $"files entry '{name}' added";
                break;
            default:
                var modules = root["modules"]!.AsArray();
                modules[random.Next(modules.Count)] = name;
                what = $"a module renamed to '{name}'";
                break;
        }

        File.WriteAllText(path, root.ToJsonString());
        return what;
    }

    private static string TrainerStateJson(string dir, Random random)
    {
        string path = Path.Combine(dir, Trainer.StateJsonFileName);
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        string key = Pick(random, root.Select(p => p.Key).Order(StringComparer.Ordinal).ToList());
        string value = random.Next(2) == 0 ? Pick(random, NumberPool) : Pick(random, TypePool);
        if (random.Next(8) == 0)
        {
            root.Remove(key);
            value = "(removed)";
        }
        else
        {
            root[key] = JsonNode.Parse(value);
        }

        File.WriteAllText(path, root.ToJsonString());
        UntrustedCheckpoints.Rehash(path);
        return $"trainer_state.json {key} = {(value.Length > 40 ? value[..40] + "…" : value)}, hash updated";
    }

    private static string TrainerStateTensors(string dir, Random random)
    {
        string path = Path.Combine(dir, Trainer.StateTensorsFileName);
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using (var content = SafeTensors.Load(path))
        {
            foreach (var (n, t) in content.Tensors)
            {
                tensors[n] = t.clone();
            }
        }

        string name = Pick(random, tensors.Keys.Order(StringComparer.Ordinal).ToList());
        var tensor = tensors[name];
        string what;
        switch (random.Next(6))
        {
            case 0 when tensor.is_floating_point() && tensor.numel() > 0:
                tensor.view(-1)[random.Next((int)tensor.numel())].fill_(random.Next(2) == 0 ? double.NaN : double.PositiveInfinity);
                what = $"{name}: a non-finite value";
                break;
            case 1 when tensor.numel() > 0:
                long value = long.Parse(Pick(random, ["-1", "48", "1000000", "624", "625", "0"]), CultureInfo.InvariantCulture);
                if (tensor.dtype == ScalarType.Byte)
                {
                    value &= 0xFF; // the generator state's bytes
                }

                tensor.view(-1)[random.Next((int)tensor.numel())].fill_(value);
                what = $"{name}: an element set to {value}";
                break;
            case 2 when tensor.numel() > 1:
                tensors[name] = tensor.view(-1).narrow(0, 0, tensor.numel() - 1).clone();
                what = $"{name}: one element shorter";
                break;
            case 3:
                tensors[name] = tensor.to_type(tensor.dtype == ScalarType.Float64 ? ScalarType.Float32 : ScalarType.Float64);
                what = $"{name}: dtype changed";
                break;
            case 4:
                tensors.Remove(name);
                what = $"{name}: removed";
                break;
            default:
                tensors[name + ".extra"] = torch.zeros(3);
                what = $"{name}.extra: added";
                break;
        }

        SafeTensors.Save(path, tensors);
        UntrustedCheckpoints.Rehash(path);
        return $"trainer_state.safetensors {what}, hash updated";
    }

    private static string OptimizerState(string dir, Random random)
    {
        string file = Pick(random, Files(dir, f => f.StartsWith("optimizer.", StringComparison.Ordinal)));
        string path = Path.Combine(dir, file);
        var bytes = File.ReadAllBytes(path);
        string what;
        switch (random.Next(5))
        {
            case 0:
                int at = random.Next(bytes.Length / 3, bytes.Length - 4);
                float value = random.Next(3) switch { 0 => float.NaN, 1 => float.PositiveInfinity, _ => float.NegativeInfinity };
                BitConverter.GetBytes(value).CopyTo(bytes, at);
                what = $"{value} written at byte {at}";
                break;
            case 1:
                int position = random.Next(Math.Min(64, bytes.Length));
                bytes[position] ^= (byte)random.Next(1, 256);
                what = $"byte {position} of the header flipped";
                break;
            case 2:
                int cut = random.Next(bytes.Length);
                bytes = bytes[..cut];
                what = $"cut to {cut} bytes";
                break;
            case 3:
                bytes = [.. bytes, .. new byte[random.Next(1, 64)]];
                what = "bytes appended";
                break;
            default:
                int p = random.Next(bytes.Length);
                bytes[p] ^= (byte)random.Next(1, 256);
                what = $"byte {p} flipped";
                break;
        }

        File.WriteAllBytes(path, bytes);
        UntrustedCheckpoints.Rehash(path);
        return $"{file} {what}, hash updated";
    }
}

/// <summary>The process's resident memory, from /proc (Linux); 0 elsewhere.</summary>
internal static class Memory
{
    /// <summary>Resets the peak resident size (VmHWM) to the current one and returns the current resident size, in bytes.</summary>
    public static long ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return Read("VmRSS:");
    }

    /// <summary>The peak resident size since the last reset, in bytes.</summary>
    public static long Peak() => Read("VmHWM:");

    private static long Read(string key)
    {
        if (!File.Exists("/proc/self/status"))
        {
            return 0;
        }

        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}

/// <summary>Counts of the fuzz test's mutants and outcomes, and the slowest and most memory-hungry refused load.</summary>
internal sealed class FuzzStats
{
    private readonly Dictionary<string, int> _mutants = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Kind, string Outcome), int> _outcomes = [];
    private (TimeSpan Time, string What) _slowestRefusal;
    private (long Bytes, string What) _hungriestRefusal;

    public int Mutants => _mutants.Values.Sum();

    public int Loads { get; private set; }

    public int Refusals { get; private set; }

    public void Mutant(string kind) => _mutants[kind] = _mutants.GetValueOrDefault(kind) + 1;

    public void Outcome(string kind, string operation, string outcome, TimeSpan time, long peakGrowth, string description)
    {
        Loads++;
        string key = operation + " " + (outcome.StartsWith("UNDOCUMENTED", StringComparison.Ordinal) ? outcome.Split(':')[0] : outcome);
        _outcomes[(kind, key)] = _outcomes.GetValueOrDefault((kind, key)) + 1;
        if (outcome == "loaded")
        {
            return;
        }

        Refusals++;
        if (time > _slowestRefusal.Time)
        {
            _slowestRefusal = (time, $"{operation} of {description}");
        }

        if (peakGrowth > _hungriestRefusal.Bytes)
        {
            _hungriestRefusal = (peakGrowth, $"{operation} of {description}");
        }
    }

    public string Report()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Checkpoint fuzz, seed {CheckpointFuzzTests.Seed}: {Mutants} mutants, {Loads} loads, {Refusals} refused");
        foreach (var (kind, count) in _mutants)
        {
            var outcomes = _outcomes.Where(p => p.Key.Kind == kind).OrderBy(p => p.Key.Outcome, StringComparer.Ordinal).Select(p => $"{p.Key.Outcome} {p.Value}");
            text.AppendLine(CultureInfo.InvariantCulture, $"  {kind,-22} {count,3} mutants: {string.Join(", ", outcomes)}");
        }

        var totals = _outcomes.GroupBy(p => p.Key.Outcome.Split(' ')[1]).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Sum(p => p.Value)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  all outcomes: {string.Join(", ", totals)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  slowest refused load: {_slowestRefusal.Time.TotalMilliseconds:F1} ms ({_slowestRefusal.What})");
        text.AppendLine(CultureInfo.InvariantCulture, $"  largest peak-RSS growth of a refused load: {_hungriestRefusal.Bytes / 1024.0 / 1024.0:F1} MiB ({_hungriestRefusal.What})");
        return text.ToString();
    }
}
