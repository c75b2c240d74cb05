using Generative.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Generative.Extensions.DependencyInjection.Tests;

/// <summary>Configuration binding and start-up validation, with a real <see cref="IHost"/>.</summary>
public sealed class HostTests : IDisposable
{
    private readonly TempCheckpoint _checkpoint = new();
    private readonly RecordingLoader _loader = new();

    public void Dispose() => _checkpoint.Dispose();

    private IHost BuildHost(Dictionary<string, string?> settings, Action<GenerativeBuilder>? configure = null, string? contentRoot = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = contentRoot ?? Directory.GetCurrentDirectory(),
        });
        builder.Configuration.AddInMemoryCollection(settings);
        var generative = builder.Services.AddGenerative()
            .UseModelLoader(_loader)
            .AddModelsFromConfiguration(builder.Configuration.GetSection("Generative:Models"));
        configure?.Invoke(generative);
        return builder.Build();
    }

    private async Task<Exception> StartFails(Dictionary<string, string?> settings, Action<GenerativeBuilder>? configure = null)
    {
        using var host = BuildHost(settings, configure);
        try
        {
            await host.StartAsync();
        }
        catch (Exception error)
        {
            _loader.Loaded.Should().BeEmpty("no model is loaded when the options are invalid");
            return error;
        }

        throw new Xunit.Sdk.XunitException("The host started although its options are invalid.");
    }

    [Fact]
    public async Task Configured_models_are_bound_validated_and_loaded_when_the_host_starts()
    {
        using var host = BuildHost(new()
        {
            ["Generative:Models:wine:Path"] = _checkpoint.Path,
            ["Generative:Models:wine:Sampler"] = "ddim",
            ["Generative:Models:wine:Steps"] = "50",
            ["Generative:Models:wine:Eta"] = "0.25",
            ["Generative:Models:wine:GuidanceScale"] = "2",
            ["Generative:Models:wine:BatchSize"] = "128",
            ["Generative:Models:wine:MaxCount"] = "500",
            ["Generative:Models:moons"] = _checkpoint.Path,
            ["Generative:Models:lazy:Path"] = _checkpoint.Path,
            ["Generative:Models:lazy:LoadOnStart"] = "false",
        });

        _loader.Loaded.Should().BeEmpty();
        await host.StartAsync();
        _loader.Loaded.Should().HaveCount(2, "wine and moons load at start, lazy on first use");

        var options = host.Services.GetRequiredService<IOptionsMonitor<GenerativeModelOptions>>().Get("wine");
        options.CheckpointPath.Should().Be(_checkpoint.Path);
        options.Sampler.Should().Be("ddim");
        options.Steps.Should().Be(50);
        options.Eta.Should().Be(0.25);
        options.GuidanceScale.Should().Be(2);
        options.BatchSize.Should().Be(128);
        options.MaxCount.Should().Be(500);
        host.Services.GetRequiredService<IOptionsMonitor<GenerativeModelOptions>>().Get("moons").CheckpointPath
            .Should().Be(_checkpoint.Path, "a plain string value is the path");

        host.Services.GetRequiredService<IGenerativeModelRegistry>().Names
            .Should().Equal(["lazy", "moons", "wine"], "configuration lists a section's children sorted by key");
        _ = host.Services.GetRequiredKeyedService<IGenerativeModel>("lazy");
        _loader.Loaded.Should().HaveCount(3);
        await host.StopAsync();
    }

    [Fact]
    public async Task Relative_paths_resolve_against_the_content_root()
    {
        string parent = Path.GetDirectoryName(_checkpoint.Path)!;
        using var host = BuildHost(new() { ["Generative:Models:wine:Path"] = Path.GetFileName(_checkpoint.Path) }, contentRoot: parent);
        await host.StartAsync();
        _loader.Loaded.Should().Equal(_checkpoint.Path);
        await host.StopAsync();
    }

    [Fact]
    public async Task Disposing_the_host_disposes_the_models()
    {
        var host = BuildHost(new() { ["Generative:Models:wine"] = _checkpoint.Path });
        await host.StartAsync();
        await host.StopAsync();
        var model = _loader.Models.Should().ContainSingle().Which.Should().BeOfType<FakeGenerativeModel>().Which;
        model.IsDisposed.Should().BeFalse();

        host.Dispose();

        model.DisposeCount.Should().Be(1);
    }

    [Theory]
    [InlineData("Sampler", "euler", "'Generative:Models:wine:Sampler' is 'euler', an unknown sampler; known samplers: ddim, ddpm.")]
    [InlineData("Steps", "0", "'Generative:Models:wine:Steps' must be at least 1, but is 0.")]
    [InlineData("Steps", "-5", "'Generative:Models:wine:Steps' must be at least 1, but is -5.")]
    [InlineData("BatchSize", "0", "'Generative:Models:wine:BatchSize' must be at least 1, but is 0.")]
    [InlineData("Eta", "1.5", "'Generative:Models:wine:Eta' must be in [0, 1], but is 1.5.")]
    [InlineData("Eta", "-0.1", "'Generative:Models:wine:Eta' must be in [0, 1], but is -0.1.")]
    [InlineData("Eta", "NaN", "'Generative:Models:wine:Eta' must be in [0, 1], but is NaN.")]
    [InlineData("GuidanceScale", "-1", "'Generative:Models:wine:GuidanceScale' must be finite and at least 0, but is -1.")]
    [InlineData("MaxCount", "0", "'Generative:Models:wine:MaxCount' must be at least 1, but is 0.")]
    [InlineData("ImageMaximum", "0", "'Generative:Models:wine:ImageMaximum' must be finite and greater than ImageMinimum")]
    public async Task An_invalid_setting_stops_the_host_with_a_message_naming_the_model_and_the_key(string key, string value, string expected)
    {
        var error = await StartFails(new()
        {
            ["Generative:Models:wine:Path"] = _checkpoint.Path,
            [$"Generative:Models:wine:{key}"] = value,
        });

        var validation = error.Should().BeOfType<OptionsValidationException>().Which;
        validation.OptionsName.Should().Be("wine");
        validation.Failures.Should().ContainSingle().Which.Should().StartWith("Generative model 'wine': " + expected);
    }

    [Fact]
    public async Task A_missing_path_stops_the_host()
    {
        var error = await StartFails(new() { ["Generative:Models:wine:Steps"] = "10" });
        error.Message.Should().Contain("Generative model 'wine': 'Generative:Models:wine:Path' is missing");
    }

    [Fact]
    public async Task A_directory_that_does_not_exist_stops_the_host()
    {
        string missing = Path.Combine(_checkpoint.Path, "nope");
        var error = await StartFails(new() { ["Generative:Models:wine:Path"] = missing });
        error.Message.Should().Contain($"Generative model 'wine': 'Generative:Models:wine:Path' names the directory '{missing}', which does not exist.");
    }

    [Fact]
    public async Task A_directory_without_config_json_stops_the_host()
    {
        using var empty = new TempCheckpoint(withConfig: false);
        var error = await StartFails(new() { ["Generative:Models:wine:Path"] = empty.Path });
        error.Message.Should().Contain("which holds no checkpoint");
    }

    [Fact]
    public async Task A_training_root_with_step_checkpoints_is_accepted()
    {
        using var root = new TempCheckpoint(withConfig: false);
        string step = Path.Combine(root.Path, "step-00000100");
        Directory.CreateDirectory(step);
        File.WriteAllText(Path.Combine(step, "config.json"), "{}");
        using var host = BuildHost(new() { ["Generative:Models:wine:Path"] = root.Path });
        await host.StartAsync();
        _loader.Loaded.Should().Equal([root.Path], "the loader, not the validator, picks the latest step");
        await host.StopAsync();
    }

    [Fact]
    public async Task An_unknown_configuration_key_stops_the_host_naming_the_model_and_the_key()
    {
        var error = await StartFails(new()
        {
            ["Generative:Models:wine:Path"] = _checkpoint.Path,
            ["Generative:Models:wine:Step"] = "10",
        });
        error.Should().BeOfType<OptionsValidationException>()
            .Which.Failures.Should().ContainSingle().Which.Should().Be(
                "Generative model 'wine': 'Generative:Models:wine:Step' is not a known setting; known settings: BatchSize, Eta, GuidanceScale, ImageMaximum, ImageMinimum, LoadOnStart, MaxCount, Path, Sampler, Steps.");
    }

    [Fact]
    public async Task A_value_that_does_not_convert_stops_the_host_naming_the_key()
    {
        var error = await StartFails(new()
        {
            ["Generative:Models:wine:Path"] = _checkpoint.Path,
            ["Generative:Models:wine:Steps"] = "many",
        });
        error.Message.Should().Contain("Generative model 'wine'").And.Contain("Generative:Models:wine:Steps");
    }

    [Fact]
    public async Task Failures_of_several_models_are_all_reported()
    {
        var error = await StartFails(new()
        {
            ["Generative:Models:wine:Path"] = _checkpoint.Path,
            ["Generative:Models:wine:Steps"] = "0",
            ["Generative:Models:wine:Sampler"] = "plms",
            ["Generative:Models:moons:BatchSize"] = "0",
        });
        error.Should().BeOfType<AggregateException>();
        error.Message.Should()
            .Contain("'Generative:Models:wine:Steps'")
            .And.Contain("'Generative:Models:wine:Sampler'")
            .And.Contain("'Generative:Models:moons:Path' is missing")
            .And.Contain("'Generative:Models:moons:BatchSize'");
    }

    [Fact]
    public async Task Models_registered_in_code_are_validated_with_their_property_names()
    {
        var error = await StartFails([], b => b.AddModel("coded", _ => FakeGenerativeModel.Table(), o => o.Steps = 0));
        error.Message.Should().Contain("Generative model 'coded': 'GenerativeModelOptions.Steps' must be at least 1, but is 0.");
    }

    [Fact]
    public async Task A_sampler_added_by_the_application_is_accepted_in_configuration()
    {
        // RealModelTests samples with such a sampler; here only the configuration check.
        using var host = BuildHost(
            new() { ["Generative:Models:wine:Path"] = _checkpoint.Path, ["Generative:Models:wine:Sampler"] = "DPM-Solver" },
            b => b.AddSampler("dpm-solver", context => new ConstantSampler(context.Schedule, 0)));
        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public void A_sampler_name_taken_by_a_built_in_or_an_earlier_registration_is_refused_at_once()
    {
        var builder = new ServiceCollection().AddGenerative().AddSampler("zero", c => new ConstantSampler(c.Schedule, 0));
        builder.Invoking(b => b.AddSampler("ddim", c => new ConstantSampler(c.Schedule, 0))).Should().Throw<ArgumentException>()
            .WithMessage("A sampler named 'ddim' is already registered*");
        builder.Invoking(b => b.AddSampler<ConstantSampler>("ZERO")).Should().Throw<ArgumentException>()
            .WithMessage("A sampler named 'ZERO' is already registered*");
        builder.Invoking(b => b.AddSampler("not ok", c => new ConstantSampler(c.Schedule, 0))).Should().Throw<ArgumentException>()
            .WithMessage("*'not ok' is invalid*");
    }

    [Fact]
    public async Task A_checkpoint_that_fails_to_load_stops_the_host_with_the_model_name_and_path()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddGenerative()
            .UseModelLoader(new RecordingLoader(path => throw new InvalidDataException("bad header")))
            .AddModel("wine", _checkpoint.Path);
        using var host = builder.Build();

        var start = () => host.StartAsync();
        var error = (await start.Should().ThrowAsync<InvalidOperationException>()).Which;
        error.Message.Should().Be($"Generative model 'wine' could not be loaded from '{_checkpoint.Path}': bad header");
        error.InnerException.Should().BeOfType<InvalidDataException>();
    }
}
