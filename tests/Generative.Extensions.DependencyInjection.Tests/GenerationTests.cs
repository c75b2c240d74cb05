using Generative.Hosting;
using Generative.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using TorchSharp;

namespace Generative.Extensions.DependencyInjection.Tests;

public sealed class GenerationTests : IDisposable
{
    private readonly FakeGenerativeModel _wine = FakeGenerativeModel.Table();
    private readonly FakeGenerativeModel _digits = new(new TensorShape(1, 4, 4), classCount: 10);
    private readonly ServiceProvider _provider;
    private readonly ISyntheticDataGenerator _generator;

    public GenerationTests()
    {
        var services = new ServiceCollection();
        services.AddGenerative()
            .AddModel("wine", _ => _wine, o => { o.Sampler = "ddim"; o.Steps = 20; o.Eta = 0.5; o.BatchSize = 64; o.MaxCount = 100; })
            .AddModel("digits", _ => _digits);
        _provider = services.BuildServiceProvider();
        _generator = _provider.GetRequiredService<ISyntheticDataGenerator>();
    }

    public void Dispose() => _provider.Dispose();

    private static float[] Values(GeneratedSamples samples) => samples.Samples.data<float>().ToArray();

    [Fact]
    public void The_configured_defaults_reach_the_model_and_the_request_overrides_them()
    {
        using (var first = _generator.Generate("wine", new GenerationRequest(5) { Seed = 1 }))
        {
            first.Options.Should().BeEquivalentTo(new SamplingOptions { Sampler = "ddim", Steps = 20, Eta = 0.5, BatchSize = 64 });
        }

        using (var second = _generator.Generate("WINE", new GenerationRequest(5) { Seed = 1, Steps = 7, Sampler = "DDPM", Eta = 1, BatchSize = 2, GuidanceScale = 3 }))
        {
            second.ModelName.Should().Be("wine");
            second.Options.Should().BeEquivalentTo(new SamplingOptions { Sampler = "ddpm", Steps = 7, Eta = 1, BatchSize = 2, GuidanceScale = 3 });
        }

        _wine.Calls.Select(c => c!.Steps).Should().Equal(20, 7);
        _wine.Calls.Select(c => c!.Sampler).Should().Equal("ddim", "ddpm");
    }

    [Fact]
    public void A_seed_draws_exactly_the_stream_of_a_generator_with_that_seed()
    {
        using var samples = _generator.Generate("wine", new GenerationRequest(4) { Seed = 1234, Steps = 0 + 1 });
        using var expected = torch.randn([4, 3], generator: new torch.Generator(1234)).add(1f);

        samples.Seed.Should().Be(1234);
        samples.Count.Should().Be(4);
        samples.Samples.shape.Should().Equal(4, 3);
        Values(samples).Should().Equal(expected.data<float>().ToArray());
    }

    [Fact]
    public void The_same_seed_gives_the_same_samples_and_another_seed_other_samples()
    {
        using var a = _generator.Generate("wine", new GenerationRequest(8) { Seed = 7 });
        using var b = _generator.Generate("wine", new GenerationRequest(8) { Seed = 7 });
        using var c = _generator.Generate("wine", new GenerationRequest(8) { Seed = 8 });

        Values(a).Should().Equal(Values(b));
        Values(a).Should().NotEqual(Values(c));
    }

    [Fact]
    public void Without_a_seed_a_random_seed_is_drawn_and_reported_so_the_samples_can_be_reproduced()
    {
        using var a = _generator.Generate("wine", new GenerationRequest(6));
        using var b = _generator.Generate("wine", new GenerationRequest(6));
        using var again = _generator.Generate("wine", new GenerationRequest(6) { Seed = a.Seed });

        a.Seed.Should().BeInRange(0, GenerationRequest.MaxRandomSeed);
        a.Seed.Should().NotBe(b.Seed);
        Values(a).Should().NotEqual(Values(b));
        Values(again).Should().Equal(Values(a));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(101)]
    public void A_count_outside_1_to_the_configured_maximum_is_rejected_naming_the_maximum(int count)
    {
        _generator.Invoking(g => g.Generate("wine", new GenerationRequest(count)))
            .Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage($"Count must be between 1 and 100 (the MaxCount of generative model 'wine'), but is {count}.*");
        _wine.Calls.Should().BeEmpty();
    }

    [Fact]
    public void The_default_maximum_applies_when_none_is_configured()
    {
        _generator.Invoking(g => g.Generate("digits", new GenerationRequest(GenerativeModelOptions.DefaultMaxCount + 1)))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*between 1 and 10000*");
    }

    [Fact]
    public void Out_of_range_overrides_are_rejected_before_sampling()
    {
        var bad = new GenerationRequest[]
        {
            new(1) { Seed = -1 }, new(1) { Steps = 0 }, new(1) { BatchSize = 0 }, new(1) { Eta = 2 },
            new(1) { GuidanceScale = double.PositiveInfinity }, new(1) { ClassLabel = 0 },
        };
        foreach (var request in bad)
        {
            _generator.Invoking(g => g.Generate("wine", request)).Should().Throw<ArgumentException>(request.ToString());
        }

        _generator.Invoking(g => g.Generate("wine", new GenerationRequest(1) { Sampler = "euler" }))
            .Should().Throw<ArgumentException>().WithMessage("Sampler 'euler' is unknown; known samplers: ddim, ddpm.*");
        _generator.Invoking(g => g.Generate("digits", new GenerationRequest(1) { ClassLabel = 10 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("ClassLabel must be in [0, 10)*");
        _wine.Calls.Should().BeEmpty();
        _digits.Calls.Should().BeEmpty();
    }

    [Fact]
    public void A_class_label_reaches_the_model_as_one_label_per_sample()
    {
        var seen = new List<long[]>();
        var model = new LabelRecordingModel(seen);
        var services = new ServiceCollection();
        services.AddGenerative().AddModel("cond", _ => model);
        using var provider = services.BuildServiceProvider();

        using var samples = provider.GetRequiredService<ISyntheticDataGenerator>().Generate("cond", new GenerationRequest(3) { ClassLabel = 2, Seed = 0 });

        seen.Should().ContainSingle().Which.Should().Equal(2, 2, 2);
        samples.Options.ClassLabels.Should().BeNull("the result does not keep the disposed label tensor");
    }

    [Fact]
    public void An_unknown_model_is_reported_with_the_registered_names()
    {
        _generator.Invoking(g => g.Generate("beer", new GenerationRequest(1)))
            .Should().Throw<KeyNotFoundException>().WithMessage("*'beer'*'wine', 'digits'*");
    }

    [Fact]
    public void Cancellation_is_passed_to_the_model()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        _generator.Invoking(g => g.Generate("wine", new GenerationRequest(1), cancelled.Token))
            .Should().Throw<OperationCanceledException>();
    }

    [Fact]
    public void Thirty_two_parallel_seeded_calls_equal_the_same_calls_made_one_after_another()
    {
        var requests = Enumerable.Range(0, 32)
            .Select(i => (Model: i % 2 == 0 ? "wine" : "digits", Request: new GenerationRequest(1 + (i % 5) * 7) { Seed = 1000 + i }))
            .ToArray();

        var sequential = requests.Select(r => { using var s = _generator.Generate(r.Model, r.Request); return Values(s); }).ToArray();

        // One dedicated thread per call, released together, so that the calls really overlap.
        var parallel = new float[requests.Length][];
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        using var gate = new ManualResetEventSlim();
        var threads = Enumerable.Range(0, requests.Length).Select(i => new Thread(() =>
        {
            try
            {
                gate.Wait();
                using var s = _generator.Generate(requests[i].Model, requests[i].Request);
                parallel[i] = Values(s);
            }
            catch (Exception ex)
            {
                errors.Enqueue(ex);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        gate.Set();
        threads.ForEach(t => t.Join());

        errors.Should().BeEmpty();
        for (int i = 0; i < requests.Length; i++)
        {
            parallel[i].Should().Equal(sequential[i], $"call {i} (seed {requests[i].Request.Seed})");
        }

        sequential.Select(v => v.Length).Distinct().Should().HaveCountGreaterThan(1, "the calls differ in count");
    }

    [Fact]
    public void Generating_and_disposing_leaves_no_live_tensors()
    {
        using (var warm = _generator.Generate("wine", new GenerationRequest(3) { Seed = 0 }))
        {
            _ = warm.ToTable();
        }

        long before = LiveTensors.Count;
        for (int i = 0; i < 50; i++)
        {
            using var samples = _generator.Generate(i % 2 == 0 ? "wine" : "digits", new GenerationRequest(10) { Seed = i });
            _ = samples.ToTable();
            if (samples.Kind == SampleKind.Image)
            {
                _ = samples.ToPngGrid();
            }
        }

        LiveTensors.Count.Should().Be(before);
    }

    [Fact]
    public void Tables_carry_the_feature_names_and_the_sample_values_row_by_row()
    {
        using var samples = _generator.Generate("wine", new GenerationRequest(4) { Seed = 3 });
        var table = samples.ToTable();

        table.Columns.Should().Equal("alcohol", "malic_acid", "ash");
        table.RowCount.Should().Be(4);
        var values = Values(samples);
        for (int r = 0; r < 4; r++)
        {
            table.GetRow(r).ToArray().Should().Equal(values.Skip(r * 3).Take(3));
        }

        table.ToRows().Should().HaveCount(4).And.OnlyContain(row => row.Length == 3);
    }

    [Fact]
    public void Vectors_and_images_flatten_to_numbered_columns()
    {
        using var samples = _generator.Generate("digits", new GenerationRequest(2) { Seed = 3 });
        var table = samples.ToTable();
        table.Columns.Should().HaveCount(16);
        table.Columns[0].Should().Be("x0");
        table.Columns[15].Should().Be("x15");
        table.GetRow(1).ToArray().Should().Equal(Values(samples).Skip(16));
    }

    [Fact]
    public void Png_output_is_refused_for_tables()
    {
        using var samples = _generator.Generate("wine", new GenerationRequest(2) { Seed = 3 });
        samples.Invoking(s => s.ToPngGrid()).Should().Throw<InvalidOperationException>().WithMessage("*'wine'*not images*");
    }

    [Fact]
    public void The_result_owns_its_samples_even_when_the_caller_has_a_dispose_scope_open()
    {
        GeneratedSamples samples;
        using (var scope = torch.NewDisposeScope())
        {
            samples = _generator.Generate("wine", new GenerationRequest(2) { Seed = 3 });
        }

        using (samples)
        {
            samples.Samples.IsInvalid.Should().BeFalse();
            samples.ToTable().RowCount.Should().Be(2);
        }
    }

    [Fact]
    public void Disposing_the_result_disposes_the_samples()
    {
        var samples = _generator.Generate("wine", new GenerationRequest(2) { Seed = 3 });
        var tensor = samples.Samples;
        samples.Dispose();
        samples.Dispose();
        tensor.IsInvalid.Should().BeTrue();
        samples.Invoking(s => s.Samples).Should().Throw<ObjectDisposedException>();
    }

    private sealed class LabelRecordingModel(List<long[]> seen) : IGenerativeModel
    {
        public ModelFamily Family => ModelFamily.Diffusion;

        public TensorShape SampleShape { get; } = new(2);

        public int ClassCount => 3;

        public IReadOnlyList<string>? FeatureNames => null;

        public torch.Tensor Sample(int count, torch.Generator? generator = null, SamplingOptions? options = null, CancellationToken cancellationToken = default)
        {
            seen.Add(options!.ClassLabels!.data<long>().ToArray());
            return torch.zeros(count, 2);
        }

        public IEnumerable<torch.Tensor> SampleBatches(int count, torch.Generator? generator = null, SamplingOptions? options = null, CancellationToken cancellationToken = default) =>
            [Sample(count, generator, options, cancellationToken)];

        public void Dispose()
        {
        }
    }
}
