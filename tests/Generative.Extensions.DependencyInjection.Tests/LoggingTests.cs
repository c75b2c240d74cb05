using System.Collections.Concurrent;
using Generative.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Generative.Extensions.DependencyInjection.Tests;

public sealed class LoggingTests
{
    [Fact]
    public void Loading_a_model_logs_its_name_family_sample_shape_source_and_time()
    {
        var sink = new ListLoggerProvider();
        using var checkpoint = new TempCheckpoint();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(sink).SetMinimumLevel(LogLevel.Information));
        services.AddGenerative()
            .UseModelLoader(new RecordingLoader(_ => new FakeGenerativeModel(new TensorShape(1, 8, 8), classCount: 10)))
            .AddModel("digits", checkpoint.Path);
        using var provider = services.BuildServiceProvider();

        _ = provider.GetRequiredService<IGenerativeModelRegistry>().Get("digits");

        var entry = sink.Entries.Should().ContainSingle(e => e.Category == "Generative.Hosting.GenerativeModels").Which;
        entry.Level.Should().Be(LogLevel.Information);
        entry.Message.Should().MatchRegex(
            $"^Generative model 'digits' ready: diffusion, sample shape \\[1, 8, 8\\], 10 classes, from {System.Text.RegularExpressions.Regex.Escape(Path.GetFullPath(checkpoint.Path))}, in \\d+ ms\\.$");
    }

    [Fact]
    public void A_failed_load_is_logged_as_an_error_with_the_exception()
    {
        var sink = new ListLoggerProvider();
        using var checkpoint = new TempCheckpoint();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(sink));
        services.AddGenerative()
            .UseModelLoader(new RecordingLoader(_ => throw new InvalidDataException("truncated")))
            .AddModel("wine", checkpoint.Path);
        using var provider = services.BuildServiceProvider();

        provider.Invoking(p => p.GetRequiredKeyedService<IGenerativeModel>("wine")).Should().Throw<InvalidOperationException>();

        var entry = sink.Entries.Should().ContainSingle(e => e.Level == LogLevel.Error).Which;
        entry.Message.Should().Contain("'wine'");
        entry.Exception.Should().BeOfType<InvalidDataException>();
    }

    [Fact]
    public void A_root_whose_newest_checkpoint_is_corrupt_serves_the_previous_one_and_logs_a_warning_naming_it()
    {
        using var root = new TempCheckpoint(withConfig: false);
        using (var model = new Generative.Diffusion.DiffusionModel(
            new Generative.Diffusion.MlpDenoiser(2, new Generative.Diffusion.MlpDenoiserOptions { Width = 8, Depth = 1, TimeEmbeddingDimension = 4 }),
            new Generative.Diffusion.NoiseSchedule(new Generative.Diffusion.NoiseScheduleOptions { TrainTimesteps = 10 })))
        {
            model.Save(Path.Combine(root.Path, "step-00000001"));
            model.Save(Path.Combine(root.Path, "step-00000002"));
        }

        string newest = Path.Combine(root.Path, "step-00000002");
        string weights = Path.Combine(newest, "model.safetensors");
        File.WriteAllBytes(weights, File.ReadAllBytes(weights)[..^4]);
        var sink = new ListLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(sink));
        services.AddGenerative().AddModel("m", root.Path);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredKeyedService<IGenerativeModel>("m").SampleShape.Should().Be(new TensorShape(2));

        var warning = sink.Entries.Should().ContainSingle(e => e.Level == LogLevel.Warning).Which;
        warning.Category.Should().Be(typeof(CheckpointModelLoader).FullName);
        warning.Message.Should().Contain(newest).And.Contain("SHA-256");
    }

    [Fact]
    public void An_absent_configuration_section_registers_no_model()
    {
        var configuration = new ConfigurationBuilder().Build();
        var services = new ServiceCollection();
        services.AddGenerative().AddModelsFromConfiguration(configuration.GetSection("Generative:Models"));
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IGenerativeModelRegistry>().Names.Should().BeEmpty();
    }

    private sealed record LogEntry(string Category, LogLevel Level, string Message, Exception? Exception);

    private sealed class ListLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<LogEntry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new ListLogger(categoryName, Entries);

        public void Dispose()
        {
        }

        private sealed class ListLogger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue(new LogEntry(category, logLevel, formatter(state, exception), exception));
        }
    }
}
