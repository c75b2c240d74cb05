using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Generative.Data;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Checkpoints;

/// <summary>
/// Checkpoint directories: <c>config.json</c> (family, options, data standardisation, library version, file hashes) and
/// <c>model.safetensors</c> (every module's parameters and buffers, named <c>module.parameter</c>); trainer checkpoints add
/// the trainer's state beside them. Written atomically; loaded with full validation.
/// </summary>
/// <remarks>
/// <para>A directory given to the loaders may be a checkpoint itself or a checkpointing root holding <c>step-NNNNNNNN</c>
/// checkpoints, in which case the newest valid one is used: a newer one that is corrupt or invalid is skipped with a
/// warning naming it and why (logged to the logger passed, if any), and a root with no valid checkpoint is a
/// <see cref="CheckpointFormatException"/> listing each one's defect.</para>
/// <para>Loading checks everything before allocating a network: every file's SHA-256, every config value's type and
/// range, and the tensors the config implies (names, dtypes, shapes) against the weights file's header and against
/// <see cref="MaxLoadBytes"/>. Thread-safe (no shared state but <see cref="MaxLoadBytes"/>); do not write the same
/// directory from two processes at once.</para>
/// </remarks>
public static class ModelCheckpoint
{
    /// <summary>The default of <see cref="MaxLoadBytes"/>: 1 GiB.</summary>
    public const long DefaultMaxLoadBytes = 1L << 30;

    private static long s_maxLoadBytes = DefaultMaxLoadBytes;

    /// <summary>
    /// The most bytes of weights one load may read into memory: the tensors that a checkpoint's config implies for all
    /// the networks a load builds (a diffusion model's denoiser and EMA copy, a GAN's generator), counted from the
    /// config before anything is allocated. A config implying more is refused with a <see cref="CheckpointFormatException"/>.
    /// Default <see cref="DefaultMaxLoadBytes"/> (1 GiB); raise it once at start-up for larger models. Process-wide.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value set is less than 1.</exception>
    public static long MaxLoadBytes
    {
        get => Volatile.Read(ref s_maxLoadBytes);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1L);
            Volatile.Write(ref s_maxLoadBytes, value);
        }
    }

    /// <summary>The config file's name.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>The weights file's name.</summary>
    public const string ModelFileName = "model.safetensors";

    internal const string StepDirectoryPrefix = "step-";

    /// <summary>Writes <paramref name="modules"/> and their config into <paramref name="directory"/>, atomically (replacing it if present).</summary>
    /// <param name="directory">The checkpoint directory.</param>
    /// <param name="modules">The modules by name.</param>
    /// <param name="family">The model family.</param>
    /// <param name="options">The options that rebuild the model, or <see langword="null"/>.</param>
    /// <param name="standardization">The data standardisation, or <see langword="null"/>.</param>
    /// <param name="step">Training steps completed, 0 when unknown.</param>
    public static void Save(string directory, IReadOnlyDictionary<string, nn.Module> modules, string family, JsonNode? options = null, DataStandardization? standardization = null, long step = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(modules);
        var config = new CheckpointConfig(family, step, [.. modules.Keys], options, standardization);
        AtomicDirectory.Write(directory, temp =>
        {
            WriteModel(temp, modules, family);
            WriteConfig(temp, config);
        });
    }

    /// <summary>Reads and checks the config of the checkpoint in (or newest valid under) <paramref name="directory"/>, and verifies every file's hash.</summary>
    /// <param name="directory">A checkpoint, or a root holding <c>step-*</c> checkpoints.</param>
    /// <param name="logger">Receives a warning for each newer checkpoint skipped as invalid; <see langword="null"/> for none.</param>
    /// <exception cref="CheckpointFormatException">The config is invalid, or a file is missing or altered (for a root: in every checkpoint).</exception>
    /// <exception cref="DirectoryNotFoundException">No checkpoint is there.</exception>
    public static CheckpointConfig ReadConfig(string directory, ILogger? logger = null) => LoadNewestValid(directory, logger, ReadConfigAt);

    /// <summary>Finds the checkpoint directory in <paramref name="directory"/>: itself, or the latest <c>step-*</c> checkpoint under it
    /// (the latest with a <c>config.json</c>, valid or not; the loaders take the newest valid one).</summary>
    /// <param name="directory">A checkpoint, or a root holding <c>step-*</c> checkpoints.</param>
    /// <returns>The full path of the checkpoint directory.</returns>
    /// <exception cref="DirectoryNotFoundException">No checkpoint is there.</exception>
    public static string Resolve(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string? direct = AtomicDirectory.Resolve(directory, ConfigFileName);
        if (direct is not null)
        {
            return direct;
        }

        string full = Path.GetFullPath(directory);
        if (Directory.Exists(full))
        {
            string? latest = ListStepCheckpoints(full).LastOrDefault().Path;
            if (latest is not null)
            {
                return latest;
            }
        }

        throw new DirectoryNotFoundException($"No checkpoint was found in '{full}' (no {ConfigFileName}, and no complete {StepDirectoryPrefix}* checkpoint under it).");
    }

    /// <summary>
    /// Loads the weights of the checkpoint in <paramref name="directory"/> into <paramref name="modules"/>, after checking
    /// that every tensor exists with the same dtype and shape (nothing is copied unless everything matches).
    /// </summary>
    /// <param name="directory">A checkpoint, or a root holding <c>step-*</c> checkpoints.</param>
    /// <param name="modules">The modules by the names they were saved under.</param>
    /// <returns>The checkpoint's config.</returns>
    /// <exception cref="CheckpointFormatException">A file is corrupt, or a tensor is missing, extra, or of another dtype or shape.</exception>
    /// <exception cref="DirectoryNotFoundException">No checkpoint is there.</exception>
    public static CheckpointConfig LoadModules(string directory, IReadOnlyDictionary<string, nn.Module> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        return LoadNewestValid(directory, null, resolved =>
        {
            var config = ReadConfigAt(resolved);
            LoadModel(resolved, modules);
            return config;
        });
    }

    /// <summary>
    /// Runs <paramref name="load"/> on the checkpoint <paramref name="directory"/> is, or else on the <c>step-*</c>
    /// checkpoints under it from the newest, until one loads without a <see cref="CheckpointFormatException"/>; each
    /// skipped one is logged as a warning naming it. <paramref name="load"/> must leave nothing changed when it throws.
    /// </summary>
    internal static T LoadNewestValid<T>(string directory, ILogger? logger, Func<string, T> load)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string? direct = AtomicDirectory.Resolve(directory, ConfigFileName);
        if (direct is not null)
        {
            return load(direct);
        }

        string full = Path.GetFullPath(directory);
        var candidates = Directory.Exists(full) ? ListStepCheckpoints(full).Reverse().ToList() : [];
        if (candidates.Count == 0)
        {
            throw new DirectoryNotFoundException($"No checkpoint was found in '{full}' (no {ConfigFileName}, and no complete {StepDirectoryPrefix}* checkpoint under it).");
        }

        var failures = new List<CheckpointFormatException>();
        foreach (var (_, path) in candidates)
        {
            try
            {
                return load(path);
            }
            catch (CheckpointFormatException e)
            {
                failures.Add(e);
                if (logger is not null)
                {
                    CheckpointLog.SkippedInvalid(logger, path, e.Message, e);
                }
            }
        }

        throw new CheckpointFormatException(
            $"No valid checkpoint under '{full}': all {candidates.Count} {StepDirectoryPrefix}* checkpoints are invalid (newest first): " +
            string.Join(" | ", failures.Select((e, i) => $"{Path.GetFileName(candidates[i].Path)}: {e.Message}")),
            failures[0]);
    }

    /// <summary>Reads and checks the config of the checkpoint directory <paramref name="resolved"/> itself, verifying every file's hash.</summary>
    internal static CheckpointConfig ReadConfigAt(string resolved)
    {
        string path = Path.Combine(resolved, ConfigFileName);
        var info = new FileInfo(path);
        RequireRegularFile(info);
        if (info.Length > 64 << 20)
        {
            throw new CheckpointFormatException($"'{path}' is {info.Length} bytes, too large for a checkpoint config.");
        }

        var config = CheckpointConfig.Parse(File.ReadAllText(path), path);
        foreach (var (file, hash) in config.FileHashes)
        {
            if (file.Contains('/', StringComparison.Ordinal) || file.Contains('\\', StringComparison.Ordinal) || file.StartsWith('.'))
            {
                throw new CheckpointFormatException($"'{path}' lists an invalid file name '{file}'.");
            }

            string filePath = Path.Combine(resolved, file);
            if (!File.Exists(filePath))
            {
                throw new CheckpointFormatException($"The checkpoint '{resolved}' is incomplete: '{file}' is missing.");
            }

            RequireRegularFile(new FileInfo(filePath));
            string actual = HashFile(filePath);
            if (!string.Equals(actual, hash, StringComparison.OrdinalIgnoreCase))
            {
                throw new CheckpointFormatException($"The checkpoint file '{filePath}' is corrupt or was altered: its SHA-256 is {actual}, the config records {hash}.");
            }
        }

        if (!config.FileHashes.ContainsKey(ModelFileName))
        {
            throw new CheckpointFormatException($"'{path}' does not record '{ModelFileName}'.");
        }

        return config;
    }

    /// <summary>Refuses a symbolic link: a checkpoint's files must be its own (a link could point outside, or at an endless device).</summary>
    private static void RequireRegularFile(FileInfo info)
    {
        if (info.LinkTarget is not null || (info.Attributes & FileAttributes.ReparsePoint) != 0)
        {
            throw new CheckpointFormatException($"'{info.FullName}' is a symbolic link (to '{info.LinkTarget}'); a checkpoint's files must be regular files in its directory.");
        }
    }

    internal static void WriteModel(string directory, IReadOnlyDictionary<string, nn.Module> modules, string family)
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, module) in modules)
        {
            ValidateName(name, "module");
            foreach (var (key, t) in module.state_dict())
            {
                tensors[name + "." + key] = t.detach();
            }
        }

        SafeTensors.Save(Path.Combine(directory, ModelFileName), tensors, new Dictionary<string, string> { ["format"] = "pt", ["generative.family"] = family });
    }

    internal static void WriteConfig(string directory, CheckpointConfig config)
    {
        var hashes = Directory.EnumerateFiles(directory)
            .Where(f => Path.GetFileName(f) != ConfigFileName)
            .ToDictionary(f => Path.GetFileName(f), HashFile, StringComparer.Ordinal);
        var withHashes = new CheckpointConfig(config.Family, config.Step, config.Modules, config.Options, config.Standardization) { FileHashes = hashes };
        string path = Path.Combine(directory, ConfigFileName);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        using (var writer = new StreamWriter(stream, leaveOpen: true))
        {
            writer.Write(withHashes.ToJson());
        }

        stream.Flush(flushToDisk: true);
    }

    internal static void LoadModel(string directory, IReadOnlyDictionary<string, nn.Module> modules)
    {
        string path = Path.Combine(directory, ModelFileName);
        using var content = LoadModuleTensors(path, modules);
        CopyInto(content.Tensors, modules, path);
    }

    /// <summary>
    /// Reads the tensors of <paramref name="modules"/> from a weights file into new tensors, after checking the header
    /// against the modules' tensors (names, dtypes, shapes): nothing of another module is read, nothing is allocated for
    /// a file that does not match.
    /// </summary>
    internal static SafeTensorsContent LoadModuleTensors(string path, IReadOnlyDictionary<string, nn.Module> modules)
    {
        var header = SafeTensors.ReadHeader(path);
        var entries = header.Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, module) in modules)
        {
            foreach (var (key, t) in module.state_dict())
            {
                string full = name + "." + key;
                wanted.Add(full);
                if (!entries.TryGetValue(full, out var entry))
                {
                    throw new CheckpointFormatException($"'{path}' has no tensor '{full}' for module '{name}' (was it saved from another architecture?).");
                }

                if (entry.DType != t.dtype || !entry.Shape.SequenceEqual(t.shape))
                {
                    throw new CheckpointFormatException(
                        $"'{path}': tensor '{full}' is {entry.DType} {TensorShape.Format([.. entry.Shape])}, but the model expects {t.dtype} {TensorShape.Format(t.shape)}.");
                }
            }
        }

        return SafeTensors.Load(path, wanted.Contains);
    }

    /// <summary>
    /// Copies <paramref name="saved"/> into <paramref name="modules"/> after checking that every tensor is there with the
    /// module's dtype and shape and that no other tensor of these modules is: nothing is copied unless everything matches.
    /// </summary>
    internal static void CopyInto(IReadOnlyDictionary<string, Tensor> saved, IReadOnlyDictionary<string, nn.Module> modules, string source)
    {
        var targets = new List<(Tensor Target, Tensor Source)>();
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, module) in modules)
        {
            foreach (var (key, t) in module.state_dict())
            {
                string full = name + "." + key;
                expected.Add(full);
                if (!saved.TryGetValue(full, out var s))
                {
                    throw new CheckpointFormatException($"'{source}' has no tensor '{full}' for module '{name}' (was it saved from another architecture?).");
                }

                if (s.dtype != t.dtype || !s.shape.SequenceEqual(t.shape))
                {
                    throw new CheckpointFormatException(
                        $"'{source}': tensor '{full}' is {s.dtype} {TensorShape.Format(s.shape)}, but the model expects {t.dtype} {TensorShape.Format(t.shape)}.");
                }

                targets.Add((t, s));
            }
        }

        var extra = saved.Keys.Where(k => !expected.Contains(k) && modules.Keys.Any(m => k.StartsWith(m + ".", StringComparison.Ordinal))).ToList();
        if (extra.Count > 0)
        {
            throw new CheckpointFormatException($"'{source}' has tensors the model does not: {string.Join(", ", extra.Take(5))}{(extra.Count > 5 ? ", …" : string.Empty)}.");
        }

        using (no_grad())
        using (NewDisposeScope())
        {
            foreach (var (target, s) in targets)
            {
                target.copy_(s);
            }
        }
    }

    internal static IEnumerable<(long Step, string Path)> ListStepCheckpoints(string root)
    {
        if (!Directory.Exists(root))
        {
            return [];
        }

        return Directory.EnumerateDirectories(root, StepDirectoryPrefix + "*")
            .Select(d => (Ok: long.TryParse(Path.GetFileName(d).AsSpan(StepDirectoryPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out long s), Step: s, Path: d))
            .Where(x => x.Ok && File.Exists(Path.Combine(x.Path, ConfigFileName)))
            .Select(x => (x.Step, x.Path))
            .OrderBy(x => x.Step)
            .ToList();
    }

    internal static string StepDirectoryName(long step) => StepDirectoryPrefix + step.ToString("D8", CultureInfo.InvariantCulture);

    internal static void ValidateName(string name, string what)
    {
        if (string.IsNullOrEmpty(name) || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')))
        {
            throw new ArgumentException($"The {what} name '{name}' may hold only ASCII letters, digits, '_', '-' and '.'.");
        }
    }

    internal static string HashFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }
}
