namespace Generative.Diffusion;

/// <summary>Builds a fresh sampler for one sampling call of a diffusion model.</summary>
/// <param name="context">The model's schedule and sampling defaults, and the call's settings.</param>
/// <returns>A new sampler over <see cref="SamplerContext.Schedule"/>, never shared between calls. It may set its own
/// timesteps (its default number of steps); the model sets them when the call or the model names a number of steps.</returns>
public delegate ISampler SamplerFactory(SamplerContext context);

/// <summary>What a <see cref="SamplerFactory"/> builds a sampler from.</summary>
public sealed class SamplerContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="schedule">The noise schedule the model was trained with.</param>
    /// <param name="model">The model's sampling defaults; <see langword="null"/> for the defaults of <see cref="DiffusionModelOptions"/>.</param>
    /// <param name="options">The call's settings; <see langword="null"/> for none. Unset members are filled from <paramref name="model"/>.</param>
    public SamplerContext(INoiseSchedule schedule, DiffusionModelOptions? model = null, SamplingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        Schedule = schedule;
        Model = model ?? new DiffusionModelOptions();
        options ??= new SamplingOptions();
        Options = options with
        {
            Sampler = (options.Sampler ?? Model.Sampler).Trim(),
            Steps = options.Steps ?? Model.Steps,
            Eta = options.Eta ?? Model.Eta,
            GuidanceScale = options.GuidanceScale ?? Model.GuidanceScale,
            BatchSize = options.BatchSize ?? Model.BatchSize,
            UseEma = options.UseEma ?? Model.UseEma,
        };
    }

    /// <summary>The noise schedule the model was trained with; the sampler reverses it.</summary>
    public INoiseSchedule Schedule { get; }

    /// <summary>The model's sampling defaults, with the built-in samplers' own options (<see cref="DiffusionModelOptions.Ddpm"/>,
    /// <see cref="DiffusionModelOptions.Ddim"/>).</summary>
    public DiffusionModelOptions Model { get; }

    /// <summary>What the network predicts (the model's <see cref="DiffusionModelOptions.PredictionType"/>).</summary>
    public PredictionType PredictionType => Model.PredictionType;

    /// <summary>The call's settings with the model's defaults filled in: <see cref="SamplingOptions.Sampler"/>,
    /// <see cref="SamplingOptions.Eta"/>, <see cref="SamplingOptions.GuidanceScale"/>, <see cref="SamplingOptions.BatchSize"/>
    /// and <see cref="SamplingOptions.UseEma"/> are set; <see cref="SamplingOptions.Steps"/> is <see langword="null"/> when
    /// neither names a number of steps (the sampler's default then applies).</summary>
    public SamplingOptions Options { get; }
}

/// <summary>
/// The samplers a diffusion model can sample with by name (<see cref="SamplingOptions.Sampler"/>): each name maps to a
/// <see cref="SamplerFactory"/>. <see cref="Default"/> holds the built-in <c>"ddpm"</c> and <c>"ddim"</c>, registered
/// through <see cref="Registry{TEntry}.Add"/> like anyone else's.
/// </summary>
/// <remarks>
/// <para>Without dependency injection, register once at start-up and sample by name:
/// <code>
/// SamplerRegistry.Default.Add("euler", context => new EulerSampler(context.Schedule, context.PredictionType));
/// var x = model.Sample(1000, generator, new SamplingOptions { Sampler = "euler", Steps = 10 });
/// </code>
/// An explicit registry (<c>new SamplerRegistry(SamplerRegistry.Default)</c>) keeps registrations local; sample with one
/// of its entries through <see cref="DiffusionModel.SampleWith"/>.
/// With dependency injection, <c>services.AddGenerative().AddSampler(...)</c> fills the container's registry, whose
/// parent is <see cref="Default"/>.</para>
/// <para>Thread-safety: as <see cref="Registry{TEntry}"/>. Factories are called once per batch, possibly on many threads at once.</para>
/// </remarks>
public sealed class SamplerRegistry : Registry<SamplerFactory>
{
    /// <summary>The built-in DDPM sampler (Ho et al. 2020): all train timesteps unless a number of steps is given.</summary>
    public const string Ddpm = "ddpm";

    /// <summary>The built-in DDIM sampler (Song et al. 2021): 50 steps (at most the train timesteps) unless a number is given.</summary>
    public const string Ddim = "ddim";

    /// <summary>Creates a registry.</summary>
    /// <param name="parent">A registry whose samplers this one also offers (typically <see cref="Default"/>);
    /// <see langword="null"/> for an empty registry.</param>
    public SamplerRegistry(SamplerRegistry? parent = null)
        : base(parent)
    {
    }

    /// <summary>The process-wide registry, holding the built-in samplers; what <c>DiffusionModel.Sample</c>
    /// resolves names in.</summary>
    public static SamplerRegistry Default { get; } = CreateDefault();

    /// <inheritdoc />
    protected override string Kind => "sampler";

    /// <inheritdoc />
    protected override string HowToRegister =>
        "Register a sampler with SamplerRegistry.Default.Add(name, factory), or with services.AddGenerative().AddSampler(name, factory) in a host.";

    private static SamplerRegistry CreateDefault()
    {
        var registry = new SamplerRegistry();
        registry.Add(Ddpm, context =>
        {
            var sampler = new DdpmSampler(context.Schedule, context.Model.Ddpm with { PredictionType = context.PredictionType });
            if (context.Options.Steps is null)
            {
                sampler.SetTimesteps(context.Schedule.TrainTimesteps);
            }

            return sampler;
        });
        registry.Add(Ddim, context => new DdimSampler(
            context.Schedule, context.Model.Ddim with { PredictionType = context.PredictionType, Eta = context.Options.Eta ?? context.Model.Eta }));
        return registry;
    }
}
