using System.Text.Json.Nodes;
using Generative.Checkpoints;

namespace Generative.Diffusion;

/// <summary>
/// The denoiser network types a diffusion model can be saved with and loaded from (<c>"network": {"type": …}</c> in
/// <c>config.json</c>), and whose EMA copy the trainer can make. <see cref="Default"/> holds the built-in <c>"mlp"</c>
/// (<see cref="MlpDenoiser"/>) and <c>"unet"</c> (<see cref="UNetDenoiser"/>), registered through
/// <see cref="Registry{TEntry}.Add"/> like anyone else's:
/// <code>
/// DenoiserRegistry.Default.Add("residual-mlp", new ComponentType&lt;IDenoiser&gt;(typeof(MyDenoiser),
///     network => new JsonObject { ["features"] = network.SampleShape[0] },
///     (json, generator) => new MyDenoiser((int)json["features"]!, generator)));
/// </code>
/// </summary>
/// <remarks>Loading and thread-safety: as <see cref="NetworkTypeRegistry{TNetwork}"/>.</remarks>
public sealed class DenoiserRegistry : NetworkTypeRegistry<IDenoiser>
{
    /// <summary>Creates a registry.</summary>
    /// <param name="parent">A registry whose types this one also offers; <see langword="null"/> for an empty one.</param>
    public DenoiserRegistry(DenoiserRegistry? parent = null)
        : base(parent, "denoiser", "type", network => network.Module, network => network.SampleShape)
    {
    }

    /// <summary>The process-wide registry, holding the built-in network types.</summary>
    public static DenoiserRegistry Default { get; } = CreateDefault();

    /// <summary>The registry loading uses: a container's, while its model-family registry loads, else <see cref="Default"/>.</summary>
    internal static DenoiserRegistry Loading => Current as DenoiserRegistry ?? Default;

    private static DenoiserRegistry CreateDefault()
    {
        var registry = new DenoiserRegistry();
        registry.Add(MlpDenoiserConfigReader.Type, new ComponentType<IDenoiser>(
            typeof(MlpDenoiser),
            network => new JsonObject
            {
                ["features"] = (int)network.SampleShape[0],
                ["options"] = DiffusionConfiguration.ToNode(((MlpDenoiser)network).Options),
            },
            MlpDenoiserConfigReader.Read));
        registry.Add(UNetDenoiserConfigReader.Type, new ComponentType<IDenoiser>(
            typeof(UNetDenoiser),
            network => new JsonObject
            {
                ["channels"] = (int)network.SampleShape[0],
                ["height"] = (int)network.SampleShape[1],
                ["width"] = (int)network.SampleShape[2],
                ["options"] = DiffusionConfiguration.ToNode(((UNetDenoiser)network).Options),
            },
            UNetDenoiserConfigReader.Read));
        registry.Add(TabularMlpDenoiser.RegisteredType, new ComponentType<IDenoiser>(
            typeof(TabularMlpDenoiser), TabularMlpDenoiser.Describe, TabularMlpDenoiser.Read));
        return registry;
    }
}
