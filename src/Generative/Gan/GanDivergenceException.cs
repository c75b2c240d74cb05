namespace Generative.Gan;

/// <summary>
/// GAN training diverged: the critic's scores exploded past <see cref="GanTrainingOptions.MaxCriticScore"/> (a sign that
/// the critic is no longer Lipschitz-constrained or the learning rate is too high). The update was not applied.
/// </summary>
public sealed class GanDivergenceException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="step">The global step at which it happened.</param>
    /// <param name="meanRealScore">The critic's mean score on the real batch.</param>
    /// <param name="meanFakeScore">The critic's mean score on the generated batch.</param>
    /// <param name="limit">The largest magnitude allowed.</param>
    public GanDivergenceException(long step, double meanRealScore, double meanFakeScore, double limit)
        : base($"GAN training diverged at step {step}: the critic's mean scores are {meanRealScore:G6} on real and " +
               $"{meanFakeScore:G6} on generated samples, beyond ±{limit:G6}. The update was not applied; lower the " +
               "learning rates, keep the gradient penalty (λ = 10) or spectral normalisation on the critic, or raise MaxCriticScore.")
    {
        Step = step;
        MeanRealScore = meanRealScore;
        MeanFakeScore = meanFakeScore;
        Limit = limit;
    }

    /// <summary>Creates the exception with a message of your own.</summary>
    /// <param name="message">The message.</param>
    public GanDivergenceException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public GanDivergenceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public GanDivergenceException()
        : this("GAN training diverged.")
    {
    }

    /// <summary>The global step at which it happened.</summary>
    public long Step { get; }

    /// <summary>The critic's mean score on the real batch.</summary>
    public double MeanRealScore { get; }

    /// <summary>The critic's mean score on the generated batch.</summary>
    public double MeanFakeScore { get; }

    /// <summary>The largest magnitude allowed.</summary>
    public double Limit { get; }
}
