namespace Generative.Diffusion;

/// <summary>How the betas β_t of a <see cref="NoiseSchedule"/> are laid out over the train timesteps (diffusers' <c>beta_schedule</c>).</summary>
public enum BetaSchedule
{
    /// <summary>β evenly spaced from <see cref="NoiseScheduleOptions.BetaStart"/> to <see cref="NoiseScheduleOptions.BetaEnd"/> (Ho et al. 2020). diffusers: <c>linear</c>.</summary>
    Linear,

    /// <summary>√β evenly spaced, then squared (Stable Diffusion's schedule). diffusers: <c>scaled_linear</c>.</summary>
    ScaledLinear,

    /// <summary>The cosine schedule of Nichol &amp; Dhariwal (2021), ᾱ(t) = cos²((t + 0.008)/1.008 · π/2), β capped at 0.999. diffusers: <c>squaredcos_cap_v2</c>.</summary>
    SquaredCosCapV2,

    /// <summary>β = sigmoid(linspace(−6, 6)) · (end − start) + start. diffusers: <c>sigmoid</c>.</summary>
    Sigmoid,
}
