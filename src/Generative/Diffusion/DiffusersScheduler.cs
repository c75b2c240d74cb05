using Generative.Checkpoints;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Generative.Diffusion;

/// <summary>
/// Reads and writes diffusers' <c>scheduler_config.json</c> with the format registered for its <c>_class_name</c> in a
/// <see cref="DiffusersSchedulerRegistry"/> — built in: <c>DDPMScheduler</c> and <c>DDIMScheduler</c> — so a
/// configuration made with diffusers loads as it is, and ours loads in diffusers.
/// </summary>
/// <remarks>
/// <para>The built-in formats' recognised keys: <c>num_train_timesteps</c>, <c>beta_start</c>, <c>beta_end</c>, <c>beta_schedule</c>,
/// <c>trained_betas</c>, <c>rescale_betas_zero_snr</c>, <c>prediction_type</c>, <c>clip_sample</c>,
/// <c>clip_sample_range</c>, <c>thresholding</c>, <c>dynamic_thresholding_ratio</c>, <c>sample_max_value</c>,
/// <c>timestep_spacing</c>, <c>steps_offset</c>; DDPM: <c>variance_type</c>; DDIM: <c>set_alpha_to_one</c>. Missing keys
/// take diffusers' defaults. Keys beginning with an underscore other than <c>_class_name</c>, and keys no DDPM/DDIM
/// option corresponds to (<c>skip_prk_steps</c>, …), change nothing and are ignored.</para>
/// <para>Thread-safety: stateless (the registries are thread-safe); safe from any thread.</para>
/// </remarks>
public static class DiffusersScheduler
{
    /// <summary>diffusers' class name of the DDPM scheduler.</summary>
    public const string DdpmClassName = "DDPMScheduler";

    /// <summary>diffusers' class name of the DDIM scheduler.</summary>
    public const string DdimClassName = "DDIMScheduler";

    /// <summary>Builds the sampler (and its <see cref="ISampler.Schedule"/>) that a diffusers scheduler configuration describes,
    /// with the format registered for its <c>_class_name</c>.</summary>
    /// <param name="json">The text of a <c>scheduler_config.json</c>.</param>
    /// <param name="formats">The formats by diffusers class name; <see langword="null"/> for <see cref="DiffusersSchedulerRegistry.Default"/>.</param>
    /// <returns>The sampler (a <see cref="DdpmSampler"/> or a <see cref="DdimSampler"/> for the built-in formats), with no timesteps set yet.</returns>
    /// <exception cref="ArgumentException">The text is not a JSON object, <c>_class_name</c> is missing or not registered, or a key has
    /// an invalid value; the message names the key.</exception>
    public static ISampler FromConfig(string json, DiffusersSchedulerRegistry? formats = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        formats ??= DiffusersSchedulerRegistry.Default;
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The scheduler configuration is not valid JSON: {e.Message}", nameof(json), e);
        }

        if (root is not JsonObject config)
        {
            throw new ArgumentException("The scheduler configuration must be a JSON object.", nameof(json));
        }

        string supported = string.Join(", ", formats.Keys.Select(k => '"' + k + '"'));
        string className = config["_class_name"] is JsonValue cls && cls.GetValueKind() == JsonValueKind.String
            ? cls.GetValue<string>()
            : throw new ArgumentException($"The scheduler configuration has no '_class_name' (expected one of {supported}).", nameof(json));
        if (!formats.TryGet(className, out var format) || className.Trim() != className)
        {
            throw new ArgumentException(
                $"Unsupported scheduler '_class_name' \"{className}\"; supported: {supported}. {formats.HowToRegisterMessage}", nameof(json));
        }

        config.Remove("_class_name");
        return format.Create(config, null);
    }

    /// <summary>Reads the keys DDPM and DDIM share, then the sampler's own with <paramref name="build"/> (the built-in formats' <c>create</c>).</summary>
    private static ISampler ReadBuiltIn(JsonObject config, Func<Reader, NoiseSchedule, Shared, ISampler> build)
    {
        var root = JsonSerializer.SerializeToElement(config);
        var reader = new Reader(root);
        var schedule = new NoiseScheduleOptions
        {
            TrainTimesteps = reader.Int("num_train_timesteps", 1000),
            BetaStart = reader.Number("beta_start", 0.0001),
            BetaEnd = reader.Number("beta_end", 0.02),
            BetaSchedule = reader.Enum("beta_schedule", BetaSchedule.Linear, BetaSchedules),
            TrainedBetas = reader.NumberArray("trained_betas"),
            RescaleBetasZeroSnr = reader.Bool("rescale_betas_zero_snr", false),
        };
        if (schedule.TrainedBetas is not null && !root.TryGetProperty("num_train_timesteps", out _))
        {
            schedule = schedule with { TrainTimesteps = schedule.TrainedBetas.Count };
        }

        var noiseSchedule = Guard(() => new NoiseSchedule(schedule));
        var shared = new Shared(
            reader.Enum("prediction_type", PredictionType.Epsilon, PredictionTypes),
            reader.Bool("clip_sample", true),
            reader.Number("clip_sample_range", 1.0),
            reader.Bool("thresholding", false),
            reader.Number("dynamic_thresholding_ratio", 0.995),
            reader.Number("sample_max_value", 1.0),
            reader.Enum("timestep_spacing", TimestepSpacing.Leading, Spacings),
            reader.Int("steps_offset", 0));
        return Guard(() => build(reader, noiseSchedule, shared));
    }

    /// <summary>The sampler options DDPM's and DDIM's configurations share.</summary>
    private readonly record struct Shared(
        PredictionType Prediction, bool Clip, double ClipRange, bool Thresholding, double Ratio, double MaxValue, TimestepSpacing Spacing, int Offset);

    /// <summary>Writes the diffusers configuration of a DDPM sampler (keys sorted, as diffusers writes them).</summary>
    /// <param name="sampler">The sampler; its schedule must be a <see cref="NoiseSchedule"/>.</param>
    /// <returns>The JSON text of a <c>scheduler_config.json</c>.</returns>
    /// <exception cref="ArgumentException">The sampler's schedule is not a <see cref="NoiseSchedule"/>.</exception>
    public static string ToConfig(DdpmSampler sampler) => ToConfig((ISampler)sampler);

    /// <summary>Writes the diffusers configuration of a DDIM sampler (keys sorted, as diffusers writes them). η is an argument of
    /// diffusers' <c>step</c>, not of its configuration, and is not written.</summary>
    /// <param name="sampler">The sampler; its schedule must be a <see cref="NoiseSchedule"/>.</param>
    /// <returns>The JSON text of a <c>scheduler_config.json</c>.</returns>
    /// <exception cref="ArgumentException">The sampler's schedule is not a <see cref="NoiseSchedule"/>.</exception>
    public static string ToConfig(DdimSampler sampler) => ToConfig((ISampler)sampler);

    /// <summary>Writes the configuration of a sampler whose class has a registered format (keys sorted, as diffusers writes
    /// them, after <c>_class_name</c>: the key the format is registered under).</summary>
    /// <param name="sampler">The sampler; for the built-in formats, a <see cref="DdpmSampler"/> or <see cref="DdimSampler"/> over a <see cref="NoiseSchedule"/>.</param>
    /// <param name="formats">The formats by diffusers class name; <see langword="null"/> for <see cref="DiffusersSchedulerRegistry.Default"/>.</param>
    /// <returns>The JSON text of a <c>scheduler_config.json</c>.</returns>
    /// <exception cref="ArgumentException">No format is registered for the sampler's class.</exception>
    public static string ToConfig(ISampler sampler, DiffusersSchedulerRegistry? formats = null)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        formats ??= DiffusersSchedulerRegistry.Default;
        string className = formats.FindClassName(sampler.GetType())
            ?? throw new ArgumentException(
                $"No diffusers scheduler format is registered for {sampler.GetType().Name}. {formats.HowToRegisterMessage}", nameof(sampler));
        return Write(className, formats.Get(className).Describe(sampler));
    }

    /// <summary>The built-in DDPM format (<c>DDPMScheduler</c>).</summary>
    internal static ComponentType<ISampler> DdpmFormat => new(
        typeof(DdpmSampler),
        sampler =>
        {
            var ddpm = (DdpmSampler)sampler;
            var values = Common(ddpm.Schedule, ddpm.Options);
            values["variance_type"] = Name(VarianceTypes, ddpm.Options.VarianceType);
            return values;
        },
        (json, _) => ReadBuiltIn(json, (reader, schedule, c) => new DdpmSampler(schedule, new DdpmSamplerOptions
        {
            PredictionType = c.Prediction, ClipSample = c.Clip, ClipSampleRange = c.ClipRange, Thresholding = c.Thresholding,
            DynamicThresholdingRatio = c.Ratio, SampleMaxValue = c.MaxValue, TimestepSpacing = c.Spacing, StepsOffset = c.Offset,
            VarianceType = reader.Enum("variance_type", DdpmVarianceType.FixedSmall, VarianceTypes),
        })));

    /// <summary>The built-in DDIM format (<c>DDIMScheduler</c>). η is an argument of diffusers' <c>step</c>, not of its
    /// configuration, and is not written.</summary>
    internal static ComponentType<ISampler> DdimFormat => new(
        typeof(DdimSampler),
        sampler =>
        {
            var ddim = (DdimSampler)sampler;
            var values = Common(ddim.Schedule, ddim.Options);
            values["set_alpha_to_one"] = ddim.Options.SetAlphaToOne;
            return values;
        },
        (json, _) => ReadBuiltIn(json, (reader, schedule, c) => new DdimSampler(schedule, new DdimSamplerOptions
        {
            PredictionType = c.Prediction, ClipSample = c.Clip, ClipSampleRange = c.ClipRange, Thresholding = c.Thresholding,
            DynamicThresholdingRatio = c.Ratio, SampleMaxValue = c.MaxValue, TimestepSpacing = c.Spacing, StepsOffset = c.Offset,
            SetAlphaToOne = reader.Bool("set_alpha_to_one", true),
        })));

    internal static readonly (string Name, BetaSchedule Value)[] BetaSchedules =
        [("linear", BetaSchedule.Linear), ("scaled_linear", BetaSchedule.ScaledLinear), ("squaredcos_cap_v2", BetaSchedule.SquaredCosCapV2), ("sigmoid", BetaSchedule.Sigmoid)];

    internal static readonly (string Name, PredictionType Value)[] PredictionTypes =
        [("epsilon", PredictionType.Epsilon), ("sample", PredictionType.Sample), ("v_prediction", PredictionType.VPrediction)];

    internal static readonly (string Name, TimestepSpacing Value)[] Spacings =
        [("leading", TimestepSpacing.Leading), ("trailing", TimestepSpacing.Trailing), ("linspace", TimestepSpacing.Linspace)];

    internal static readonly (string Name, DdpmVarianceType Value)[] VarianceTypes =
        [("fixed_small", DdpmVarianceType.FixedSmall), ("fixed_small_log", DdpmVarianceType.FixedSmallLog), ("fixed_large", DdpmVarianceType.FixedLarge),
         ("fixed_large_log", DdpmVarianceType.FixedLargeLog), ("learned", DdpmVarianceType.Learned), ("learned_range", DdpmVarianceType.LearnedRange)];

    internal static string Name<T>((string Name, T Value)[] table, T value)
        where T : struct, Enum
    {
        foreach (var (name, v) in table)
        {
            if (EqualityComparer<T>.Default.Equals(v, value))
            {
                return name;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown value.");
    }

    private static readonly Dictionary<string, string> OptionKeys = new(StringComparer.Ordinal)
    {
        ["TrainTimesteps"] = "num_train_timesteps", ["BetaStart"] = "beta_start", ["BetaEnd"] = "beta_end", ["BetaSchedule"] = "beta_schedule",
        ["TrainedBetas"] = "trained_betas", ["ClipSampleRange"] = "clip_sample_range", ["DynamicThresholdingRatio"] = "dynamic_thresholding_ratio",
        ["SampleMaxValue"] = "sample_max_value", ["StepsOffset"] = "steps_offset",
    };

    private static T Guard<T>(Func<T> create)
    {
        try
        {
            return create();
        }
        catch (ArgumentException e) when (e.ParamName is not null && OptionKeys.TryGetValue(e.ParamName, out var key))
        {
            throw new ArgumentException($"Invalid scheduler configuration key '{key}': {e.Message}", "json", e);
        }
    }

    private static JsonObject Common(INoiseSchedule schedule, DiffusionSamplerOptions o)
    {
        if (schedule is not NoiseSchedule noiseSchedule)
        {
            throw new ArgumentException($"Only a {nameof(NoiseSchedule)} has a diffusers configuration, not {schedule.GetType().Name}.", nameof(schedule));
        }

        var s = noiseSchedule.Options;
        return new JsonObject
        {
            ["num_train_timesteps"] = s.TrainTimesteps,
            ["beta_start"] = s.BetaStart,
            ["beta_end"] = s.BetaEnd,
            ["beta_schedule"] = Name(BetaSchedules, s.BetaSchedule),
            ["trained_betas"] = s.TrainedBetas is null ? null : new JsonArray([.. s.TrainedBetas.Select(b => (JsonNode)JsonValue.Create(b))]),
            ["rescale_betas_zero_snr"] = s.RescaleBetasZeroSnr,
            ["prediction_type"] = Name(PredictionTypes, o.PredictionType),
            ["clip_sample"] = o.ClipSample,
            ["clip_sample_range"] = o.ClipSampleRange,
            ["thresholding"] = o.Thresholding,
            ["dynamic_thresholding_ratio"] = o.DynamicThresholdingRatio,
            ["sample_max_value"] = o.SampleMaxValue,
            ["timestep_spacing"] = Name(Spacings, o.TimestepSpacing),
            ["steps_offset"] = o.StepsOffset,
        };
    }

    private static string Write(string className, JsonObject values)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("_class_name", className);
            foreach (var (key, value) in values.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                writer.WritePropertyName(key);
                if (value is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    value.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private readonly struct Reader(JsonElement root)
    {
        public int Int(string key, int fallback)
        {
            if (!TryGet(key, out var e))
            {
                return fallback;
            }

            if (e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int value))
            {
                return value;
            }

            if (e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out double d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue)
            {
                return (int)d;
            }

            throw Invalid(key, e, "an integer");
        }

        public double Number(string key, double fallback)
        {
            if (!TryGet(key, out var e))
            {
                return fallback;
            }

            return e.ValueKind == JsonValueKind.Number ? e.GetDouble() : throw Invalid(key, e, "a number");
        }

        public bool Bool(string key, bool fallback)
        {
            if (!TryGet(key, out var e))
            {
                return fallback;
            }

            return e.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Invalid(key, e, "true or false"),
            };
        }

        public T Enum<T>(string key, T fallback, (string Name, T Value)[] table)
            where T : struct, Enum
        {
            if (!TryGet(key, out var e))
            {
                return fallback;
            }

            if (e.ValueKind == JsonValueKind.String)
            {
                string? s = e.GetString();
                foreach (var (name, value) in table)
                {
                    if (name == s)
                    {
                        return value;
                    }
                }
            }

            throw Invalid(key, e, "one of " + string.Join(", ", table.Select(x => $"\"{x.Name}\"")));
        }

        public double[]? NumberArray(string key)
        {
            if (!TryGet(key, out var e))
            {
                return null;
            }

            if (e.ValueKind != JsonValueKind.Array)
            {
                throw Invalid(key, e, "null or an array of numbers");
            }

            var result = new double[e.GetArrayLength()];
            int i = 0;
            foreach (var item in e.EnumerateArray())
            {
                result[i++] = item.ValueKind == JsonValueKind.Number ? item.GetDouble() : throw Invalid(key, e, "null or an array of numbers");
            }

            return result;
        }

        private bool TryGet(string key, out JsonElement value)
        {
            return root.TryGetProperty(key, out value) && value.ValueKind != JsonValueKind.Null;
        }

        private static ArgumentException Invalid(string key, JsonElement e, string expected)
        {
            string raw = e.GetRawText();
            if (raw.Length > 60)
            {
                raw = string.Concat(raw.AsSpan(0, 60), "…");
            }

            return new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Invalid scheduler configuration key '{key}': expected {expected}, but got {raw}."), "json");
        }
    }
}
