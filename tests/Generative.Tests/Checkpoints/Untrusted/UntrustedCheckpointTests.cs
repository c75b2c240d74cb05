using System.Text.Json.Nodes;
using Generative.Checkpoints;
using Generative.Diffusion;
using Generative.Gan;
using Generative.Tests.Training;
using Generative.Training;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Checkpoints.Untrusted;

/// <summary>
/// Model directories and trainer checkpoints from elsewhere (issue #21): every defect of config.json and the trainer state
/// is a <see cref="CheckpointFormatException"/> naming file, key and value, sizes are checked before anything is allocated,
/// loads and resumes are all-or-nothing, a corrupt latest checkpoint falls back to an older one, trainer checkpoints load
/// as models with their EMA weights.
/// </summary>
public sealed class UntrustedCheckpointTests : IClassFixture<UntrustedCheckpoints>, IDisposable
{
    private readonly UntrustedCheckpoints _pristine;
    private readonly string _dir = Directory.CreateTempSubdirectory("gen-untrusted-test-").FullName;

    public UntrustedCheckpointTests(UntrustedCheckpoints pristine) => _pristine = pristine;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> DenoiserDescriptions() =>
    [
        """{"type":"mlp","features":3,"options":{"width":5,"depth":1,"time_embedding_dimension":2,"class_count":0,"learn_variance":false}}""",
        """{"type":"mlp","features":1,"options":{"width":7,"depth":3,"time_embedding_dimension":6,"class_count":4,"learn_variance":true}}""",
        """{"type":"unet","channels":1,"height":8,"width":8,"options":{"base_channels":8,"channel_multipliers":[1,2],"residual_blocks_per_level":1,"attention_at_lowest_resolution":true,"group_count":4,"class_count":0,"learn_variance":false}}""",
        """{"type":"unet","channels":3,"height":4,"width":8,"options":{"base_channels":6,"channel_multipliers":[1,2,3],"residual_blocks_per_level":2,"attention_at_lowest_resolution":false,"group_count":3,"class_count":2,"learn_variance":true}}""",
        """{"type":"unet","channels":2,"height":5,"width":3,"options":{"base_channels":5,"channel_multipliers":[2],"residual_blocks_per_level":1,"attention_at_lowest_resolution":true,"group_count":5,"class_count":0,"learn_variance":false}}""",
    ];

    [Theory]
    [MemberData(nameof(DenoiserDescriptions))]
    public void A_denoiser_readers_tensors_are_exactly_those_of_the_network_it_builds(string description)
    {
        using var scope = NewDisposeScope();
        var plan = DenoiserRegistry.Default.Plan(new ConfigValue(JsonNode.Parse(description), "config.json", "options.network"));
        var network = plan.Create(null);
        using var module = network.Module;
        AssertDeclaredEqualsStateDict(plan.Declare, module);
        network.SampleShape.Should().Be(plan.SampleShape);
    }

    public static TheoryData<string> GeneratorDescriptions() =>
    [
        """{"generator":"mlp","sampleShape":[2],"latentDimension":3,"hiddenWidth":5,"hiddenLayers":1,"classCount":0,"classEmbeddingDimension":16}""",
        """{"generator":"mlp","sampleShape":[2,3],"latentDimension":4,"hiddenWidth":6,"hiddenLayers":3,"classCount":5,"classEmbeddingDimension":2}""",
        """{"generator":"conv","imageSize":8,"channels":1,"latentDimension":4,"width":4,"classCount":0,"classEmbeddingDimension":32,"tanhOutput":true}""",
        """{"generator":"conv","imageSize":16,"channels":3,"latentDimension":5,"width":3,"classCount":4,"classEmbeddingDimension":2,"tanhOutput":false}""",
    ];

    [Theory]
    [MemberData(nameof(GeneratorDescriptions))]
    public void A_generator_readers_tensors_are_exactly_those_of_the_network_it_builds(string description)
    {
        using var scope = NewDisposeScope();
        var plan = GeneratorRegistry.Default.Plan(new ConfigValue(JsonNode.Parse(description), "config.json", "options"));
        var network = plan.Create(null);
        using var module = network.Module;
        AssertDeclaredEqualsStateDict(plan.Declare, module);
        network.SampleShape.Should().Be(plan.SampleShape);
    }

    /// <summary>The config.json mutants of the issue (and of the fuzz test, once they failed) on a saved MLP diffusion model.</summary>
    [Theory]
    [InlineData("options.network.options.depth", "1000000", "*'options.network.options.depth' must be an integer in [1, 10000], but is 1000000*")]
    [InlineData("options.network.options.width", "1e9", "*'options.network.options.width' must be an integer in [1, 1048576], but is 1e9*")]
    [InlineData("options.network.options.width", "100000", "*'time_mlp.2.weight' [100000, 100000]: loading it would need more than 1073741824 bytes*")]
    [InlineData("options.network.options.width", "16", "*'denoiser.input.weight' as Float32 [16, 2], but*holds it as Float32 [8, 2]*")]
    [InlineData("options.network.options.depth", "3", "*tensor 'denoiser.blocks.2.norm.weight' Float32 [8], but*has none*")]
    [InlineData("options.network.options.depth", "1", "*has tensors that the network*does not: denoiser.blocks.1.*")]
    [InlineData("options.network.options.width", "1048576", "*more than 1073741824 bytes*MaxLoadBytes*")]
    [InlineData("options.network.options.time_embedding_dimension", "1073741824", "*'options.network.options.time_embedding_dimension' must be an integer in [2, 1048576], but is 1073741824*")]
    [InlineData("options.network.options.time_embedding_dimension", "5", "*'options.network.options.time_embedding_dimension' must be even, but is 5*")]
    [InlineData("options.network.options.class_count", "2147483647", "*'options.network.options.class_count' must be an integer in [0, 16777216], but is 2147483647*")]
    [InlineData("options.network.type", "5", "*'options.network.type' must be a string, but is 5*")]
    [InlineData("options.network.type", "\"transformer\"", "*'options.network.type' must name a registered network type*\"mlp\"*\"unet\"*but is \"transformer\"*")]
    [InlineData("options", "[]", "*'options' must be a JSON object, but is []*")]
    [InlineData("options", "null", "*'options' must describe the model to rebuild, but is missing*")]
    [InlineData("options.network", "\"mlp\"", "*'options.network' must be a JSON object, but is \"mlp\"*")]
    [InlineData("options.network.features", null, "*'options.network.features' must be an integer in [1, 16777216], but is missing*")]
    [InlineData("options.network.features", "2.5", "*'options.network.features' must be an integer*but is 2.5*")]
    [InlineData("options.featureNames", "[1, 2]", "*'options.featureNames[0]' must be a string, but is 1*")]
    [InlineData("options.featureNames", "[\"a\"]", "*'options.featureNames' must hold one name per feature*")]
    [InlineData("options.schedule.train_timesteps", "2000000000", "*'options.schedule'*TrainTimesteps*")]
    [InlineData("options.schedule.train_timesteps", "\"many\"", "*'options.schedule'*not valid NoiseScheduleOptions*")]
    [InlineData("options.model.sampler", "5", "*'options.model'*not valid DiffusionModelOptions*")] // a name is resolved when sampling: a plugin sampler may be named
    [InlineData("options.model.ddim", "null", "*'options.model'*not valid DiffusionModelOptions*")]
    [InlineData("modules", "[\"denoiser\", 7]", "*not a valid checkpoint config*")]
    [InlineData("files.../model.safetensors", "\"00\"", "*invalid file name '../model.safetensors'*")]
    [InlineData("dataStandardization.mean", "[1]", "*not a valid checkpoint config*")]
    public void A_bad_diffusion_config_value_is_a_format_error_naming_file_key_and_value(string key, string? json, string message)
    {
        string dir = UntrustedCheckpoints.Copy(_pristine.DiffusionMlp, Path.Combine(_dir, "m"));
        SetConfigValue(dir, key, json);
        FluentActions.Invoking(() => DiffusionModel.Load(dir)).Should().Throw<CheckpointFormatException>().WithMessage(message);
    }

    [Theory]
    [InlineData("options.hiddenLayers", "1000000", "*'options.hiddenLayers' must be an integer in [1, 10000], but is 1000000*")]
    [InlineData("options.hiddenWidth", "1048576", "*more than 1073741824 bytes*")]
    [InlineData("options.classCount", "2147483647", "*'options.classCount' must be an integer in [0, 16777216], but is 2147483647*")]
    [InlineData("options.sampleShape", "[4294967296]", "*'options.sampleShape[0]' must be an integer in [1, 16777216]*")]
    [InlineData("options.sampleShape", "[4096, 4096, 4096]", "*'options.sampleShape' must describe at most 16777216 values*")]
    [InlineData("options.generator", "\"conv\"", "*'options.imageSize' must be an integer in [8, 64], but is missing*")]
    [InlineData("options.generator", "null", "*'options.generator' must be a string, but is missing*")]
    [InlineData("options.featureNames", "[\"a\", 2]", "*'options.featureNames[1]' must be a string, but is 2*")]
    [InlineData("options", "\"mlp\"", "*'options' must be a JSON object, but is \"mlp\"*")]
    public void A_bad_gan_config_value_is_a_format_error_naming_file_key_and_value(string key, string? json, string message)
    {
        string dir = UntrustedCheckpoints.Copy(_pristine.GanMlp, Path.Combine(_dir, "g"));
        SetConfigValue(dir, key, json);
        FluentActions.Invoking(() => GanModel.Load(dir)).Should().Throw<CheckpointFormatException>().WithMessage(message);
    }

    [Theory]
    [InlineData("model.safetensors", "/dev/zero")]
    [InlineData("config.json", "/etc/hostname")]
    public void A_file_that_is_a_symbolic_link_is_refused_before_it_is_read(string file, string target)
    {
        string dir = UntrustedCheckpoints.Copy(_pristine.DiffusionMlp, Path.Combine(_dir, "link"));
        File.Delete(Path.Combine(dir, file));
        File.CreateSymbolicLink(Path.Combine(dir, file), target); // hashing /dev/zero would never end
        FluentActions.Invoking(() => DiffusionModel.Load(dir)).Should().Throw<CheckpointFormatException>().WithMessage($"*{file}' is a symbolic link (to '{target}')*");
    }

    [Fact]
    public void The_load_limit_is_checked_before_building_and_can_be_raised()
    {
        // The denoiser (features 2, width 8, depth 2, time embedding 4, 3 classes), counted by hand in float32 values:
        // input 8·2+8, time MLP 8·4+8 and 8·8+8, class embedding 4·8, two blocks of (norm 2·8, fc1, emb_proj, fc2 8·8+8), output norm 2·8, output 2·8+2.
        long bytes = 4 * ((8 * 2 + 8) + (8 * 4 + 8) + (8 * 8 + 8) + (4 * 8) + (2 * ((2 * 8) + (3 * (8 * 8 + 8)))) + (2 * 8) + (2 * 8 + 2));
        var weights = SafeTensors.ReadHeader(Path.Combine(_pristine.DiffusionMlp, ModelCheckpoint.ModelFileName)).Entries;
        weights.Sum(e => e.End - e.Begin).Should().Be(2 * bytes, "the file holds the denoiser and its EMA copy");
        try
        {
            ModelCheckpoint.MaxLoadBytes = (2 * bytes) - 1;
            FluentActions.Invoking(() => DiffusionModel.Load(_pristine.DiffusionMlp)).Should().Throw<CheckpointFormatException>()
                .WithMessage($"*more than {(2 * bytes) - 1} bytes of weights (ModelCheckpoint.MaxLoadBytes*");
            ModelCheckpoint.MaxLoadBytes = 2 * bytes;
            using var model = DiffusionModel.Load(_pristine.DiffusionMlp);
            model.EmaDenoiser.Should().NotBeNull();
        }
        finally
        {
            ModelCheckpoint.MaxLoadBytes = ModelCheckpoint.DefaultMaxLoadBytes;
        }

        FluentActions.Invoking(() => ModelCheckpoint.MaxLoadBytes = 0).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void A_diffusion_trainer_checkpoint_loads_as_a_model_with_the_ema_callbacks_weights()
    {
        using var scope = NewDisposeScope();
        string latest = UntrustedCheckpoints.Latest(_pristine.DiffusionTrainerRoot);
        using var model = DiffusionModel.Load(latest);
        model.EmaDenoiser.Should().NotBeNull("the trainer kept an EMA of the denoiser");
        using var state = SafeTensors.Load(Path.Combine(latest, Trainer.StateTensorsFileName));
        using var weights = SafeTensors.Load(Path.Combine(latest, ModelCheckpoint.ModelFileName));
        int compared = 0;
        foreach (var (name, t) in model.EmaDenoiser!.Module.state_dict())
        {
            t.equal(state.Tensors["callback.ema.param." + name]).all().item<bool>().Should().BeTrue(name);
            compared++;
        }

        compared.Should().Be(model.Denoiser.Module.state_dict().Count);
        foreach (var (name, t) in model.Denoiser.Module.state_dict())
        {
            t.equal(weights.Tensors["denoiser." + name]).all().item<bool>().Should().BeTrue(name);
        }

        // The average differs from the trained weights, so the test can tell which one was loaded.
        model.EmaDenoiser.Module.state_dict()["input.weight"].equal(model.Denoiser.Module.state_dict()["input.weight"]).all().item<bool>().Should().BeFalse();
    }

    [Fact]
    public void A_gan_trainer_checkpoint_loads_as_a_model_of_its_ema_generator()
    {
        using var scope = NewDisposeScope();
        string latest = UntrustedCheckpoints.Latest(_pristine.GanTrainerRoot);
        ModelCheckpoint.ReadConfig(latest).Options!["generator"]!.GetValue<string>().Should().Be("mlp", "the trainer records the generator's architecture");
        using var model = GanModel.Load(latest);
        using var weights = SafeTensors.Load(Path.Combine(latest, ModelCheckpoint.ModelFileName));
        foreach (var (name, t) in model.Generator.Module.state_dict())
        {
            t.equal(weights.Tensors["generator_ema." + name]).all().item<bool>().Should().BeTrue(name);
        }

        weights.Tensors["generator_ema.body.0.weight"].equal(weights.Tensors["generator.body.0.weight"]).all().item<bool>().Should().BeFalse("the average differs from the trained weights");
    }

    [Fact]
    public void A_corrupt_latest_checkpoint_falls_back_to_the_newest_valid_one_with_a_warning()
    {
        using var scope = NewDisposeScope();
        string root = UntrustedCheckpoints.Copy(_pristine.DiffusionTrainerRoot, Path.Combine(_dir, "root"));
        var steps = ModelCheckpoint.ListStepCheckpoints(root).Select(s => s.Path).ToList();
        steps.Should().HaveCount(2);
        string weights = Path.Combine(steps[1], ModelCheckpoint.ModelFileName);
        var bytes = File.ReadAllBytes(weights);
        bytes[^3] ^= 0x40;
        File.WriteAllBytes(weights, bytes);

        var logger = new CollectingLogger();
        using var model = DiffusionModel.Load(root, logger: logger);
        using var older = DiffusionModel.Load(steps[0]);
        model.Denoiser.Module.state_dict()["output.weight"].equal(older.Denoiser.Module.state_dict()["output.weight"]).all().item<bool>().Should().BeTrue("the older checkpoint was loaded");
        logger.Entries.Should().ContainSingle(e => e.Level == LogLevel.Warning).Which.Message.Should().Contain(steps[1]).And.Contain("SHA-256");
        ModelCheckpoint.ReadConfig(root).Step.Should().Be(2);

        // Resuming falls back the same way, and logs it in the trainer's log.
        using (var data = UntrustedCheckpoints.Data())
        using (var run = DiffusionRun.Create())
        using (var trainer = run.Builder(data).WithSteps(10).WithLogger(logger).ResumeFrom(root).Build())
        {
            trainer.CompletedSteps.Should().Be(2);
        }

        logger.Entries.Count(e => e.Level == LogLevel.Warning && e.Message.Contains(steps[1], StringComparison.Ordinal)).Should().Be(2);

        // No valid checkpoint at all: one error listing each.
        string first = Path.Combine(steps[0], ModelCheckpoint.ModelFileName);
        File.WriteAllBytes(first, File.ReadAllBytes(first)[..^1]);
        FluentActions.Invoking(() => DiffusionModel.Load(root)).Should().Throw<CheckpointFormatException>()
            .WithMessage("No valid checkpoint under*all 2 step-* checkpoints are invalid*step-00000004*step-00000002*");
    }

    [Theory]
    [InlineData("optimizer-nan")]
    [InlineData("optimizer-truncated")]
    [InlineData("ema-nan")]
    [InlineData("ema-missing")]
    [InlineData("last-batch-number")]
    [InlineData("position-past-the-data")]
    [InlineData("permutation-out-of-range")]
    [InlineData("permutation-duplicate")]
    public void A_refused_resume_leaves_the_trainer_exactly_as_it_was(string mutation)
    {
        string checkpoint = UntrustedCheckpoints.Copy(UntrustedCheckpoints.Latest(_pristine.DiffusionTrainerRoot), Path.Combine(_dir, "ck"));
        Mutate(checkpoint, mutation);

        using var data = UntrustedCheckpoints.Data();
        using var run = DiffusionRun.Create(seed: 9);
        using var trainer = run.Builder(data).WithSteps(10).Build();
        trainer.Run(); // optimiser, EMA, generator and data order all move away from their initial state
        var before = TrainerFingerprint.Take(trainer, run.Ema);
        FluentActions.Invoking(() => trainer.ResumeFrom(checkpoint)).Should().Throw<CheckpointFormatException>();
        TrainerFingerprint.Take(trainer, run.Ema).Should().Be(before);
    }

    private static void Mutate(string checkpoint, string mutation)
    {
        string optimizer = Path.Combine(checkpoint, "optimizer.denoiser.bin");
        string stateTensors = Path.Combine(checkpoint, Trainer.StateTensorsFileName);
        string stateJson = Path.Combine(checkpoint, Trainer.StateJsonFileName);
        switch (mutation)
        {
            case "optimizer-nan":
                var bytes = File.ReadAllBytes(optimizer);
                BitConverter.GetBytes(float.NaN).CopyTo(bytes, bytes.Length - 5); // the last exp_avg_sq value, before the AMSGrad flag
                File.WriteAllBytes(optimizer, bytes);
                UntrustedCheckpoints.Rehash(optimizer);
                break;
            case "optimizer-truncated":
                File.WriteAllBytes(optimizer, File.ReadAllBytes(optimizer)[..^40]);
                UntrustedCheckpoints.Rehash(optimizer);
                break;
            case "ema-nan" or "ema-missing" or "permutation-out-of-range" or "permutation-duplicate":
                var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
                using (var content = SafeTensors.Load(stateTensors))
                {
                    foreach (var (name, t) in content.Tensors)
                    {
                        tensors[name] = t.clone();
                    }
                }

                if (mutation == "ema-nan")
                {
                    tensors["callback.ema.param.output.bias"][0].fill_(float.NaN);
                }
                else if (mutation == "ema-missing")
                {
                    tensors.Remove("callback.ema.param.blocks.0.fc1.weight");
                }
                else
                {
                    tensors["data.permutation"][3].fill_(mutation == "permutation-duplicate" ? tensors["data.permutation"][4].item<long>() : UntrustedCheckpoints.DataCount);
                }

                SafeTensors.Save(stateTensors, tensors);
                UntrustedCheckpoints.Rehash(stateTensors);
                break;
            default:
                var json = JsonNode.Parse(File.ReadAllText(stateJson))!;
                if (mutation == "last-batch-number")
                {
                    json["lastBatch"] = 1;
                }
                else
                {
                    json["position"] = UntrustedCheckpoints.DataCount + 1;
                }

                File.WriteAllText(stateJson, json.ToJsonString());
                UntrustedCheckpoints.Rehash(stateJson);
                break;
        }
    }

    /// <summary>Sets (or with <paramref name="json"/> null, removes) a value of config.json by dotted path; <c>files.X</c> renames a file entry to X.</summary>
    internal static void SetConfigValue(string dir, string key, string? json)
    {
        string path = Path.Combine(dir, ModelCheckpoint.ConfigFileName);
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        if (key.StartsWith("files.", StringComparison.Ordinal))
        {
            root["files"]![key["files.".Length..]] = JsonNode.Parse(json!);
        }
        else
        {
            var parts = key.Split('.');
            var parent = root;
            foreach (string part in parts[..^1])
            {
                parent = parent[part]!.AsObject();
            }

            if (json is null)
            {
                parent.Remove(parts[^1]);
            }
            else
            {
                parent[parts[^1]] = JsonNode.Parse(json);
            }
        }

        File.WriteAllText(path, root.ToJsonString());
    }

    private static void AssertDeclaredEqualsStateDict(Action<ExpectedTensors> declare, nn.Module network)
    {
        var stateDict = network.state_dict();
        long offset = 0;
        var entries = new List<SafeTensorsEntry>();
        foreach (var (name, t) in stateDict)
        {
            long size = t.numel() * t.element_size();
            entries.Add(new SafeTensorsEntry("net." + name, t.dtype, t.shape, offset, offset + size));
            offset += size;
        }

        var expected = new ExpectedTensors(new SafeTensorsHeader(entries, new Dictionary<string, string>(), 0), "model.safetensors", "net.", "config.json", "options", new LoadBudget(long.MaxValue));
        declare(expected);
        expected.Finish();
        expected.Names.Should().BeEquivalentTo(stateDict.Keys, "the reader declares exactly the network's tensors");
    }
}

/// <summary>Everything <see cref="Trainer.ResumeFrom"/> may change, as comparable text (bytes as hashes).</summary>
internal static class TrainerFingerprint
{
    public static string Take(Trainer trainer, ExponentialMovingAverage? ema = null)
    {
        using var scope = NewDisposeScope();
        var parts = new List<string> { $"steps {trainer.CompletedSteps}", $"rollbacks {trainer.RollBackCount} {trainer.RollBackLearningRateMultiplier}" };
        foreach (var (module, m) in trainer.TrainingStep.Modules)
        {
            foreach (var (name, t) in m.state_dict())
            {
                parts.Add($"{module}.{name} {Hash(t)}");
            }
        }

        foreach (var (name, optimizer) in trainer.TrainingStep.Optimizers)
        {
            using var stream = new MemoryStream();
            using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                ((TorchSharp.Modules.OptimizerHelper)optimizer).save_state_dict(writer);
            }

            parts.Add($"optimizer {name} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(stream.ToArray()))}");
        }

        if (ema is not null)
        {
            foreach (var (name, t) in ema.GetState().OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                parts.Add($"ema {name} {Hash(t)}");
                t.Dispose();
            }
        }

        // The run's generator and data order show in the next batch the trainer would draw; compare their saved forms.
        string dir = Directory.CreateTempSubdirectory("gen-fingerprint-").FullName;
        try
        {
            trainer.SaveCheckpoint(Path.Combine(dir, "ck"));
            using var state = SafeTensors.Load(Path.Combine(dir, "ck", Trainer.StateTensorsFileName));
            parts.Add($"generator {Hash(state.Tensors["generator"])}");
            parts.Add($"order {Hash(state.Tensors["data.permutation"])}");
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "ck", Trainer.StateJsonFileName)))!;
            parts.Add($"epoch {json["epoch"]} position {json["position"]}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        return string.Join("\n", parts);
    }

    private static string Hash(Tensor t) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(t.detach().cpu().contiguous().bytes));
}
