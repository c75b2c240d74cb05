using Generative.Checkpoints;
using Generative.Diffusion;
using Generative.Gan;

namespace Generative.Models;

/// <summary>
/// The network-type registries a model is loaded with: denoisers, generators and critics. <see cref="Default"/> is the
/// process-wide registries; a dependency-injection container makes its own, over them, for its checkpoint loader
/// (see <see cref="ModelFamilyRegistry"/>).
/// </summary>
/// <remarks>Thread-safety: immutable; the registries are thread-safe.</remarks>
public sealed class NetworkTypes
{
    /// <summary>Groups three registries.</summary>
    /// <param name="denoisers">The denoiser network types.</param>
    /// <param name="generators">The GAN generator network types.</param>
    /// <param name="critics">The GAN critic network types.</param>
    public NetworkTypes(DenoiserRegistry denoisers, GeneratorRegistry generators, CriticRegistry critics)
    {
        ArgumentNullException.ThrowIfNull(denoisers);
        ArgumentNullException.ThrowIfNull(generators);
        ArgumentNullException.ThrowIfNull(critics);
        Denoisers = denoisers;
        Generators = generators;
        Critics = critics;
    }

    /// <summary>The denoiser network types.</summary>
    public DenoiserRegistry Denoisers { get; }

    /// <summary>The GAN generator network types.</summary>
    public GeneratorRegistry Generators { get; }

    /// <summary>The GAN critic network types.</summary>
    public CriticRegistry Critics { get; }

    /// <summary>The process-wide registries (<see cref="DenoiserRegistry.Default"/>, <see cref="GeneratorRegistry.Default"/>,
    /// <see cref="CriticRegistry.Default"/>).</summary>
    public static NetworkTypes Default { get; } = new(DenoiserRegistry.Default, GeneratorRegistry.Default, CriticRegistry.Default);

    /// <summary>Makes these the registries that loading on this flow uses until the returned scope is disposed (see
    /// <see cref="ModelFamilyRegistry.Load"/>).</summary>
    internal IDisposable Use() => new Scope(
        NetworkTypeRegistry<IDenoiser>.Use(Denoisers), NetworkTypeRegistry<IGenerator>.Use(Generators), NetworkTypeRegistry<IDiscriminator>.Use(Critics));

    private sealed class Scope(params IDisposable[] scopes) : IDisposable
    {
        public void Dispose()
        {
            for (int i = scopes.Length - 1; i >= 0; i--)
            {
                scopes[i].Dispose();
            }
        }
    }
}
