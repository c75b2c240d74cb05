using System.Text.Json.Nodes;
using Generative.Checkpoints;

namespace Generative.Diffusion;

/// <summary>
/// The kinds of noise schedule a diffusion checkpoint can hold, by a stable key written into <c>config.json</c>
/// (<c>"schedule_type"</c> beside <c>"schedule"</c>; absent for the built-in <see cref="Betas"/>, so checkpoints of
/// <see cref="NoiseSchedule"/>s are written as before). <see cref="Default"/> holds the built-in, registered through
/// <see cref="Registry{TEntry}.Add"/> like anyone else's; <see cref="DiffusionModel.Save"/> and <see cref="DiffusionModel.Load"/>
/// use it.
/// </summary>
/// <remarks>
/// <para>A schedule of your own is saved and loaded once registered:
/// <code>
/// NoiseScheduleRegistry.Default.Add("my-schedule", new ComponentType&lt;INoiseSchedule&gt;(
///     typeof(MySchedule), s => ((MySchedule)s).ToJson(), (json, _) => MySchedule.FromJson(json)));
/// </code>
/// Loading a checkpoint whose key is not registered fails with the key, the registered keys and how to register one;
/// no type is ever loaded from the name in the file. A schedule has no weights: <see cref="ComponentType{TComponent}.Create"/>
/// is given no generator.</para>
/// <para>Thread-safety: as <see cref="Registry{TEntry}"/>.</para>
/// </remarks>
public sealed class NoiseScheduleRegistry : Registry<ComponentType<INoiseSchedule>>
{
    /// <summary>The built-in <see cref="NoiseSchedule"/> (a β sequence described by <see cref="NoiseScheduleOptions"/>).</summary>
    public const string Betas = "betas";

    /// <summary>The key of the schedule's type in a checkpoint's options.</summary>
    internal const string TypeKey = "schedule_type";

    /// <summary>Creates a registry.</summary>
    /// <param name="parent">A registry whose formats this one also offers; <see langword="null"/> for an empty registry.</param>
    public NoiseScheduleRegistry(NoiseScheduleRegistry? parent = null)
        : base(parent)
    {
    }

    /// <summary>The process-wide registry, holding the built-in <see cref="Betas"/>.</summary>
    public static NoiseScheduleRegistry Default { get; } = CreateDefault();

    /// <inheritdoc />
    protected override string Kind => "noise schedule";

    /// <inheritdoc />
    protected override string HowToRegister =>
        "Register a noise schedule with NoiseScheduleRegistry.Default.Add(name, new ComponentType<INoiseSchedule>(type, describe, create)) before loading.";

    /// <summary>Whether a format is registered for the schedule's type.</summary>
    internal bool CanWrite(INoiseSchedule schedule) => FindKey(f => f.ImplementationType == schedule.GetType()) is not null;

    /// <summary>Writes <paramref name="schedule"/> into a checkpoint's options: <c>"schedule"</c>, and <c>"schedule_type"</c>
    /// unless it is the built-in.</summary>
    /// <exception cref="NotSupportedException">No format is registered for the schedule's type.</exception>
    internal void Write(INoiseSchedule schedule, JsonObject options)
    {
        var type = schedule.GetType();
        string key = FindKey(f => f.ImplementationType == type)
            ?? throw new NotSupportedException(
                $"No noise schedule format is registered for {type.Name}, so a model with it cannot be saved. {HowToRegister}");
        options["schedule"] = Get(key).Describe(schedule);
        if (!string.Equals(key, Betas, StringComparison.OrdinalIgnoreCase))
        {
            options[TypeKey] = key;
        }
    }

    /// <summary>Rebuilds the schedule a checkpoint's options describe.</summary>
    /// <exception cref="CheckpointFormatException">The schedule's key is not registered, or its JSON is missing or invalid.</exception>
    internal INoiseSchedule Read(JsonNode options)
    {
        string key;
        try
        {
            key = options[TypeKey]?.GetValue<string>() ?? Betas;
        }
        catch (InvalidOperationException)
        {
            throw new CheckpointFormatException($"The checkpoint's '{TypeKey}' must be a string.");
        }

        if (!TryGet(key, out var format))
        {
            throw new CheckpointFormatException($"The checkpoint's noise schedule: {UnknownKeyMessage(key)}");
        }

        var node = options["schedule"] ?? throw new CheckpointFormatException("The checkpoint's options lack the schedule.");
        return format.Create(node as JsonObject ?? throw new CheckpointFormatException("The checkpoint's 'options.schedule' must be a JSON object."), null);
    }

    private static NoiseScheduleRegistry CreateDefault()
    {
        var registry = new NoiseScheduleRegistry();
        registry.Add(Betas, new ComponentType<INoiseSchedule>(
            typeof(NoiseSchedule),
            schedule => (JsonObject)DiffusionConfiguration.ToNode(((NoiseSchedule)schedule).Options)!,
            (json, _) => new NoiseSchedule(DiffusionConfiguration.ReadOptions<NoiseScheduleOptions>(new ConfigValue(json, ModelCheckpoint.ConfigFileName, "options.schedule"), o => o.Validate()))));
        return registry;
    }
}
