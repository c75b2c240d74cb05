using Generative.Comparison;
using Generative.Samples.CustomSampler;

namespace Generative.Samples.PluginExample;

/// <summary>
/// The library's diffusion contender trained as usual (same network, schedule, budget and seed), sampled with this
/// assembly's <see cref="EulerSampler"/> at 10 and 20 steps (one network call per step), by name through the model's
/// own sampling loop.
/// </summary>
public sealed class EulerContender : IComparisonContender
{
    private readonly DiffusionContender _training = DiffusionContender.Ddpm(ExamplePlugin.ContenderName);

    /// <inheritdoc />
    public string Name => ExamplePlugin.ContenderName;

    /// <inheritdoc />
    public ModelFamily Family => ModelFamily.Diffusion;

    /// <inheritdoc />
    public IReadOnlyList<ContenderSampler> Samplers { get; } =
    [
        new("euler-20", ExamplePlugin.SamplerName, new SamplingOptions { Sampler = ExamplePlugin.SamplerName, Steps = 20 }, 20),
        new("euler-10", ExamplePlugin.SamplerName, new SamplingOptions { Sampler = ExamplePlugin.SamplerName, Steps = 10 }, 10),
    ];

    /// <inheritdoc />
    public TrainedContender Train(ContenderTrainingRequest request) => _training.Train(request);
}
