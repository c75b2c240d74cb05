namespace Generative;

/// <summary>
/// What a denoising network predicts from a noisy sample x_t = √ᾱ_t·x₀ + √(1−ᾱ_t)·ε
/// (diffusers' <c>prediction_type</c>).
/// </summary>
public enum PredictionType
{
    /// <summary>The noise ε (Ho et al. 2020). diffusers: <c>epsilon</c>.</summary>
    Epsilon,

    /// <summary>The clean sample x₀. diffusers: <c>sample</c>.</summary>
    Sample,

    /// <summary>The velocity v = √ᾱ_t·ε − √(1−ᾱ_t)·x₀ (Salimans &amp; Ho 2022). diffusers: <c>v_prediction</c>.</summary>
    VPrediction,
}
