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
    /// <param name="directory">A checkpoint, or a checkpointing root (its newest valid checkpoint is used; newer invalid ones are
    /// skipped with a warning in the trainer's log).</param>
    /// <remarks>
    /// <para>All or nothing: every file's hash, every value of <c>trainer_state.json</c> (type and range), the generator state
    /// (as libtorch would check it), the data order and the weights (names, dtypes, shapes) are checked before anything
    /// changes; the optimiser states are then loaded and checked (each state tensor has its parameter's shape and dtype and
    /// is finite; every hyper-parameter is finite; step counts are not negative) and the callbacks' states restored. If
    /// any of that fails, the optimisers, callbacks, data order, generator, weights and counters are put back exactly as
    /// they were and a <see cref="CheckpointFormatException"/> names the file and the defect. A non-finite optimiser state
    /// is such a defect, whatever the <see cref="NonFinitePolicy"/>: the policy judges losses and gradients of new steps.</para>
    /// </remarks>
    /// <exception cref="CheckpointFormatException">The checkpoint is corrupt, or was written for another family, architecture, data set or set of callbacks.</exception>
    /// <exception cref="DirectoryNotFoundException">No checkpoint is there.</exception>
    public void ResumeFrom(string directory)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        string resolved = ModelCheckpoint.LoadNewestValid(directory, Logger, dir =>
        {
            ResumeFromCheckpoint(dir);
            return dir;
        });
        TrainerLog.Resumed(Logger, resolved, CompletedSteps);
    }

    /// <summary>The first place where a checkpoint's options and the training step's differ, as "path: checkpoint value,
    /// training step value", or <see langword="null"/> when they are the same JSON.</summary>
    internal static string? OptionsDifference(JsonNode? written, JsonNode? expected, string path)
    {
        if (JsonNode.DeepEquals(written, expected))
        {
            return null;
        }

        if (written is JsonObject a && expected is JsonObject b)
        {
            foreach (string key in a.Select(p => p.Key).Union(b.Select(p => p.Key)).Order(StringComparer.Ordinal))
            {
                if (OptionsDifference(a[key], b[key], path + "." + key) is string inner)
                {
                    return inner;
                }
            }
        }
        else if (written is JsonArray x && expected is JsonArray y && x.Count == y.Count)
        {
            for (int i = 0; i < x.Count; i++)
            {
                if (OptionsDifference(x[i], y[i], path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]") is string inner)
                {
                    return inner;
                }
            }
        }

        return $"{path}: {Show(written)} in the checkpoint, {Show(expected)} in the training step";

        static string Show(JsonNode? node) => node is null ? "absent" : node.ToJsonString();
    }

    private void ResumeFromCheckpoint(string resolved)
    {
        var config = ModelCheckpoint.ReadConfigAt(resolved);
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

        // The options that rebuild the model must be this step's: a setting that shapes no tensor (a batch-norm ε, an output
        // activation, the prediction objective) would otherwise change silently in the middle of a run.
        var expectedOptions = (TrainingStep as ICheckpointConfigurationSource)?.GetCheckpointConfiguration();
        if (config.Options is not null && expectedOptions is not null && OptionsDifference(config.Options, expectedOptions, "options") is string difference)
        {
            throw new CheckpointFormatException(
                $"The checkpoint '{resolved}' was written with other model options than this training step's ({difference}); resume with the same " +
                "options, or load only the weights with ModelCheckpoint.LoadModules.");
        }

        // Every file read below must be covered by a hash in config.json (verified by ReadConfigAt).
        foreach (string file in TrainingStep.Optimizers.Keys.Select(OptimizerFileName).Prepend(StateTensorsFileName).Prepend(StateJsonFileName))
        {
            if (!config.FileHashes.ContainsKey(file))
            {
                throw new CheckpointFormatException(File.Exists(Path.Combine(resolved, StateJsonFileName))
                    ? $"'{Path.Combine(resolved, ModelCheckpoint.ConfigFileName)}' records no hash of '{file}'; the trainer state cannot be trusted."
                    : $"'{resolved}' is a model checkpoint without trainer state ({StateJsonFileName}); it can be loaded into a model but not resumed.");
            }
        }

        var state = ReadState(resolved);
        if (state.DataCount != _data.Count)
        {
            throw new CheckpointFormatException($"The checkpoint '{resolved}' was trained on {state.DataCount} samples, but the data source has {_data.Count}; resume with the same data.");
        }

        if (state.BatchSize != Options.BatchSize || !string.Equals(state.LastBatch, Options.LastBatch.ToString(), StringComparison.Ordinal))
        {
            throw new CheckpointFormatException(
                $"The checkpoint '{resolved}' was trained with batches of {state.BatchSize} ({state.LastBatch} the last), but this trainer uses {Options.BatchSize} ({Options.LastBatch}); " +
                "resume with the same batch size and policy, or load only the weights with ModelCheckpoint.LoadModules.");
        }

        if (!state.Optimizers.ToHashSet(StringComparer.Ordinal).SetEquals(TrainingStep.Optimizers.Keys))
        {
            throw new CheckpointFormatException(
                $"The checkpoint '{resolved}' holds optimizers [{string.Join(", ", state.Optimizers)}], but the training step has [{string.Join(", ", TrainingStep.Optimizers.Keys)}].");
        }

        // The trainer state's tensors: bounded by the load limit before they are read.
        string stateFile = Path.Combine(resolved, StateTensorsFileName);
        var stateHeader = SafeTensors.ReadHeader(stateFile);
        var budget = new LoadBudget(ModelCheckpoint.MaxLoadBytes);
        budget.Take(stateHeader.Entries.Sum(e => e.End - e.Begin), () => $"'{stateFile}' holds {stateHeader.Entries.Count} tensors");
        using var tensors = SafeTensors.Load(stateFile);
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
        if (!tensors.Tensors.TryGetValue(PermutationKey, out var permutationTensor) || permutationTensor.dtype != ScalarType.Int64 || permutationTensor.dim() != 1)
        {
            throw new CheckpointFormatException($"The checkpoint '{resolved}' has no data order.");
        }

        long[] permutation = permutationTensor.data<long>().ToArray();
        if ((permutation.Length != 0 && permutation.Length != _data.Count) || permutation.Any(i => i < 0 || i >= _data.Count) || (permutation.Length == 0 && state.Position != 0)
            || permutation.Distinct().Count() != permutation.Length)
        {
            throw new CheckpointFormatException($"The data order in '{stateFile}' is not an order of the {_data.Count} samples (length {permutation.Length}, position {state.Position}).");
        }

        // The weights, read into new tensors and checked against the modules; copied in last.
        string weightsFile = Path.Combine(resolved, ModelCheckpoint.ModelFileName);
        budget.Take(SafeTensors.ReadHeader(weightsFile).Entries.Sum(e => e.End - e.Begin), () => $"'{weightsFile}'");
        using var weights = ModelCheckpoint.LoadModuleTensors(weightsFile, TrainingStep.Modules);
        foreach (var (name, optimizer) in TrainingStep.Optimizers)
        {
            long parameterBytes = optimizer.parameters().Sum(p => p.numel() * p.element_size());
            long limit = (4 * parameterBytes) + (1 << 20);
            long length = new FileInfo(Path.Combine(resolved, OptimizerFileName(name))).Length;
            if (length > limit)
            {
                throw new CheckpointFormatException($"The optimizer state '{Path.Combine(resolved, OptimizerFileName(name))}' is {length} bytes, more than the {limit} an optimizer of these {parameterBytes} bytes of parameters can need.");
            }
        }

        var snapshot = TakeSnapshot();
        try
        {
            foreach (var (name, optimizer) in TrainingStep.Optimizers)
            {
                string path = Path.Combine(resolved, OptimizerFileName(name));
                using (var stream = File.OpenRead(path))
                using (var reader = new BinaryReader(stream))
                {
                    Helper(name, optimizer).load_state_dict(reader);
                    if (stream.Position != stream.Length)
                    {
                        throw new InvalidDataException($"{stream.Length - stream.Position} bytes follow the optimizer state");
                    }
                }

                CheckOptimizerState(Helper(name, optimizer), path);
            }

            foreach (var callback in stateful)
            {
                string prefix = CallbackPrefix(callback);
                callback.LoadState(tensors.Tensors.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(p => p.Key[prefix.Length..], p => p.Value, StringComparer.Ordinal));
            }

            _order.SetState(state.Epoch, state.Position, permutation);

            // Everything below was checked above and cannot fail on the file's account.
            ModelCheckpoint.CopyInto(weights.Tensors, TrainingStep.Modules, weightsFile);
            _generator.set_state(generatorState);
            CompletedSteps = state.CompletedSteps;
            RollBackLearningRateMultiplier = state.RollBackLearningRateMultiplier;
            RollBackCount = state.RollBackCount;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            RestoreSnapshot(snapshot);
            if (e is CheckpointFormatException)
            {
                throw;
            }

            if (e is IOException or ArgumentException or InvalidDataException or InvalidOperationException or OverflowException or FormatException
                or OutOfMemoryException or System.Runtime.InteropServices.ExternalException)
            {
                throw new CheckpointFormatException($"The trainer state of '{resolved}' is invalid (nothing was changed): {e.Message}", e);
            }

            throw;
        }
        finally
        {
            snapshot.Dispose();
        }

        LastCheckpoint = resolved;
        _lastCheckpointStep = CompletedSteps;
    }

    /// <summary>
    /// Checks an optimiser's state after loading: one state per parameter, every state tensor of its parameter's shape and
    /// dtype and finite, every hyper-parameter finite, every step count non-negative.
    /// </summary>
    private static void CheckOptimizerState(TorchSharp.Modules.OptimizerHelper optimizer, string path)
    {
        var parameters = optimizer.parameters().ToList();
        var stateDictionary = optimizer.state_dict();
        if (stateDictionary.State.Count != parameters.Count)
        {
            throw new CheckpointFormatException($"The optimizer state '{path}' has {stateDictionary.State.Count} parameter states for {parameters.Count} parameters.");
        }

        foreach (var group in stateDictionary.Options)
        {
            foreach (var (member, value) in PublicMembers(group))
            {
                if (value is double d && !double.IsFinite(d))
                {
                    throw new CheckpointFormatException($"The optimizer state '{path}' has a non-finite hyper-parameter '{member}' = {d}.");
                }
            }
        }

        using var scope = NewDisposeScope();
        for (int i = 0; i < parameters.Count; i++)
        {
            var parameter = parameters[i];
            foreach (var (member, value) in PublicMembers(stateDictionary.State[i]))
            {
                if (value is long count && count < 0)
                {
                    throw new CheckpointFormatException($"The optimizer state '{path}' has a negative '{member}' ({count}) for parameter {i}.");
                }

                if (value is Tensor t)
                {
                    if (t.dtype != parameter.dtype || !t.shape.SequenceEqual(parameter.shape))
                    {
                        throw new CheckpointFormatException(
                            $"The optimizer state '{path}' has '{member}' of parameter {i} as {t.dtype} {TensorShape.Format(t.shape)}, but the parameter is {parameter.dtype} {TensorShape.Format(parameter.shape)}.");
                    }

                    if (t.is_floating_point() && !t.isfinite().all().item<bool>())
                    {
                        throw new CheckpointFormatException(
                            $"The optimizer state '{path}' has non-finite values (NaN or ∞) in '{member}' of parameter {i} {TensorShape.Format(t.shape)}; resuming would put them into the weights at the first step.");
                    }
                }
            }
        }
    }

    private static IEnumerable<(string Name, object? Value)> PublicMembers(object instance)
    {
        var type = instance.GetType();
        foreach (var field in type.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
        {
            yield return (field.Name, field.GetValue(instance));
        }

        foreach (var property in type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
        {
            if (property.CanRead && property.GetIndexParameters().Length == 0)
            {
                yield return (property.Name, property.GetValue(instance));
            }
        }
    }

    private TrainerSnapshot TakeSnapshot()
    {
        var optimizers = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (name, optimizer) in TrainingStep.Optimizers)
        {
            using var stream = new MemoryStream();
            using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                Helper(name, optimizer).save_state_dict(writer);
            }

            optimizers[name] = stream.ToArray();
        }

        var callbacks = _callbacks.OfType<ICheckpointedState>().Select(c => (c, c.GetState())).ToList();
        return new TrainerSnapshot(optimizers, callbacks, _order.GetState(), _generator.get_state().DetachFromDisposeScope(), CompletedSteps, RollBackLearningRateMultiplier, RollBackCount);
    }

    private void RestoreSnapshot(TrainerSnapshot snapshot)
    {
        foreach (var (name, optimizer) in TrainingStep.Optimizers)
        {
            using var stream = new MemoryStream(snapshot.Optimizers[name]);
            using var reader = new BinaryReader(stream);
            Helper(name, optimizer).load_state_dict(reader);
        }

        foreach (var (callback, state) in snapshot.Callbacks)
        {
            callback.LoadState(state);
        }

        var (epoch, position, permutation) = snapshot.Order;
        _order.SetState(epoch, position, permutation);
        _generator.set_state(snapshot.Generator);
        CompletedSteps = snapshot.CompletedSteps;
        RollBackLearningRateMultiplier = snapshot.RollBackLearningRateMultiplier;
        RollBackCount = snapshot.RollBackCount;
    }

    /// <summary>What <see cref="ResumeFrom"/> may change, taken before it changes anything (weights are copied in last, after every check).</summary>
    private sealed record TrainerSnapshot(
        Dictionary<string, byte[]> Optimizers,
        List<(ICheckpointedState Callback, IReadOnlyDictionary<string, Tensor> State)> Callbacks,
        (int Epoch, long Position, long[] Permutation) Order,
        Tensor Generator,
        long CompletedSteps,
        double RollBackLearningRateMultiplier,
        int RollBackCount) : IDisposable
    {
        public void Dispose()
        {
            Generator.Dispose();
            foreach (var (_, state) in Callbacks)
            {
                foreach (var t in state.Values)
                {
                    t.Dispose();
                }
            }
        }
    }

    /// <summary>The values of <c>trainer_state.json</c>, each checked for type and range.</summary>
    private sealed record TrainerStateValues(
        long CompletedSteps, int Epoch, long Position, int BatchSize, string LastBatch, long DataCount,
        double RollBackLearningRateMultiplier, int RollBackCount, IReadOnlyList<string> Optimizers);

    private static TrainerStateValues ReadState(string directory)
    {
        string path = Path.Combine(directory, StateJsonFileName);
        var info = new FileInfo(path);
        if (info.Length > 64 << 20)
        {
            throw new CheckpointFormatException($"'{path}' is {info.Length} bytes, too large for a trainer state.");
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException($"'{path}' is not valid JSON: {e.Message}", e);
        }

        var root = new ConfigValue(node, path, string.Empty);
        if (node is not JsonObject)
        {
            throw root.Fail("must be a JSON object");
        }

        long dataCount = root["dataCount"].Long(0, long.MaxValue);
        string lastBatch = root["lastBatch"].Exists ? root["lastBatch"].String() : nameof(Data.LastBatchPolicy.Drop);
        if (!Enum.TryParse<Data.LastBatchPolicy>(lastBatch, ignoreCase: false, out _) || !Enum.GetNames<Data.LastBatchPolicy>().Contains(lastBatch, StringComparer.Ordinal))
        {
            throw root["lastBatch"].Fail($"must be one of {string.Join(", ", Enum.GetNames<Data.LastBatchPolicy>())}");
        }

        return new TrainerStateValues(
            root["completedSteps"].Long(0, long.MaxValue / 2),
            root["epoch"].Int(0, int.MaxValue),
            root["position"].Long(0, dataCount),
            root["batchSize"].Int(1, int.MaxValue),
            lastBatch,
            dataCount,
            root["rollBackLearningRateMultiplier"].Double(double.Epsilon, double.MaxValue),
            root["rollBackCount"].Int(0, int.MaxValue),
            root["optimizers"].Strings(1024));
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
