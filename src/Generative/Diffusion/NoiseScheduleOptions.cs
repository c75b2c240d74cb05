using System.Globalization;

namespace Generative.Diffusion;

/// <summary>
/// The configuration of a <see cref="NoiseSchedule"/>, with diffusers' names and defaults (<c>num_train_timesteps</c>,
/// <c>beta_start</c>, <c>beta_end</c>, <c>beta_schedule</c>, <c>trained_betas</c>, <c>rescale_betas_zero_snr</c>).
/// </summary>
/// <remarks>Immutable; validated by <see cref="Validate"/>, which <see cref="NoiseSchedule"/>'s constructor calls.</remarks>
public sealed record NoiseScheduleOptions
{
    /// <summary>The number of diffusion steps the model is trained with, at least 1. Default 1000.</summary>
    public int TrainTimesteps { get; init; } = 1000;

    /// <summary>The first β (linear, scaled-linear and sigmoid schedules). Default 0.0001.</summary>
    public double BetaStart { get; init; } = 0.0001;

    /// <summary>The last β (linear, scaled-linear and sigmoid schedules). Default 0.02.</summary>
    public double BetaEnd { get; init; } = 0.02;

    /// <summary>The layout of the betas. Default <see cref="BetaSchedule.Linear"/>. Ignored when <see cref="TrainedBetas"/> is set.</summary>
    public BetaSchedule BetaSchedule { get; init; } = BetaSchedule.Linear;

    /// <summary>Explicit betas, one per train timestep, each in (0, 1); when set, <see cref="TrainTimesteps"/> must equal their count.</summary>
    public IReadOnlyList<double>? TrainedBetas { get; init; }

    /// <summary>Rescales the betas so that the last timestep has zero signal-to-noise ratio (Lin et al. 2023, Algorithm 1). Default false.</summary>
    public bool RescaleBetasZeroSnr { get; init; }

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range; the message names it and the range.</exception>
    /// <exception cref="ArgumentException">The trained betas do not match <see cref="TrainTimesteps"/>.</exception>
    public void Validate()
    {
        if (TrainTimesteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(TrainTimesteps), TrainTimesteps, "The number of train timesteps must be at least 1.");
        }

        if (TrainedBetas is not null)
        {
            if (TrainedBetas.Count != TrainTimesteps)
            {
                throw new ArgumentException(
                    $"{nameof(TrainedBetas)} has {TrainedBetas.Count} values but {nameof(TrainTimesteps)} is {TrainTimesteps}; they must be equal.",
                    nameof(TrainedBetas));
            }

            for (int i = 0; i < TrainedBetas.Count; i++)
            {
                double b = TrainedBetas[i];
                if (!(b > 0 && b < 1))
                {
                    throw new ArgumentOutOfRangeException(
                        nameof(TrainedBetas), b, string.Create(CultureInfo.InvariantCulture, $"Trained beta {i} is {b}; every beta must be in (0, 1)."));
                }
            }

            return;
        }

        if (!Enum.IsDefined(BetaSchedule))
        {
            throw new ArgumentOutOfRangeException(nameof(BetaSchedule), BetaSchedule, "Unknown beta schedule.");
        }

        if (BetaSchedule != BetaSchedule.SquaredCosCapV2)
        {
            if (!(BetaStart > 0 && BetaStart < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(BetaStart), BetaStart, "beta_start must be in (0, 1).");
            }

            if (!(BetaEnd > BetaStart && BetaEnd < 1))
            {
                throw new ArgumentOutOfRangeException(
                    nameof(BetaEnd), BetaEnd, string.Create(CultureInfo.InvariantCulture, $"beta_end must be in (beta_start = {BetaStart}, 1)."));
            }
        }
    }
}
