using Generative.Diffusion;
using Generative.Gan;

namespace Generative;

/// <summary>
/// The network-type registries a model is loaded with: denoisers, generators and critics. <see cref="Default"/> is the
/// process-wide registries; a dependency-injection container makes its own, over them, for its checkpoint loader
/// (see <see cref="Models.ModelFamilyRegistry"/>).
/// </summary>
/// <remarks>Thread-safety: immutable; the registries are thread-safe.</remarks>
public sealed class NetworkTypes
{
    private static readonly AsyncLocal<NetworkTypes?> Ambient = new();

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

    /// <summary>The registries the loading in progress on this flow uses (set by <see cref="Use"/>), else <see cref="Default"/>.
    /// Loaders read it, so that a model family's loader delegate (which takes only a directory) loads with the registries of
    /// the container whose <see cref="Models.ModelFamilyRegistry"/> called it — the pattern of
    /// <c>AssemblyLoadContext.EnterContextualReflection</c>.</summary>
    internal static NetworkTypes Current => Ambient.Value ?? Default;

    /// <summary>Makes <paramref name="types"/> the <see cref="Current"/> registries until the returned scope is disposed.</summary>
    internal static Scope Use(NetworkTypes types) => new(types);

    /// <summary>Restores the previous registries when disposed.</summary>
    internal readonly struct Scope : IDisposable
    {
        private readonly NetworkTypes? _previous;

        public Scope(NetworkTypes types)
        {
            _previous = Ambient.Value;
            Ambient.Value = types;
        }

        public void Dispose() => Ambient.Value = _previous;
    }
}
