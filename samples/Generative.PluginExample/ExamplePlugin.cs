using Generative.Comparison;
using Generative.Diffusion;
using Generative.Samples.CustomSampler;

namespace Generative.Samples.PluginExample;

/// <summary>
/// What this assembly adds to Generative, registered the way the built-ins are: the sampler <c>"euler"</c> (for every
/// diffusion model's <c>Sample</c> by name), the denoiser network type <c>"example-mlp"</c> (saved and loaded by name)
/// and the comparison contender <c>"diffusion-euler"</c>. A host that loads the
/// assembly (<c>GenerativePlugins.LoadFrom</c>, <c>Generative.Compare --plugin</c>) calls <see cref="Register"/> once.
/// </summary>
public sealed class ExamplePlugin : IGenerativePlugin
{
    /// <summary>The sampler's name.</summary>
    public const string SamplerName = "euler";

    /// <summary>The contender's name.</summary>
    public const string ContenderName = "diffusion-euler";

    /// <inheritdoc />
    public void Register()
    {
        // TryAdd: an application may also have registered the sampler by hand (the CustomSampler demo does).
        SamplerRegistry.Default.TryAdd(SamplerName, context => new EulerSampler(context.Schedule, context.PredictionType));
        ContenderRegistry.Default.TryAdd(ContenderName, () => new EulerContender());
        DenoiserRegistry.Default.TryAdd(ExampleDenoiser.Key, ExampleDenoiser.Format);
    }
}
