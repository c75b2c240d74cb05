using Generative.Training;

namespace Generative.Comparison;

/// <summary>Makes a fresh contender for a comparison run.</summary>
/// <returns>A new contender, not shared between runs.</returns>
public delegate IComparisonContender ContenderFactory();

/// <summary>
/// The contenders a comparison can run by name (<c>Generative.Compare --contenders</c>, <see cref="Create"/>).
/// <see cref="Default"/> holds the built-in <c>gan</c>, <c>wgan-gp</c>, <c>wgan-gp-sn</c>, <c>diffusion</c> (also
/// <c>ddpm</c>), <c>flow</c>, <c>flow-reflow</c>, <c>flow-ot</c> (minibatch optimal-transport coupling, <see cref="FlowContender.OptimalTransport"/>), <c>ddgan</c> (also <c>ddgan-4</c>: T = 4, row <c>ddgan-4</c>), <c>ddgan-2</c> (T = 2)
/// and <c>pacgan1</c> … <c>pacgan4</c> (PacGAN's grid setup with packs of m samples, <see cref="GanContender.PacGan"/>)
/// and <c>diffusion-ddim50</c>, <c>diffusion-ddim10</c> (the diffusion contender sampled with DDIM alone, <see cref="DiffusionContender.Ddim"/>)
/// — all but the first five are not in the default line-up — registered through <see cref="Registry{TEntry}.Add"/> like anyone else's:
/// <code>
/// ContenderRegistry.Default.Add("my-gan", () => new MyGanContender());
/// </code>
/// </summary>
/// <remarks>Thread-safety: as <see cref="Registry{TEntry}"/>.</remarks>
public sealed class ContenderRegistry : Registry<ContenderFactory>
{
    /// <summary>Creates a registry.</summary>
    /// <param name="parent">A registry whose contenders this one also offers (typically <see cref="Default"/>);
    /// <see langword="null"/> for an empty registry.</param>
    public ContenderRegistry(ContenderRegistry? parent = null)
        : base(parent)
    {
    }

    /// <summary>The process-wide registry, holding the built-in contenders.</summary>
    public static ContenderRegistry Default { get; } = CreateDefault();

    /// <inheritdoc />
    protected override string Kind => "comparison contender";

    /// <inheritdoc />
    protected override string HowToRegister =>
        "Register one with ContenderRegistry.Default.Add(name, () => new MyContender()), for instance from a plugin's IGenerativePlugin.Register (Generative.Compare --plugin path/to/plugin.dll).";

    /// <summary>Makes the contenders named, in order.</summary>
    /// <param name="names">Registered names (case-insensitive).</param>
    /// <returns>New contenders.</returns>
    /// <exception cref="ArgumentException">A name is not registered; the message names it and lists the registered ones.</exception>
    public IReadOnlyList<IComparisonContender> Create(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var result = new List<IComparisonContender>();
        foreach (string name in names)
        {
            result.Add(TryGet(name, out var factory) ? factory() : throw new ArgumentException(UnknownKeyMessage(name), nameof(names)));
        }

        return result;
    }

    private static ContenderRegistry CreateDefault()
    {
        var registry = new ContenderRegistry();
        registry.Add("gan", () => GanContender.Vanilla());
        registry.Add("wgan-gp", () => GanContender.WganGp());
        registry.Add("wgan-gp-sn", () => GanContender.WganGp(spectralNormalization: true));
        registry.Add("gan-cosine", () => GanContender.Vanilla().WithLearningRateSchedule(LearningRateSchedule.WarmupCosine(0), "gan-cosine"));
        registry.Add("wgan-gp-cosine", () => GanContender.WganGp().WithLearningRateSchedule(LearningRateSchedule.WarmupCosine(0), "wgan-gp-cosine"));
        registry.Add("gan-pack2", () => GanContender.PackedVanilla(2));
        registry.Add("gan-pack4", () => GanContender.PackedVanilla(4));
        registry.Add("diffusion", () => DiffusionContender.Ddpm());
        registry.Add("ddpm", () => DiffusionContender.Ddpm());
        registry.Add("flow", () => FlowContender.Default());
        registry.Add("flow-reflow", () => FlowContender.Reflowed());
        registry.Add("flow-ot", () => FlowContender.OptimalTransport());
        registry.Add("ddgan", () => new DenoisingGanContender(4));
        registry.Add("ddgan-4", () => new DenoisingGanContender(4));
        registry.Add("ddgan-2", () => new DenoisingGanContender(2));
        for (int m = 1; m <= 4; m++)
        {
            int packSize = m;
            registry.Add($"pacgan{packSize}", () => GanContender.PacGan(packSize));
        }

        registry.Add("diffusion-ddim50", () => DiffusionContender.Ddim(50));
        registry.Add("diffusion-ddim10", () => DiffusionContender.Ddim(10));

        return registry;
    }
}
