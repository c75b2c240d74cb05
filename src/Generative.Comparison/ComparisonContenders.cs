namespace Generative.Comparison;

/// <summary>The contenders a comparison runs when none are given.</summary>
public static class ComparisonContenders
{
    /// <summary>
    /// The default line-up: a vanilla GAN (non-saturating loss, Goodfellow et al. 2014), WGAN-GP (Gulrajani et al.
    /// 2017), and one diffusion model (Ho et al. 2020) sampled with DDPM-1000, DDIM-50 and DDIM-10 (Song et al. 2021).
    /// Networks are sized for the data: MLPs for points, vectors and tables; convolutional networks and a UNet for
    /// images.
    /// </summary>
    /// <param name="data">The data the contenders will train on.</param>
    public static IReadOnlyList<IComparisonContender> Default(ComparisonData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return
        [
            GanContender.Vanilla(),
            GanContender.WganGp(),
            DiffusionContender.Ddpm(),
        ];
    }
}
