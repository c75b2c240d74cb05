using Generative.Data;
using Generative.Diffusion;
using Generative.Gan;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Training;

/// <summary>The facades' batch size: unset, it is min(256, rows) and the log says so; set above the data, it is an error
/// naming the option that fixes it.</summary>
public sealed class DefaultBatchSizeTests
{
    private const int Rows = 50;

    private static TensorDataSource SmallData() => new(randn([Rows, 2], generator: new Generator(3)));

    private static MlpDenoiser Denoiser() =>
        new(2, new MlpDenoiserOptions { Width = 16, Depth = 1, TimeEmbeddingDimension = 8 }, new Generator(1));

    private static (MlpGenerator, MlpCritic) Gan()
    {
        var g = new Generator(1);
        return (new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), LatentDimension = 4, HiddenWidth = 16, HiddenLayers = 1 }, g),
                new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2), HiddenWidth = 16, HiddenLayers = 1 }, g));
    }

    [Fact]
    public void Diffusion_without_a_batch_size_uses_every_row_of_a_small_table_and_logs_it()
    {
        using var scope = NewDisposeScope();
        using var data = SmallData();
        var log = new CollectingLogger();
        var (model, summary) = DiffusionTrainer.Train(Denoiser(), data, new DiffusionTrainerOptions { Steps = 3, EmaDecay = null }, b => b.WithLogger(log));
        using (model)
        {
            summary.CompletedSteps.Should().Be(3);
        }

        AssertLoweredTo(log, Rows, "DiffusionTrainerOptions.BatchSize");
    }

    [Fact]
    public void Diffusion_with_a_batch_size_above_the_rows_names_the_option()
    {
        using var scope = NewDisposeScope();
        using var data = SmallData();
        using var denoiser = Denoiser();
        FluentActions.Invoking(() => DiffusionTrainer.Train(denoiser, data, new DiffusionTrainerOptions { Steps = 3, BatchSize = 256 }))
            .Should().Throw<InvalidOperationException>()
            .WithMessage($"*batch size 256 exceeds the {Rows} samples: set DiffusionTrainerOptions.BatchSize to at most {Rows}*");
    }

    [Fact]
    public void Gan_without_a_batch_size_uses_every_row_of_a_small_table_and_logs_it()
    {
        using var scope = NewDisposeScope();
        using var data = SmallData();
        var (generator, critic) = Gan();
        using var g = generator;
        using var c = critic;
        var log = new CollectingLogger();
        var (model, summary) = GanTrainer.Train(generator, critic, data, new GanTrainerOptions { Steps = 3 }, b => b.WithLogger(log));
        using (model)
        {
            summary.CompletedSteps.Should().Be(3);
        }

        AssertLoweredTo(log, Rows, "GanTrainerOptions.BatchSize");
    }

    [Fact]
    public void Gan_with_a_batch_size_above_the_rows_names_the_argument()
    {
        using var scope = NewDisposeScope();
        using var data = SmallData();
        var (generator, critic) = Gan();
        using var g = generator;
        using var c = critic;
        FluentActions.Invoking(() => GanTrainer.Train(generator, critic, data, new GanTrainerOptions { Steps = 3, BatchSize = 256 }))
            .Should().Throw<InvalidOperationException>()
            .WithMessage($"*batch size 256 exceeds the {Rows} samples: set GanTrainerOptions.BatchSize to at most {Rows}*");
    }

    [Fact]
    public void A_default_that_fits_the_data_is_kept_and_not_logged()
    {
        using var scope = NewDisposeScope();
        using var data = new TensorDataSource(randn([300, 2], generator: new Generator(3)));
        var log = new CollectingLogger();
        var (model, _) = DiffusionTrainer.Train(Denoiser(), data, new DiffusionTrainerOptions { Steps = 1, EmaDecay = null }, b => b.WithLogger(log));
        model.Dispose();
        log.Entries.Should().NotContain(e => e.Id.Name == "BatchSizeLowered");
        log.Entries.Should().Contain(e => e.Id.Name == "TrainingStarted" && e.Message.Contains("batch 256 (Drop)", StringComparison.Ordinal));
    }

    private static void AssertLoweredTo(CollectingLogger log, int rows, string option)
    {
        log.Entries.Should().ContainSingle(e => e.Id.Name == "BatchSizeLowered")
            .Which.Message.Should().Be($"The default batch size 256 exceeds the data: every batch holds all {rows} samples (set {option} to choose another size)");
        log.Entries.Single(e => e.Id.Name == "BatchSizeLowered").Level.Should().Be(LogLevel.Information);
        log.Entries.Should().Contain(e => e.Id.Name == "TrainingStarted" && e.Message.Contains($"batch {rows} (Drop)", StringComparison.Ordinal));
    }
}
