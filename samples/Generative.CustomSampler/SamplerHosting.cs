using Microsoft.Extensions.DependencyInjection;

namespace Generative.Samples.CustomSampler;

/// <summary>The Euler sampler in a host: registered in the container, usable by every hosted diffusion model.</summary>
public static class SamplerHosting
{
    /// <summary>
    /// Registers <see cref="EulerSampler"/> under <paramref name="name"/> for the container's models: configuration
    /// (<c>"Generative:Models:x:Sampler": "euler"</c>) and requests (<c>"sampler": "euler"</c>) may name it. The container
    /// makes a sampler per batch with <see cref="EulerSampler"/>'s constructor, given the model's schedule and prediction type.
    /// </summary>
    /// <param name="generative">The builder returned by <c>services.AddGenerative()</c>.</param>
    /// <param name="name">The sampler's name in this container; it must not be registered already (in the container or
    /// in <see cref="Diffusion.SamplerRegistry.Default"/>).</param>
    /// <returns>The builder.</returns>
    public static GenerativeBuilder AddEulerSampler(this GenerativeBuilder generative, string name = CustomSamplerDemo.EulerName) =>
        generative.AddSampler<EulerSampler>(name);
}
