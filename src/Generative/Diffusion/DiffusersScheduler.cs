using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Generative.Diffusion;

/// <summary>
/// Reads and writes diffusers' <c>scheduler_config.json</c> for <c>DDPMScheduler</c> and <c>DDIMScheduler</c>, so a
/// configuration made with diffusers loads as it is, and ours loads in diffusers.
/// </summary>
/// <remarks>
/// <para>Recognised keys: <c>num_train_timesteps</c>, <c>beta_start</c>, <c>beta_end</c>, <c>beta_schedule</c>,
/// <c>trained_betas</c>, <c>rescale_betas_zero_snr</c>, <c>prediction_type</c>, <c>clip_sample</c>,
/// <c>clip_sample_range</c>, <c>thresholding</c>, <c>dynamic_thresholding_ratio</c>, <c>sample_max_value</c>,
/// <c>timestep_spacing</c>, <c>steps_offset</c>; DDPM: <c>variance_type</c>; DDIM: <c>set_alpha_to_one</c>. Missing keys
/// take diffusers' defaults. Keys beginning with an underscore other than <c>_class_name</c>, and keys no DDPM/DDIM
/// option corresponds to (<c>skip_prk_steps</c>, …), change nothing and are ignored.</para>
/// <para>Thread-safety: stateless; safe from any thread.</para>
/// </remarks>
public static class DiffusersScheduler
{
    /// <summary>diffusers' class name of the DDPM scheduler.</summary>
    public const string DdpmClassName = "DDPMScheduler";

    /// <summary>diffusers' class name of the DDIM scheduler.</summary>
    public const string DdimClassName = "DDIMScheduler";

    /// <summary>Builds the sampler (and its <see cref="ISampler.Schedule"/>) that a diffusers scheduler configuration describes.</summary>
    /// <param name="json">The text of a <c>scheduler_config.json</c>.</param>
    /// <returns>A <see cref="DdpmSampler"/> or a <see cref="DdimSampler"/>, with no timesteps set yet.</returns>
    /// <exception cref="ArgumentException">The text is not a JSON object, <c>_class_name</c> is missing or not DDPM/DDIM, or a key has
    /// an invalid value; the message names the key.</exception>
    public static ISampler FromConfig(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The scheduler configuration is not valid JSON: {e.Message}", nameof(json), e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException("The scheduler configuration must be a JSON object.", nameof(json));
            }

            string className = root.TryGetProperty("_class_name", out var cls) && cls.ValueKind == JsonValueKind.String
                ? cls.GetString()!
                : throw new ArgumentException("The scheduler configuration has no '_class_name' (expected \"DDPMScheduler\" or \"DDIMScheduler\").", nameof(json));
            if (className is not DdpmClassName and not DdimClassName)
            {
                throw new ArgumentException(
                    $"Unsupported scheduler '_class_name' \"{className}\"; supported: \"{DdpmClassName}\", \"{DdimClassName}\".", nameof(json));
            }

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
            var prediction = reader.Enum("prediction_type", PredictionType.Epsilon, PredictionTypes);
            bool clip = reader.Bool("clip_sample", true);
            double clipRange = reader.Number("clip_sample_range", 1.0);
            bool thresholding = reader.Bool("thresholding", false);
            double ratio = reader.Number("dynamic_thresholding_ratio", 0.995);
            double maxValue = reader.Number("sample_max_value", 1.0);
            var spacing = reader.Enum("timestep_spacing", TimestepSpacing.Leading, Spacings);
            int offset = reader.Int("steps_offset", 0);
            if (className == DdpmClassName)
            {
                var options = new DdpmSamplerOptions
                {
                    PredictionType = prediction, ClipSample = clip, ClipSampleRange = clipRange, Thresholding = thresholding,
                    DynamicThresholdingRatio = ratio, SampleMaxValue = maxValue, TimestepSpacing = spacing, StepsOffset = offset,
                    VarianceType = reader.Enum("variance_type", DdpmVarianceType.FixedSmall, VarianceTypes),
                };
                return Guard(() => new DdpmSampler(noiseSchedule, options));
            }

            var ddim = new DdimSamplerOptions
            {
                PredictionType = prediction, ClipSample = clip, ClipSampleRange = clipRange, Thresholding = thresholding,
                DynamicThresholdingRatio = ratio, SampleMaxValue = maxValue, TimestepSpacing = spacing, StepsOffset = offset,
                SetAlphaToOne = reader.Bool("set_alpha_to_one", true),
            };
            return Guard(() => new DdimSampler(noiseSchedule, ddim));
        }
    }

    /// <summary>Writes the diffusers configuration of a DDPM sampler (keys sorted, as diffusers writes them).</summary>
    /// <param name="sampler">The sampler; its schedule must be a <see cref="NoiseSchedule"/>.</param>
    /// <returns>The JSON text of a <c>scheduler_config.json</c>.</returns>
    /// <exception cref="ArgumentException">The sampler's schedule is not a <see cref="NoiseSchedule"/>.</exception>
    public static string ToConfig(DdpmSampler sampler)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        var values = Common(sampler.Schedule, sampler.Options);
        values["variance_type"] = Name(VarianceTypes, sampler.Options.VarianceType);
        return Write(DdpmClassName, values);
    }

    /// <summary>Writes the diffusers configuration of a DDIM sampler (keys sorted, as diffusers writes them). η is an argument of
    /// diffusers' <c>step</c>, not of its configuration, and is not written.</summary>
    /// <param name="sampler">The sampler; its schedule must be a <see cref="NoiseSchedule"/>.</param>
    /// <returns>The JSON text of a <c>scheduler_config.json</c>.</returns>
    /// <exception cref="ArgumentException">The sampler's schedule is not a <see cref="NoiseSchedule"/>.</exception>
    public static string ToConfig(DdimSampler sampler)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        var values = Common(sampler.Schedule, sampler.Options);
        values["set_alpha_to_one"] = sampler.Options.SetAlphaToOne;
        return Write(DdimClassName, values);
    }

    /// <summary>Writes the configuration of either sampler.</summary>
    /// <param name="sampler">A <see cref="DdpmSampler"/> or <see cref="DdimSampler"/> over a <see cref="NoiseSchedule"/>.</param>
    /// <returns>The JSON text of a <c>scheduler_config.json</c>.</returns>
    /// <exception cref="ArgumentException">The sampler is of another kind.</exception>
    public static string ToConfig(ISampler sampler) => sampler switch
    {
        DdpmSampler ddpm => ToConfig(ddpm),
        DdimSampler ddim => ToConfig(ddim),
        null => throw new ArgumentNullException(nameof(sampler)),
        _ => throw new ArgumentException($"Only DDPM and DDIM samplers have a diffusers configuration, not {sampler.GetType().Name}.", nameof(sampler)),
    };

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

    private static SortedDictionary<string, object?> Common(INoiseSchedule schedule, DiffusionSamplerOptions o)
    {
        if (schedule is not NoiseSchedule noiseSchedule)
        {
            throw new ArgumentException($"Only a {nameof(NoiseSchedule)} has a diffusers configuration, not {schedule.GetType().Name}.", nameof(schedule));
        }

        var s = noiseSchedule.Options;
        return new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["num_train_timesteps"] = s.TrainTimesteps,
            ["beta_start"] = s.BetaStart,
            ["beta_end"] = s.BetaEnd,
            ["beta_schedule"] = Name(BetaSchedules, s.BetaSchedule),
            ["trained_betas"] = s.TrainedBetas,
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

    private static string Write(string className, SortedDictionary<string, object?> values)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("_class_name", className);
            foreach (var (key, value) in values)
            {
                switch (value)
                {
                    case null:
                        writer.WriteNull(key);
                        break;
                    case bool b:
                        writer.WriteBoolean(key, b);
                        break;
                    case int i:
                        writer.WriteNumber(key, i);
                        break;
                    case double d:
                        writer.WriteNumber(key, d);
                        break;
                    case string str:
                        writer.WriteString(key, str);
                        break;
                    case IReadOnlyList<double> list:
                        writer.WriteStartArray(key);
                        foreach (double d in list)
                        {
                            writer.WriteNumberValue(d);
                        }

                        writer.WriteEndArray();
                        break;
                    default:
                        throw new InvalidOperationException($"Cannot write {value.GetType().Name}.");
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
