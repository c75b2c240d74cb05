using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Checkpoints;

/// <summary>
/// The tensors (names, dtypes, shapes) a network described by a checkpoint's config will have, checked one by one as a
/// network type's reader declares them against the entries of a safetensors header and against a byte budget: so that a
/// config whose network does not match its weights file, or that would need more than <see cref="ModelCheckpoint.MaxLoadBytes"/>,
/// is refused before any network is allocated.
/// </summary>
/// <remarks>Element counts are computed with overflow checks; a declaration stops at the first tensor that is missing,
/// of another dtype or shape, or over the budget, so a config implying millions of layers costs no more than the file's
/// header has entries.</remarks>
internal sealed class ExpectedTensors
{
    private readonly Dictionary<string, SafeTensorsEntry>? _saved;
    private readonly string _weightsFile;
    private readonly string _configFile;
    private readonly string _configKey;
    private readonly string _prefix;
    private readonly LoadBudget? _budget;
    private readonly HashSet<string> _declared = new(StringComparer.Ordinal);

    /// <summary>Starts a declaration.</summary>
    /// <param name="header">The weights file's header.</param>
    /// <param name="weightsFile">The weights file (for messages).</param>
    /// <param name="prefix">The prefix of the network's tensors in the file (<c>"denoiser."</c>).</param>
    /// <param name="configFile">The config (for messages).</param>
    /// <param name="configKey">The key of the network's description in the config (for messages).</param>
    /// <param name="budget">The bytes this load may still allocate.</param>
    public ExpectedTensors(SafeTensorsHeader? header, string weightsFile, string prefix, string configFile, string configKey, LoadBudget? budget)
    {
        _saved = header?.Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        _weightsFile = weightsFile;
        _prefix = prefix;
        _configFile = configFile;
        _configKey = configKey;
        _budget = budget;
    }

    /// <summary>
    /// Checks a network's declaration in two passes: first its size alone against <paramref name="budget"/> (so that the
    /// message is about the cost, whatever the file holds), then each tensor against the weights file's header.
    /// </summary>
    public static void Check(Action<ExpectedTensors> declare, SafeTensorsHeader header, string weightsFile, string prefix, string configFile, string configKey, LoadBudget budget)
    {
        declare(new ExpectedTensors(null, weightsFile, prefix, configFile, configKey, budget));
        var compare = new ExpectedTensors(header, weightsFile, prefix, configFile, configKey, null);
        declare(compare);
        compare.Finish();
    }

    /// <summary>The names declared so far, without the prefix.</summary>
    public IReadOnlyCollection<string> Names => _declared;

    /// <summary>Declares a float32 tensor.</summary>
    public void Add(string name, params long[] shape) => Add(name, ScalarType.Float32, shape);

    /// <summary>Declares a tensor and checks it against the budget and the weights file.</summary>
    public void Add(string name, ScalarType dtype, params long[] shape)
    {
        long bytes = SafeTensors.ElementSize(dtype);
        foreach (long d in shape)
        {
            if (d < 0)
            {
                throw new CheckpointFormatException($"'{_configFile}': the network under '{_configKey}' implies tensor '{name}' of shape {TensorShape.Format(shape)}, which has a negative size.");
            }

            bytes = d == 0 || bytes == 0 ? 0 : (bytes > long.MaxValue / d ? long.MaxValue : bytes * d);
        }

        if (_saved is null)
        {
            _budget?.Take(bytes, () => $"'{_configFile}': the network under '{_configKey}' implies tensor '{name}' {TensorShape.Format(shape)}");
            return;
        }

        string full = _prefix + name;
        if (!_saved.TryGetValue(full, out var entry))
        {
            throw new CheckpointFormatException(
                $"'{_configFile}': the network under '{_configKey}' has a tensor '{full}' {dtype} {TensorShape.Format(shape)}, but '{_weightsFile}' has none (the config and the weights do not match).");
        }

        if (entry.DType != dtype || !entry.Shape.SequenceEqual(shape))
        {
            throw new CheckpointFormatException(
                $"'{_configFile}': the network under '{_configKey}' has tensor '{full}' as {dtype} {TensorShape.Format(shape)}, but '{_weightsFile}' holds it as {entry.DType} {TensorShape.Format([.. entry.Shape])} (the config and the weights do not match).");
        }

        if (!_declared.Add(name))
        {
            throw new InvalidOperationException($"The tensor '{name}' was declared twice."); // a bug in a network type's reader, not a file defect
        }
    }

    /// <summary>Declares a <c>Linear</c> layer's weight [out, in] and bias [out].</summary>
    public void Linear(string name, long inFeatures, long outFeatures, bool bias = true)
    {
        Add(name + ".weight", outFeatures, inFeatures);
        if (bias)
        {
            Add(name + ".bias", outFeatures);
        }
    }

    /// <summary>Declares a <c>Conv2d</c> layer's weight [out, in, k, k] and bias [out].</summary>
    public void Conv2d(string name, long inChannels, long outChannels, long kernel, bool bias = true)
    {
        Add(name + ".weight", outChannels, inChannels, kernel, kernel);
        if (bias)
        {
            Add(name + ".bias", outChannels);
        }
    }

    /// <summary>Declares a <c>ConvTranspose2d</c> layer's weight [in, out, k, k] and bias [out].</summary>
    public void ConvTranspose2d(string name, long inChannels, long outChannels, long kernel, bool bias = true)
    {
        Add(name + ".weight", inChannels, outChannels, kernel, kernel);
        if (bias)
        {
            Add(name + ".bias", outChannels);
        }
    }

    /// <summary>Declares a LayerNorm's or GroupNorm's weight and bias [channels].</summary>
    public void Norm(string name, long channels)
    {
        Add(name + ".weight", channels);
        Add(name + ".bias", channels);
    }

    /// <summary>Declares a BatchNorm2d's weight, bias, running statistics [channels] and int64 batch counter [].</summary>
    public void BatchNorm(string name, long channels)
    {
        Norm(name, channels);
        Add(name + ".running_mean", channels);
        Add(name + ".running_var", channels);
        Add(name + ".num_batches_tracked", ScalarType.Int64);
    }

    /// <summary>Declares an Embedding's weight [count, dimension].</summary>
    public void Embedding(string name, long count, long dimension) => Add(name + ".weight", count, dimension);

    /// <summary>Checks that the weights file holds no other tensor under the prefix.</summary>
    public void Finish()
    {
        if (_saved is null)
        {
            return;
        }

        var extra = _saved.Keys.Where(k => k.StartsWith(_prefix, StringComparison.Ordinal) && !_declared.Contains(k[_prefix.Length..])).Take(6).ToList();
        if (extra.Count > 0)
        {
            throw new CheckpointFormatException(
                $"'{_weightsFile}' has tensors that the network under '{_configKey}' of '{_configFile}' does not: {string.Join(", ", extra.Take(5))}{(extra.Count > 5 ? ", …" : string.Empty)}.");
        }
    }
}

/// <summary>The bytes of tensors one load may still allocate (<see cref="ModelCheckpoint.MaxLoadBytes"/> at its start).</summary>
internal sealed class LoadBudget
{
    private readonly long _limit;
    private long _used;

    public LoadBudget(long limit) => _limit = limit;

    /// <summary>Counts <paramref name="bytes"/> more; fails when the total exceeds the limit.</summary>
    public void Take(long bytes, Func<string> what)
    {
        if (bytes > _limit - _used)
        {
            throw new CheckpointFormatException(string.Create(
                CultureInfo.InvariantCulture,
                $"{what()}: loading it would need more than {_limit} bytes of weights (ModelCheckpoint.MaxLoadBytes; {_used} already counted, this tensor {(bytes == long.MaxValue ? "more than 2^63" : bytes.ToString(CultureInfo.InvariantCulture))}). Raise ModelCheckpoint.MaxLoadBytes if the model is really that large."));
        }

        _used += bytes;
    }
}
