using Generative.Checkpoints;
using Generative.Data;
using Generative.Tests.Training;
using Generative.Training;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Checkpoints;

public sealed class ModelCheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gen-ck-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Saves_and_loads_modules_with_config_and_standardization()
    {
        using var scope = NewDisposeScope();
        var net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4));
        var modules = new Dictionary<string, nn.Module> { ["net"] = net };
        var standardization = new DataStandardization([1, 2, 3], [4, 5, 6], ["a", "b", "c"]);
        string path = Path.Combine(_dir, "model");
        ModelCheckpoint.Save(path, modules, "test-family", new JsonObject { ["hidden"] = 4 }, standardization, step: 12);

        var copy = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4));
        var config = ModelCheckpoint.LoadModules(path, new Dictionary<string, nn.Module> { ["net"] = copy });
        config.Family.Should().Be("test-family");
        config.Step.Should().Be(12);
        config.Options!["hidden"]!.GetValue<int>().Should().Be(4);
        config.Standardization!.Mean.Should().Equal(1, 2, 3);
        config.Standardization.FeatureNames.Should().Equal("a", "b", "c");
        config.LibraryVersion.Should().NotBeNullOrEmpty();
        foreach (var (name, t) in net.state_dict())
        {
            copy.state_dict()[name].equal(t).all().item<bool>().Should().BeTrue(name);
        }

        // The weights file is plain safetensors with module-prefixed names, as PyTorch would name them.
        SafeTensors.ReadHeader(Path.Combine(path, ModelCheckpoint.ModelFileName)).Entries.Select(e => e.Name)
            .Should().Contain(["net.0.weight", "net.0.bias", "net.1.running_mean", "net.1.num_batches_tracked"]);
    }

    [Fact]
    public void A_shape_or_dtype_mismatch_is_reported_and_nothing_is_loaded()
    {
        using var scope = NewDisposeScope();
        string path = Path.Combine(_dir, "model");
        ModelCheckpoint.Save(path, new Dictionary<string, nn.Module> { ["net"] = nn.Linear(3, 4) }, "f");
        var wrongShape = nn.Linear(3, 5);
        var before = wrongShape.weight!.detach().clone();
        FluentActions.Invoking(() => ModelCheckpoint.LoadModules(path, new Dictionary<string, nn.Module> { ["net"] = wrongShape }))
            .Should().Throw<CheckpointFormatException>().WithMessage("*'net.weight' is Float32 [4, 3], but the model expects Float32 [5, 3]*");
        wrongShape.weight!.detach().equal(before).all().item<bool>().Should().BeTrue();
        var wrongType = nn.Linear(3, 4).to(ScalarType.Float64);
        FluentActions.Invoking(() => ModelCheckpoint.LoadModules(path, new Dictionary<string, nn.Module> { ["net"] = wrongType }))
            .Should().Throw<CheckpointFormatException>().WithMessage("*Float32 [4, 3], but the model expects Float64 [4, 3]*");
        FluentActions.Invoking(() => ModelCheckpoint.LoadModules(path, new Dictionary<string, nn.Module> { ["other"] = nn.Linear(3, 4) }))
            .Should().Throw<CheckpointFormatException>().WithMessage("*no tensor 'other.weight'*");
    }

    [Fact]
    public void Altered_missing_or_foreign_files_give_clear_exceptions()
    {
        using var scope = NewDisposeScope();
        string path = Path.Combine(_dir, "model");
        var modules = new Dictionary<string, nn.Module> { ["net"] = nn.Linear(3, 4) };
        ModelCheckpoint.Save(path, modules, "f");
        string weights = Path.Combine(path, ModelCheckpoint.ModelFileName);
        byte[] original = File.ReadAllBytes(weights);

        byte[] flipped = (byte[])original.Clone();
        flipped[^3] ^= 0x40;
        File.WriteAllBytes(weights, flipped);
        FluentActions.Invoking(() => ModelCheckpoint.LoadModules(path, modules)).Should().Throw<CheckpointFormatException>().WithMessage("*corrupt or was altered*SHA-256*");

        File.WriteAllBytes(weights, original[..100]);
        FluentActions.Invoking(() => ModelCheckpoint.LoadModules(path, modules)).Should().Throw<CheckpointFormatException>().WithMessage("*corrupt or was altered*");

        File.Delete(weights);
        FluentActions.Invoking(() => ModelCheckpoint.LoadModules(path, modules)).Should().Throw<CheckpointFormatException>().WithMessage("*'model.safetensors' is missing*");

        string config = Path.Combine(path, ModelCheckpoint.ConfigFileName);
        File.WriteAllText(config, "{\"_name_or_path\": \"bert-base-uncased\", \"architectures\": [\"BertModel\"]}");
        FluentActions.Invoking(() => ModelCheckpoint.ReadConfig(path)).Should().Throw<CheckpointFormatException>().WithMessage("*not a Generative checkpoint config*");
        File.WriteAllText(config, "\u0000\u0001 binary");
        FluentActions.Invoking(() => ModelCheckpoint.ReadConfig(path)).Should().Throw<CheckpointFormatException>().WithMessage("*not valid JSON*");
        FluentActions.Invoking(() => ModelCheckpoint.ReadConfig(Path.Combine(_dir, "nothing"))).Should().Throw<DirectoryNotFoundException>();
    }

    [Fact]
    public void Resuming_checks_family_data_and_callbacks()
    {
        string root = Path.Combine(_dir, "run");
        using var data = RegressionData.Create();
        using (var step = new LinearRegressionStep())
        using (var trainer = Trainer.For(step).WithData(data).WithBatchSize(16).WithSteps(3).WithCheckpointing(root, 3).Build())
        {
            trainer.Run();
        }

        using var other = RegressionData.Create(count: 100);
        using var step2 = new LinearRegressionStep();
        Trainer.For(step2).WithData(other).WithBatchSize(16).WithSteps(5).ResumeFrom(root)
            .Invoking(b => b.Build()).Should().Throw<CheckpointFormatException>().WithMessage("*trained on 200 samples, but the data source has 100*");
        Trainer.For(step2).WithData(data).WithBatchSize(8).WithSteps(5).ResumeFrom(root)
            .Invoking(b => b.Build()).Should().Throw<CheckpointFormatException>().WithMessage("*batches of 16 (Drop the last), but this trainer uses 8 (Drop)*");
        using var ema = new ExponentialMovingAverage(step2.Model);
        Trainer.For(step2).WithData(data).WithBatchSize(16).WithSteps(5).WithCallback(ema).ResumeFrom(root)
            .Invoking(b => b.Build()).Should().Throw<CheckpointFormatException>().WithMessage("*no state for the callback 'ema'*");
        using var step3 = new LinearRegressionStep(features: 3);
        using var wide = new TensorDataSource(zeros(200, 4));
        Trainer.For(step3).WithData(wide).WithBatchSize(16).WithSteps(5).ResumeFrom(root)
            .Invoking(b => b.Build()).Should().Throw<CheckpointFormatException>()
            .WithMessage("*written with other model options than this training step's (options.features: 2 in the checkpoint, 3 in the training step)*");
    }

    [Theory]
    [InlineData("size")]
    [InlineData("left")]
    [InlineData("next")]
    [InlineData("seeded")]
    public void A_bad_generator_state_is_refused_before_anything_is_loaded(string mutation)
    {
        // libtorch aborts the process (SIGABRT) on these in set_state; the trainer must refuse them itself, and first.
        string root = Path.Combine(_dir, "generator-" + mutation);
        using var data = RegressionData.Create();
        using (var step = new LinearRegressionStep())
        using (var trainer = Trainer.For(step).WithData(data).WithBatchSize(16).WithSteps(3).WithCheckpointing(root, 3).Build())
        {
            trainer.Run();
        }

        string file = Path.Combine(ModelCheckpoint.Resolve(root), Trainer.StateTensorsFileName);
        var tensors = new Dictionary<string, Tensor>();
        using (var content = SafeTensors.Load(file))
        {
            foreach (var (name, value) in content.Tensors)
            {
                tensors[name] = value.clone();
            }
        }

        byte[] bytes = tensors["generator"].data<byte>().ToArray();
        switch (mutation)
        {
            case "size": bytes = bytes[..^8]; break;
            case "left": BitConverter.TryWriteBytes(bytes.AsSpan(8), 0).Should().BeTrue(); break;
            case "seeded": BitConverter.TryWriteBytes(bytes.AsSpan(12), 0).Should().BeTrue(); break;
            default: BitConverter.TryWriteBytes(bytes.AsSpan(16), 625UL).Should().BeTrue(); break;
        }

        tensors["generator"] = tensor(bytes);
        SafeTensors.Save(file, tensors);
        string configPath = Path.Combine(Path.GetDirectoryName(file)!, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!;
        config["files"]![Trainer.StateTensorsFileName] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file)));
        File.WriteAllText(configPath, config.ToJsonString()); // a consistent file that only libtorch would object to

        using var step2 = new LinearRegressionStep();
        using var before = step2.Model.weight!.clone();
        Trainer.For(step2).WithData(data).WithBatchSize(16).WithSteps(5).ResumeFrom(root)
            .Invoking(b => b.Build()).Should().Throw<CheckpointFormatException>()
            .WithMessage(mutation == "size" ? "*generator state*5048 bytes*5056*" : "*generator state*not a valid Mersenne Twister state*");
        step2.Model.weight!.detach().allclose(before, 0, 0).Should().BeTrue("nothing is loaded from a refused checkpoint");
    }

    [Fact]
    public void Only_the_configured_number_of_checkpoints_is_kept_and_the_latest_is_resolved()
    {
        string root = Path.Combine(_dir, "run");
        using var data = RegressionData.Create();
        using var step = new LinearRegressionStep();
        using var trainer = Trainer.For(step).WithData(data).WithBatchSize(16).WithSteps(10).WithCheckpointing(root, 2, keep: 2).Build();
        trainer.Run();
        Directory.GetDirectories(root).Select(Path.GetFileName).Should().BeEquivalentTo("step-00000008", "step-00000010");
        ModelCheckpoint.Resolve(root).Should().EndWith("step-00000010");
        File.ReadAllText(Path.Combine(root, "step-00000010", "config.json")).Should().Contain("\"jitter\"");
    }
}
