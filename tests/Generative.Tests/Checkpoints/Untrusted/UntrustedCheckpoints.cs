using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Generative.Checkpoints;
using Generative.Data;
using Generative.Diffusion;
using Generative.Gan;
using Generative.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Checkpoints.Untrusted;

/// <summary>
/// Pristine checkpoints of every kind the loaders read, written once per test class: saved models of both families and
/// every built-in network type, and trainer checkpoint roots (two <c>step-*</c> checkpoints each) of both families with EMA.
/// Tests copy them and mutate the copies.
/// </summary>
public sealed class UntrustedCheckpoints : IDisposable
{
    public const int DataCount = 48;
    public const int BatchSize = 16;

    public UntrustedCheckpoints()
    {
        Root = Directory.CreateTempSubdirectory("gen-untrusted-").FullName;
        using var scope = NewDisposeScope();
        var standardization = new DataStandardization([1, 2], [3, 4], ["x", "y"]);

        using (var denoiser = new MlpDenoiser(2, new MlpDenoiserOptions { Width = 8, Depth = 2, TimeEmbeddingDimension = 4, ClassCount = 3 }, new Generator(1)))
        using (var ema = new MlpDenoiser(2, new MlpDenoiserOptions { Width = 8, Depth = 2, TimeEmbeddingDimension = 4, ClassCount = 3 }, new Generator(2)))
        using (var model = new DiffusionModel(denoiser, new NoiseSchedule(new NoiseScheduleOptions { TrainTimesteps = 50 }), emaDenoiser: ema, standardization: standardization, ownsNetworks: false))
        {
            model.Save(DiffusionMlp);
        }

        using (var unet = new UNetDenoiser(1, 8, 8, new UNetDenoiserOptions { BaseChannels = 8, GroupCount = 4, ChannelMultipliers = [1, 2] }, new Generator(3)))
        using (var model = new DiffusionModel(unet, new NoiseSchedule(new NoiseScheduleOptions { TrainTimesteps = 50 }), ownsNetworks: false))
        {
            model.Save(DiffusionUNet);
        }

        using (var generator = new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 4, HiddenWidth = 8, HiddenLayers = 2, ClassCount = 2, ClassEmbeddingDimension = 3 }, new Generator(4)))
        using (var model = new GanModel(generator, standardization, ownsGenerator: false))
        {
            model.Save(GanMlp);
        }

        using (var generator = new ConvGenerator(new ConvGeneratorOptions { ImageSize = 8, Channels = 1, LatentDimension = 4, Width = 4 }, new Generator(5)))
        using (var model = new GanModel(generator, ownsGenerator: false))
        {
            model.Save(GanConv);
        }

        using (var data = Data())
        using (var run = DiffusionRun.Create())
        using (var trainer = run.Builder(data).WithSteps(4).WithCheckpointing(DiffusionTrainerRoot, 2).Build())
        {
            trainer.Run();
        }

        using (var data = Data())
        using (var run = GanRun.Create())
        using (var trainer = run.Builder(data).WithSteps(4).WithCheckpointing(GanTrainerRoot, 2).Build())
        {
            trainer.Run();
        }
    }

    public string Root { get; }

    public string DiffusionMlp => Path.Combine(Root, "diffusion-mlp");

    public string DiffusionUNet => Path.Combine(Root, "diffusion-unet");

    public string GanMlp => Path.Combine(Root, "gan-mlp");

    public string GanConv => Path.Combine(Root, "gan-conv");

    public string DiffusionTrainerRoot => Path.Combine(Root, "diffusion-trainer");

    public string GanTrainerRoot => Path.Combine(Root, "gan-trainer");

    /// <summary>The newest checkpoint under a trainer root.</summary>
    public static string Latest(string root) => ModelCheckpoint.Resolve(root);

    public static TensorDataSource Data()
    {
        using var g = new Generator(11);
        return new TensorDataSource(randn([DataCount, 2], generator: g));
    }

    /// <summary>Copies a checkpoint directory (or a whole root) to <paramref name="target"/>.</summary>
    public static string Copy(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (string file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        foreach (string dir in Directory.EnumerateDirectories(source))
        {
            Copy(dir, Path.Combine(target, Path.GetFileName(dir)));
        }

        return target;
    }

    /// <summary>Records the SHA-256 of <paramref name="file"/> in its checkpoint's config.json, so that only the loaders' other checks can object.</summary>
    public static void Rehash(string file)
    {
        string configPath = Path.Combine(Path.GetDirectoryName(file)!, ModelCheckpoint.ConfigFileName);
        var config = JsonNode.Parse(File.ReadAllText(configPath))!;
        config["files"]![Path.GetFileName(file)] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
        File.WriteAllText(configPath, config.ToJsonString());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The diffusion training run of the trainer checkpoints: a tiny MLP denoiser with an EMA callback.</summary>
internal sealed class DiffusionRun : IDisposable
{
    private DiffusionRun(MlpDenoiser denoiser, NoiseSchedule schedule, DiffusionTrainingStep step, ExponentialMovingAverage ema)
    {
        Denoiser = denoiser;
        Schedule = schedule;
        Step = step;
        Ema = ema;
    }

    public MlpDenoiser Denoiser { get; }

    public NoiseSchedule Schedule { get; }

    public DiffusionTrainingStep Step { get; }

    public ExponentialMovingAverage Ema { get; }

    public static DiffusionRun Create(ulong seed = 6)
    {
        var denoiser = new MlpDenoiser(2, new MlpDenoiserOptions { Width = 8, Depth = 1, TimeEmbeddingDimension = 4 }, new Generator(seed));
        var schedule = new NoiseSchedule(new NoiseScheduleOptions { TrainTimesteps = 50 });
        var step = new DiffusionTrainingStep(denoiser, schedule);
        return new DiffusionRun(denoiser, schedule, step, new ExponentialMovingAverage(denoiser, 0.9));
    }

    public TrainerBuilder Builder(IDataSource data) =>
        Trainer.For(Step).WithData(data).WithBatchSize(UntrustedCheckpoints.BatchSize).WithSeed(5).WithCallback(Ema);

    public void Dispose()
    {
        Ema.Dispose();
        Step.Dispose();
        Schedule.Dispose();
        Denoiser.Dispose();
    }
}

/// <summary>The GAN training run of the trainer checkpoints: tiny MLP generator and critic, WGAN-GP, EMA generator.</summary>
internal sealed class GanRun : IDisposable
{
    private GanRun(MlpGenerator generator, MlpCritic critic, GanTrainingStep step)
    {
        Generator = generator;
        Critic = critic;
        Step = step;
    }

    public MlpGenerator Generator { get; }

    public MlpCritic Critic { get; }

    public GanTrainingStep Step { get; }

    public static GanRun Create(ulong seed = 7)
    {
        var generator = new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 4, HiddenWidth = 8, HiddenLayers = 1 }, new Generator(seed));
        var critic = new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2), HiddenWidth = 8, HiddenLayers = 1 }, new Generator(seed + 1));
        var step = new GanTrainingStep(generator, critic, GanTrainingOptions.WganGp() with { CriticStepsPerGeneratorStep = 2, EmaDecay = 0.9 });
        return new GanRun(generator, critic, step);
    }

    public TrainerBuilder Builder(IDataSource data) =>
        Trainer.For(Step).WithData(data).WithBatchSize(UntrustedCheckpoints.BatchSize).WithSeed(5);

    public void Dispose()
    {
        Step.Dispose();
        Critic.Dispose();
        Generator.Dispose();
    }
}
