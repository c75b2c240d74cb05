using System.Text.Json.Nodes;
using TorchSharp;

namespace Generative.Checkpoints;

/// <summary>
/// How one type of component (a denoiser, generator or critic network, a noise schedule) is described in a
/// checkpoint's <c>config.json</c> and rebuilt from it: the entry of every registry of component types
/// (<see cref="Diffusion.DenoiserRegistry"/>, <see cref="Gan.GeneratorRegistry"/>, <see cref="Gan.CriticRegistry"/>,
/// <see cref="Diffusion.NoiseScheduleRegistry"/>).
/// </summary>
/// <typeparam name="TComponent">The component's interface (<see cref="IDenoiser"/>, <see cref="IGenerator"/>,
/// <see cref="IDiscriminator"/>, <see cref="INoiseSchedule"/>).</typeparam>
/// <remarks>Thread-safety: immutable; the delegates may be called from several threads at once.</remarks>
public sealed class ComponentType<TComponent>
    where TComponent : class
{
    /// <summary>Creates the type.</summary>
    /// <param name="implementationType">The component's class (exactly this class, not derived ones); a registry finds the
    /// type of a component by it.</param>
    /// <param name="describe">Writes what rebuilding the component needs (its shape and options) as a JSON object; the
    /// registry adds the key it is registered under.</param>
    /// <param name="create">Builds a component, with fresh weights drawn from the generator (or from a fresh source when it
    /// is <see langword="null"/>), from what <paramref name="describe"/> wrote. It reads files from anywhere: validate every
    /// value and refuse sizes that would allocate more than is reasonable (throw an <see cref="ArgumentException"/>; it is
    /// reported as a <c>CheckpointFormatException</c>).</param>
    /// <exception cref="ArgumentException"><paramref name="implementationType"/> does not implement <typeparamref name="TComponent"/>.</exception>
    public ComponentType(Type implementationType, Func<TComponent, JsonObject> describe, Func<JsonObject, torch.Generator?, TComponent> create)
    {
        ArgumentNullException.ThrowIfNull(implementationType);
        ArgumentNullException.ThrowIfNull(describe);
        ArgumentNullException.ThrowIfNull(create);
        if (!typeof(TComponent).IsAssignableFrom(implementationType))
        {
            throw new ArgumentException($"{implementationType.Name} does not implement {typeof(TComponent).Name}.", nameof(implementationType));
        }

        ImplementationType = implementationType;
        Describe = describe;
        Create = create;
    }

    /// <summary>A built-in type, whose description is checked field by field, and whose tensors are declared, by a
    /// validated config reader before anything is built.</summary>
    internal ComponentType(Type implementationType, Func<TComponent, JsonObject> describe, Func<ConfigValue, NetworkPlan<TComponent>> read)
        : this(implementationType, describe, (json, generator) => read(new ConfigValue(json, "(in memory)", "network")).Create(generator)) =>
        Read = read;

    /// <summary>The component's class.</summary>
    public Type ImplementationType { get; }

    /// <summary>Writes the component's description (without the key it is registered under).</summary>
    public Func<TComponent, JsonObject> Describe { get; }

    /// <summary>Builds a component from a description, its fresh weights drawn from the generator (a fresh source when
    /// <see langword="null"/>).</summary>
    public Func<JsonObject, torch.Generator?, TComponent> Create { get; }

    /// <summary>The built-in types' validated config reader; <see langword="null"/> for a registered type, whose
    /// <see cref="Create"/> validates its own description.</summary>
    internal Func<ConfigValue, NetworkPlan<TComponent>>? Read { get; }
}
