namespace Generative.Diffusion;

/// <summary>How inference timesteps are spread over the train timesteps (diffusers' <c>timestep_spacing</c>; Lin et al. 2023, Table 2).</summary>
public enum TimestepSpacing
{
    /// <summary>0, k, 2k, … with k = T / n (integer division), plus <see cref="DiffusionSamplerOptions.StepsOffset"/>. diffusers: <c>leading</c> (the default).</summary>
    Leading,

    /// <summary>T − 1, T − 1 − T/n, … (rounded); starts at the last train timestep. diffusers: <c>trailing</c>.</summary>
    Trailing,

    /// <summary>n evenly spaced, rounded values from T − 1 down to 0. diffusers: <c>linspace</c>.</summary>
    Linspace,
}

/// <summary>The variance of DDPM's reverse step (diffusers' <c>variance_type</c>).</summary>
public enum DdpmVarianceType
{
    /// <summary>σ² = β̃_t, the posterior variance (1 − ᾱ_{t−1})/(1 − ᾱ_t)·β_t. diffusers: <c>fixed_small</c> (the default).</summary>
    FixedSmall,

    /// <summary>The posterior variance, computed through its logarithm. diffusers: <c>fixed_small_log</c>.</summary>
    FixedSmallLog,

    /// <summary>σ² = β_t. diffusers: <c>fixed_large</c>.</summary>
    FixedLarge,

    /// <summary>σ² = β_t, computed through its logarithm. diffusers: <c>fixed_large_log</c> (diffusers' step takes the square root of
    /// the logarithm there and returns NaN; ours uses σ = exp(½·log β_t), as the name intends).</summary>
    FixedLargeLog,

    /// <summary>The network predicts σ² directly, in the second half of its channels. diffusers: <c>learned</c>.</summary>
    Learned,

    /// <summary>The network predicts v ∈ [−1, 1] in the second half of its channels and log σ² = ½(v+1)·log β_t + ½(1−v)·log β̃_t
    /// (Nichol &amp; Dhariwal 2021). diffusers: <c>learned_range</c>.</summary>
    LearnedRange,
}
