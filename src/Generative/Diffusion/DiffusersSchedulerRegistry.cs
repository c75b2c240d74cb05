using Generative.Checkpoints;

namespace Generative.Diffusion;

/// <summary>
/// The samplers that have a diffusers <c>scheduler_config.json</c>, by diffusers' class name (<c>_class_name</c>):
/// <see cref="DiffusersScheduler.FromConfig"/> builds a sampler with the format registered for the file's class name, and
/// <see cref="DiffusersScheduler.ToConfig(ISampler, DiffusersSchedulerRegistry)"/> writes one with the format registered for
/// the sampler's class. <see cref="Default"/> holds the built-in <c>DDPMScheduler</c> (<see cref="DdpmSampler"/>) and
/// <c>DDIMScheduler</c> (<see cref="DdimSampler"/>), registered through <see cref="Registry{TEntry}.Add"/> like anyone else's:
/// <code>
/// DiffusersSchedulerRegistry.Default.Add("EulerDiscreteScheduler", new ComponentType&lt;ISampler&gt;(typeof(MyEulerSampler),
///     sampler => new JsonObject { ["num_train_timesteps"] = sampler.Schedule.TrainTimesteps },
///     (json, _) => new MyEulerSampler(...)));
/// </code>
/// </summary>
/// <remarks>A format's <c>describe</c> writes the configuration's keys without <c>_class_name</c> (written first, then the keys
/// in ordinal order, as diffusers writes them); its <c>create</c> receives them without <c>_class_name</c>, is given no
/// generator (samplers draw from the generator of each sampling call), and throws an <see cref="ArgumentException"/> naming
/// the key of an invalid value. Thread-safety: as <see cref="Registry{TEntry}"/>.</remarks>
public sealed class DiffusersSchedulerRegistry : Registry<ComponentType<ISampler>>
{
    /// <summary>Creates a registry.</summary>
    /// <param name="parent">A registry whose formats this one also offers; <see langword="null"/> for an empty one.</param>
    public DiffusersSchedulerRegistry(DiffusersSchedulerRegistry? parent = null)
        : base(parent)
    {
    }

    /// <summary>The process-wide registry, holding the built-in DDPM and DDIM formats.</summary>
    public static DiffusersSchedulerRegistry Default { get; } = CreateDefault();

    /// <inheritdoc />
    protected override string Kind => "diffusers scheduler format";

    /// <inheritdoc />
    protected override string HowToRegister =>
        "Register one with DiffusersSchedulerRegistry.Default.Add(className, new ComponentType<ISampler>(typeof(MySampler), describe, create)).";

    /// <summary>How to register a format, for messages.</summary>
    internal string HowToRegisterMessage => HowToRegister;

    /// <summary>The class name registered for a sampler class, if any.</summary>
    internal string? FindClassName(Type samplerType) => FindKey(f => f.ImplementationType == samplerType);

    private static DiffusersSchedulerRegistry CreateDefault()
    {
        var registry = new DiffusersSchedulerRegistry();
        registry.Add(DiffusersScheduler.DdpmClassName, DiffusersScheduler.DdpmFormat);
        registry.Add(DiffusersScheduler.DdimClassName, DiffusersScheduler.DdimFormat);
        return registry;
    }
}
