using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Generative.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Training;

public sealed partial class Trainer
{
    internal const string StateJsonFileName = "trainer_state.json";
    internal const string StateTensorsFileName = "trainer_state.safetensors";
    private const string GeneratorKey = "generator";
    private const string PermutationKey = "data.permutation";
    private long _lastCheckpointStep = -1;

    /// <summary>
    /// Writes a full checkpoint (config, weights, optimiser states, generator, data order, callback states) into
    /// <paramref name="directory"/>, atomically: the previous content stays loadable until the new one is complete.
    /// </summary>
    /// <param name="directory">The checkpoint directory (replaced if it exists).</param>
    public void SaveCheckpoint(string directory)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string full = Path.GetFullPath(directory);
        AtomicDirectory.Write(full, WriteContent);
        LastCheckpoint = full;
        _lastCheckpointStep = CompletedSteps;
        TrainerLog.CheckpointWritten(Logger, CompletedSteps, full);
    }

    /// <summary>
    /// Restores the full state written by <see cref="SaveCheckpoint"/> (or by checkpointing) so that <see cref="Run"/>
    /// continues exactly where that run was: weights, optimiser states, step counter, generator, data order and the
    /// states of the callbacks that have one.
    /// </summary>
    /// <param name="directory">A checkpoint, or a checkpointing root (its latest complete checkpoint is used).</param>
    /// <exception cref="CheckpointFormatException">The checkpoint is corrupt, or was written for another family, architecture, data set or set of callbacks.</exception>
    /// <exception cref="DirectoryNotFoundException">No checkpoint is there.</exception>
    public void ResumeFrom(string directory)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var config = ModelCheckpoint.ReadConfig(directory, out string resolved);
        if (!string.Equals(config.Family, TrainingStep.Family, StringComparison.Ordinal))
        {
            throw new CheckpointFormatException($"The checkpoint '{resolved}' is of family '{config.Family}', but the training step is '{TrainingStep.Family}'.");
        }

        var missing = TrainingStep.Modules.Keys.Except(config.Modules).ToList();
        var extra = config.Modules.Except(TrainingStep.Modules.Keys).ToList();
        if (missing.Count > 0 || extra.Count > 0)
        {
            throw new CheckpointFormatException(
                $"The checkpoint '{resolved}' holds modules [{string.Join(", ", config.Modules)}], but the training step has [{string.Join(", ", TrainingStep.Modules.Keys)}].");
        }

        var state = ReadStateJson(resolved);
        long dataCount = Required<long>(state, "dataCount", resolved);
        if (dataCount != _data.Count)
        {
            throw new CheckpointFormatException($"The checkpoint '{resolved}' was trained on {dataCount} samples, but the data source has {_data.Count}; resume with the same data.");
        }

        int batchSize = Required<int>(state, "batchSize", resolved);
        string lastBatch = state["lastBatch"]?.GetValue<string>() ?? nameof(Data.LastBatchPolicy.Drop);
        if (batchSize != Options.BatchSize || !string.Equals(lastBatch, Options.LastBatch.ToString(), StringComparison.Ordinal))
        {
            throw new CheckpointFormatException(
                $"The checkpoint '{resolved}' was trained with batches of {batchSize} ({lastBatch} the last), but this trainer uses {Options.BatchSize} ({Options.LastBatch}); " +
                "resume with the same batch size and policy, or load only the weights with ModelCheckpoint.LoadModules.");
        }

        var optimizerNames = (state["optimizers"] as JsonArray)?.Select(n => n?.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : string.Empty).ToHashSet(StringComparer.Ordinal) ?? [];
        if (!optimizerNames.SetEquals(TrainingStep.Optimizers.Keys))
        {
            throw new CheckpointFormatException(
                $"The checkpoint '{resolved}' holds optimizers [{string.Join(", ", optimizerNames)}], but the training step has [{string.Join(", ", TrainingStep.Optimizers.Keys)}].");
        }

        using var tensors = SafeTensors.Load(Path.Combine(resolved, StateTensorsFileName));
        var stateful = _callbacks.OfType<ICheckpointedState>().ToList();
        foreach (var callback in stateful)
        {
            if (!tensors.Tensors.Keys.Any(k => k.StartsWith(CallbackPrefix(callback), StringComparison.Ordinal)))
            {
                throw new CheckpointFormatException($"The checkpoint '{resolved}' has no state for the callback '{callback.StateKey}'; add the same callbacks as the run that wrote it.");
            }
        }

        if (!tensors.Tensors.TryGetValue(GeneratorKey, out var generatorState) || generatorState.dtype != ScalarType.Byte)
        {
            throw new CheckpointFormatException($"The checkpoint '{resolved}' has no generator state.");
        }

        CheckGeneratorState(generatorState, resolved);
        if (!tensors.Tensors.TryGetValue(PermutationKey, out var permutation) || permutation.dtype != ScalarType.Int64 || permutation.dim() != 1)
        {
            throw new CheckpointFormatException($"The checkpoint '{resolved}' has no data order.");
        }

        ModelCheckpoint.LoadModel(resolved, TrainingStep.Modules);
        foreach (var (name, optimizer) in TrainingStep.Optimizers)
        {
            string path = Path.Combine(resolved, OptimizerFileName(name));
            try
            {
                using var stream = File.OpenRead(path);
                using var reader = new BinaryReader(stream);
                Helper(name, optimizer).load_state_dict(reader);
            }
            catch (Exception e) when (e is IOException or ArgumentException or InvalidDataException or InvalidOperationException)
            {
                throw new CheckpointFormatException($"The optimizer state '{path}' cannot be loaded into the '{name}' optimizer: {e.Message}", e);
            }
        }

        try
        {
            _generator.set_state(generatorState);
            _order.SetState(Required<int>(state, "epoch", resolved), Required<long>(state, "position", resolved), permutation.data<long>().ToArray());
            foreach (var callback in stateful)
            {
                string prefix = CallbackPrefix(callback);
                callback.LoadState(tensors.Tensors.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(p => p.Key[prefix.Length..], p => p.Value, StringComparer.Ordinal));
            }

            CompletedSteps = Required<long>(state, "completedSteps", resolved);
            RollBackLearningRateMultiplier = Required<double>(state, "rollBackLearningRateMultiplier", resolved);
            RollBackCount = Required<int>(state, "rollBackCount", resolved);
        }
        catch (Exception e) when (e is InvalidOperationException or System.Runtime.InteropServices.ExternalException)
        {
            throw new CheckpointFormatException($"The trainer state of '{resolved}' is invalid: {e.Message}", e);
        }

        LastCheckpoint = resolved;
        _lastCheckpointStep = CompletedSteps;
        TrainerLog.Resumed(Logger, resolved, CompletedSteps);
    }

    /// <summary>
    /// Checks a saved generator state the way libtorch's CPU generator will, before it is handed over: libtorch rejects
    /// a bad state with an exception that cannot cross TorchSharp's native boundary, so the process would abort instead.
    /// </summary>
    /// <remarks>
    /// The state is PyTorch's <c>CPUGeneratorImplState</c>: the initial seed (8 bytes), <c>left</c> (4), <c>seeded</c> (4),
    /// <c>next</c> (8), 624 state words (8 each), the cached normal sample, padding; libtorch accepts it when its size is
    /// the current generator's, <c>seeded</c> is non-zero, 0 &lt; <c>left</c> ≤ 624 and <c>next</c> ≤ 624.
    /// </remarks>
    private void CheckGeneratorState(Tensor state, string resolved)
    {
        const int MersenneStateWords = 624;
        using var current = _generator.get_state();
        string file = Path.Combine(resolved, StateTensorsFileName);
        if (state.dim() != 1 || state.numel() != current.numel())
        {
            throw new CheckpointFormatException(
                $"The generator state in '{file}' has {state.numel()} bytes (shape {TensorShape.Format(state.shape)}), but this generator's state has {current.numel()}; the checkpoint is corrupt or was written by another libtorch.");
        }

        byte[] bytes = state.data<byte>().ToArray();
        int left = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        int seeded = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12));
        ulong next = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(16));
        if (seeded == 0 || left <= 0 || left > MersenneStateWords || next > MersenneStateWords)
        {
            throw new CheckpointFormatException(
                $"The generator state in '{file}' is not a valid Mersenne Twister state (seeded {seeded}, left {left}, next {next}; expected seeded ≠ 0, 0 < left ≤ {MersenneStateWords}, next ≤ {MersenneStateWords}); the checkpoint is corrupt.");
        }
    }

    private static TorchSharp.Modules.OptimizerHelper Helper(string name, optim.Optimizer optimizer) =>
        optimizer as TorchSharp.Modules.OptimizerHelper ?? throw new NotSupportedException($"The optimizer '{name}' ({optimizer.GetType().Name}) cannot save its state; use a TorchSharp optimizer such as Adam or AdamW.");

    private static string OptimizerFileName(string name) => $"optimizer.{name}.bin";

    private static string CallbackPrefix(ICheckpointedState callback) => $"callback.{callback.StateKey}.";

    private static JsonObject ReadStateJson(string directory)
    {
        string path = Path.Combine(directory, StateJsonFileName);
        if (!File.Exists(path))
        {
            throw new CheckpointFormatException($"'{directory}' is a model checkpoint without trainer state ({StateJsonFileName}); it can be loaded into a model but not resumed.");
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new CheckpointFormatException($"'{path}' is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException($"'{path}' is not valid JSON: {e.Message}", e);
        }
    }

    private void WriteContent(string directory)
    {
        ModelCheckpoint.WriteModel(directory, TrainingStep.Modules, TrainingStep.Family);
        foreach (var (name, optimizer) in TrainingStep.Optimizers)
        {
            using var stream = new FileStream(Path.Combine(directory, OptimizerFileName(name)), FileMode.Create, FileAccess.Write);
            using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                Helper(name, optimizer).save_state_dict(writer);
            }

            stream.Flush(flushToDisk: true);
        }

        var (epoch, position, permutation) = _order.GetState();
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            tensors[GeneratorKey] = _generator.get_state().DetachFromDisposeScope();
            tensors[PermutationKey] = tensor(permutation, ScalarType.Int64).DetachFromDisposeScope();
            foreach (var callback in _callbacks.OfType<ICheckpointedState>())
            {
                foreach (var (key, t) in callback.GetState())
                {
                    tensors[CallbackPrefix(callback) + key] = t;
                }
            }

            SafeTensors.Save(Path.Combine(directory, StateTensorsFileName), tensors, new Dictionary<string, string> { ["generative.content"] = "trainer-state" });
        }
        finally
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }
        }

        var state = new JsonObject
        {
            ["completedSteps"] = CompletedSteps,
            ["epoch"] = epoch,
            ["position"] = position,
            ["seed"] = Options.Seed,
            ["batchSize"] = Options.BatchSize,
            ["lastBatch"] = Options.LastBatch.ToString(),
            ["dataCount"] = _data.Count,
            ["rollBackLearningRateMultiplier"] = RollBackLearningRateMultiplier,
            ["rollBackCount"] = RollBackCount,
            ["optimizers"] = new JsonArray([.. TrainingStep.Optimizers.Keys.Select(k => (JsonNode)JsonValue.Create(k))]),
            ["callbacks"] = new JsonArray([.. _callbacks.OfType<ICheckpointedState>().Select(c => (JsonNode)JsonValue.Create(c.StateKey))]),
        };
        File.WriteAllText(Path.Combine(directory, StateJsonFileName), state.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var options = (TrainingStep as ICheckpointConfigurationSource)?.GetCheckpointConfiguration();
        ModelCheckpoint.WriteConfig(directory, new CheckpointConfig(TrainingStep.Family, CompletedSteps, [.. TrainingStep.Modules.Keys], options, _data.Standardization));
    }

    private void WritePeriodicCheckpoint()
    {
        string root = Options.CheckpointDirectory!;
        Directory.CreateDirectory(root);
        foreach (string stale in Directory.EnumerateDirectories(root, "." + ModelCheckpoint.StepDirectoryPrefix + "*"))
        {
            AtomicDirectory.TryDelete(stale);
        }

        SaveCheckpoint(Path.Combine(root, ModelCheckpoint.StepDirectoryName(CompletedSteps)));
        var all = ModelCheckpoint.ListStepCheckpoints(root).ToList();
        foreach (var (_, path) in all.Take(Math.Max(0, all.Count - Options.KeepCheckpoints)))
        {
            if (!string.Equals(path, LastCheckpoint, StringComparison.Ordinal))
            {
                AtomicDirectory.TryDelete(path);
            }
        }
    }

    private static T Required<T>(JsonObject state, string key, string directory)
    {
        try
        {
            return state[key] is JsonNode node ? node.GetValue<T>() : throw new CheckpointFormatException($"The trainer state of '{directory}' has no '{key}'.");
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new CheckpointFormatException($"The trainer state of '{directory}' has an invalid '{key}': {e.Message}", e);
        }
    }

    private void RollBack(DivergenceEvent divergence)
    {
        if (LastCheckpoint is null)
        {
            throw new NonFiniteLossException(divergence.Step, divergence.LossName, divergence.Value,
                $"Training diverged at step {divergence.Step} ({divergence.LossName}: {divergence.Value}) and there is no checkpoint to roll back to.");
        }

        if (RollBackCount >= Options.MaxRollBacks)
        {
            throw new NonFiniteLossException(divergence.Step, divergence.LossName, divergence.Value,
                $"Training diverged at step {divergence.Step} ({divergence.LossName}: {divergence.Value}) after {RollBackCount} roll-backs, the most allowed; lower the learning rate or enable gradient clipping.");
        }

        int count = RollBackCount + 1;
        double multiplier = RollBackLearningRateMultiplier * Options.RollBackLearningRateFactor;
        string target = LastCheckpoint;
        ResumeFrom(target);
        RollBackCount = count;
        RollBackLearningRateMultiplier = multiplier;
        TrainerLog.RolledBack(Logger, CompletedSteps, target, multiplier);
    }
}
