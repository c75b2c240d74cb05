using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Extensions.DependencyInjection.Tests;

/// <summary>A trivially checkable sampler: one step (at timestep 0) that returns <c>value</c> everywhere, whatever the
/// network says; samples are then <c>value</c> in the model's standardised units.</summary>
public sealed class ConstantSampler(INoiseSchedule schedule, double value) : ISampler
{
    private long[] _timesteps = [];

    public INoiseSchedule Schedule { get; } = schedule;

    public IReadOnlyList<long> Timesteps => _timesteps;

    public double InitNoiseSigma => 1.0;

    public void SetTimesteps(int inferenceSteps) => _timesteps = [0];

    public Tensor ScaleModelInput(Tensor sample, long timestep) => sample;

    public SamplerStepOutput Step(Tensor modelOutput, long timestep, Tensor sample, Generator? generator = null) =>
        new(torch.full_like(sample, value), null);
}

/// <summary>A service of the container that <see cref="OffsetSampler"/> takes.</summary>
public sealed record SamplerOffset(double Value);

/// <summary>A sampler registered by type: its constructor takes the model's schedule and a service.</summary>
public sealed class OffsetSampler(INoiseSchedule schedule, SamplerOffset offset) : ISampler
{
    private readonly ConstantSampler _inner = new(schedule, offset.Value);

    public INoiseSchedule Schedule => _inner.Schedule;

    public IReadOnlyList<long> Timesteps => _inner.Timesteps;

    public double InitNoiseSigma => 1.0;

    public void SetTimesteps(int inferenceSteps) => _inner.SetTimesteps(inferenceSteps);

    public Tensor ScaleModelInput(Tensor sample, long timestep) => sample;

    public SamplerStepOutput Step(Tensor modelOutput, long timestep, Tensor sample, Generator? generator = null) =>
        _inner.Step(modelOutput, timestep, sample, generator);
}
