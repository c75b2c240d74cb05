using Generative.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Generative.Extensions.DependencyInjection.Tests;

public sealed class RegistrationTests
{
    [Fact]
    public void Models_from_code_are_keyed_singletons_created_once_and_listed_by_the_registry()
    {
        int created = 0;
        var services = new ServiceCollection();
        services.AddGenerative()
            .AddModel("wine", _ => { Interlocked.Increment(ref created); return FakeGenerativeModel.Table(); })
            .AddModel("moons", _ => FakeGenerativeModel.Points());
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });

        var wine = provider.GetRequiredKeyedService<IGenerativeModel>("wine");
        provider.GetRequiredKeyedService<IGenerativeModel>("wine").Should().BeSameAs(wine);
        provider.GetRequiredKeyedService<IGenerativeModel>("moons").Should().NotBeSameAs(wine);
        created.Should().Be(1);

        var registry = provider.GetRequiredService<IGenerativeModelRegistry>();
        registry.Names.Should().Equal("wine", "moons");
        registry.Get("wine").Should().BeSameAs(wine);
        registry.Get("WINE").Should().BeSameAs(wine, "names are matched case-insensitively");
        registry.Contains("Moons").Should().BeTrue();
        registry.TryGet("nope", out var missing).Should().BeFalse();
        missing.Should().BeNull();
        registry.Invoking(r => r.Get("nope")).Should().Throw<KeyNotFoundException>()
            .WithMessage("*'nope'*'wine', 'moons'*");
    }

    [Fact]
    public void Descriptors_report_family_shape_kind_features_classes_and_configured_defaults()
    {
        var services = new ServiceCollection();
        services.AddGenerative()
            .AddModel("wine", _ => FakeGenerativeModel.Table(), o => { o.Sampler = "DDIM"; o.Steps = 25; o.Eta = 0.5; o.MaxCount = 100; })
            .AddModel("moons", _ => FakeGenerativeModel.Points())
            .AddModel("digits", _ => new FakeGenerativeModel(new TensorShape(1, 8, 8), classCount: 10));
        using var provider = services.BuildServiceProvider();

        var all = provider.GetRequiredService<IGenerativeModelRegistry>().DescribeAll();

        all.Select(d => d.Name).Should().Equal("wine", "moons", "digits");
        var wine = all[0];
        wine.Family.Should().Be(ModelFamily.Diffusion);
        wine.SampleShape.Should().Be(new TensorShape(3));
        wine.Kind.Should().Be(SampleKind.Table);
        wine.FeatureNames.Should().Equal("alcohol", "malic_acid", "ash");
        wine.Defaults.Sampler.Should().Be("ddim", "sampler names are normalised to lower case");
        wine.Defaults.Steps.Should().Be(25);
        wine.Defaults.Eta.Should().Be(0.5);
        wine.Defaults.BatchSize.Should().BeNull();
        wine.MaxCount.Should().Be(100);
        all[1].Family.Should().Be(ModelFamily.Gan);
        all[1].Kind.Should().Be(SampleKind.Vector);
        all[1].MaxCount.Should().Be(GenerativeModelOptions.DefaultMaxCount);
        all[2].Kind.Should().Be(SampleKind.Image);
        all[2].ClassCount.Should().Be(10);
    }

    [Fact]
    public void Checkpoint_models_are_loaded_once_by_the_registered_loader_with_an_absolute_path()
    {
        using var checkpoint = new TempCheckpoint();
        var loader = new RecordingLoader();
        var services = new ServiceCollection();
        services.AddGenerative().UseModelLoader(loader).AddModel("wine", checkpoint.Path);
        using var provider = services.BuildServiceProvider();

        var registry = provider.GetRequiredService<IGenerativeModelRegistry>();
        var model = registry.Get("wine");
        registry.Get("wine").Should().BeSameAs(model);

        loader.Loaded.Should().Equal(Path.GetFullPath(checkpoint.Path));
        loader.Models.Should().ContainSingle().Which.Should().BeSameAs(model);
    }

    [Fact]
    public void Relative_checkpoint_paths_resolve_against_the_current_directory_without_a_host()
    {
        using var checkpoint = new TempCheckpoint();
        string relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), checkpoint.Path);
        var services = new ServiceCollection();
        services.AddGenerative().UseModelLoader(new RecordingLoader()).AddModel("wine", relative);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IOptionsMonitor<GenerativeModelOptions>>().Get("wine").CheckpointPath
            .Should().Be(Path.GetFullPath(checkpoint.Path));
    }

    [Fact]
    public void The_container_disposes_the_models_it_created_and_only_once()
    {
        var services = new ServiceCollection();
        var created = new List<FakeGenerativeModel>();
        services.AddGenerative()
            .AddModel("a", _ => { var m = FakeGenerativeModel.Table(); created.Add(m); return m; })
            .AddModel("b", _ => { var m = FakeGenerativeModel.Points(); created.Add(m); return m; })
            .AddModel("never-resolved", _ => { var m = FakeGenerativeModel.Points(); created.Add(m); return m; });
        var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<IGenerativeModelRegistry>();
        _ = registry.Get("a");
        _ = registry.Get("b");
        created.Should().HaveCount(2);
        created.Should().OnlyContain(m => !m.IsDisposed);

        provider.Dispose();

        created.Should().HaveCount(2, "disposal does not create models that were never resolved");
        created.Should().OnlyContain(m => m.DisposeCount == 1);
    }

    [Fact]
    public void AddGenerative_is_idempotent_and_builders_share_one_catalogue()
    {
        var services = new ServiceCollection();
        services.AddGenerative().AddModel("a", _ => FakeGenerativeModel.Table());
        services.AddGenerative().AddModel("b", _ => FakeGenerativeModel.Points());
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IGenerativeModelRegistry>().Names.Should().Equal("a", "b");
        services.Count(d => d.ServiceType == typeof(IGenerativeModelRegistry)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IValidateOptions<GenerativeModelOptions>)).Should().Be(1);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("has space")]
    [InlineData("a/b")]
    [InlineData("a:b")]
    public void Invalid_model_names_are_rejected_at_registration(string name)
    {
        var builder = new ServiceCollection().AddGenerative();
        builder.Invoking(b => b.AddModel(name, _ => FakeGenerativeModel.Table()))
            .Should().Throw<ArgumentException>().Which.ParamName.Should().Be("name");
    }

    [Fact]
    public void Duplicate_model_names_are_rejected_regardless_of_case()
    {
        var builder = new ServiceCollection().AddGenerative().AddModel("wine", _ => FakeGenerativeModel.Table());
        builder.Invoking(b => b.AddModel("Wine", "/tmp"))
            .Should().Throw<ArgumentException>().WithMessage("*'wine' is already registered*");
    }

    [Fact]
    public void A_factory_that_returns_null_fails_with_a_message_naming_the_model()
    {
        var services = new ServiceCollection();
        services.AddGenerative().AddModel("broken", _ => null!);
        using var provider = services.BuildServiceProvider();

        provider.Invoking(p => p.GetRequiredKeyedService<IGenerativeModel>("broken"))
            .Should().Throw<InvalidOperationException>().WithMessage("*'broken'*returned null*");
    }

    [Fact]
    public void The_default_loader_says_what_is_missing()
    {
        using var checkpoint = new TempCheckpoint();
        var services = new ServiceCollection();
        services.AddGenerative().AddModel("wine", checkpoint.Path);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IGenerativeModelLoader>().Should().BeOfType<CheckpointModelLoader>();
        var error = provider.Invoking(p => p.GetRequiredKeyedService<IGenerativeModel>("wine"))
            .Should().Throw<InvalidOperationException>().WithMessage("*'wine'*could not be loaded*").Which;
        error.InnerException.Should().BeOfType<NotSupportedException>()
            .Which.Message.Should().Contain("ModelCheckpoint.Load").And.Contain("UseModelLoader");
    }
}
