namespace Generative;

/// <summary>The family a generative model belongs to.</summary>
public enum ModelFamily
{
    /// <summary>A generative adversarial network: one generator forward pass per sample.</summary>
    Gan,

    /// <summary>A denoising diffusion model: one network evaluation per sampler step.</summary>
    Diffusion,

    /// <summary>Any other family (a flow-matching model, say), added outside this library.</summary>
    Other,
}
