using Generative.Diffusion;

using Generative.Tabular;

namespace Generative.TabularSynthesis;

/// <summary>
/// How <see cref="TabularDiffusion"/> is trained and sampled. Defaults follow TabDDPM's tuned Adult configuration
/// (Kotelnikov et al., 2023: 100 timesteps, cosine schedule, AdamW at 2·10⁻³ with no weight decay, linear learning-rate
/// decay, EMA 0.999, quantile-normal numbers) scaled to train within minutes on two CPU cores (a narrower MLP, fewer
/// steps and smaller batches; see docs/tabular-diffusion.md for the measurements). Validated once by
/// <see cref="Validate"/>, which <see cref="TabularDiffusion.Fit(Table, TabularDiffusionOptions, TorchSharp.torch.Generator)"/> calls.
/// </summary>
public sealed record TabularDiffusionOptions
{
    /// <summary>The number of diffusion timesteps T. Default 100 (TabDDPM's tuned value for Adult).</summary>
    public int Timesteps { get; init; } = 100;

    /// <summary>The β schedule shared by the Gaussian and the multinomial diffusion: <see cref="BetaSchedule.SquaredCosCapV2"/>
    /// (the cosine schedule, default) or <see cref="BetaSchedule.Linear"/> (Ho et al.'s, scaled by 1000 / T).</summary>
    public BetaSchedule Schedule { get; init; } = BetaSchedule.SquaredCosCapV2;

    /// <summary>The number of optimiser steps. Default 8,000.</summary>
    public int Steps { get; init; } = 8_000;

    /// <summary>Rows per step (drawn with replacement). Default 1,024.</summary>
    public int BatchSize { get; init; } = 1_024;

    /// <summary>AdamW's initial learning rate, decayed linearly to 0 over <see cref="Steps"/>. Default 2·10⁻³.</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>AdamW's decoupled weight decay. Default 0.</summary>
    public double WeightDecay { get; init; }

    /// <summary>The decay of the exponential moving average of the weights used for sampling, in [0, 1). Default 0.999.</summary>
    public double EmaDecay { get; init; } = 0.999;

    /// <summary>The denoising network's shape.</summary>
    public TabularMlpDenoiserOptions Network { get; init; } = new();

    /// <summary>How the table is turned into numbers (default: quantile-normal numbers, one-hot categories, missing
    /// indicators). Used when fitting; the fitted transformer is saved with the model.</summary>
    public TableTransformOptions? Transform { get; init; }

    /// <summary>Rows generated per batch when sampling. Default 10,000.</summary>
    public int SamplingBatchSize { get; init; } = 10_000;

    /// <summary>The number of reverse steps when sampling, evenly spaced over the T timesteps (a respaced ancestral
    /// sampler, exact when equal to T); <see langword="null"/> (default) for all T.</summary>
    public int? SamplingSteps { get; init; }

    /// <summary>
    /// A categorical or Boolean column the network is conditioned on, as TabDDPM's <c>is_y_cond</c> does for a
    /// classification target: the column is left out of the diffused state, SiLU of its class embedding is added to the
    /// time embedding, and sampling draws the labels from their training frequencies (a missing label is its own class when
    /// the column is nullable) before generating the rest of the row given them; a condition on the column
    /// (<see cref="TableCondition.Where(string, string)"/>, <see cref="TableCondition.WhereIn"/>) fixes the drawn labels,
    /// so it holds exactly and the network generates the row for it. <see langword="null"/> (default): every column is
    /// diffused.
    /// </summary>
    public string? LabelColumn { get; init; }

    /// <summary>Checks every option once, with messages naming the option, its value and what is allowed.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        Require(Timesteps is >= 2 and <= 100_000, nameof(Timesteps), Timesteps, "an integer in [2, 100000]");
        Require(Schedule is BetaSchedule.SquaredCosCapV2 or BetaSchedule.Linear, nameof(Schedule), Schedule, "SquaredCosCapV2 (cosine) or Linear");
        Require(Steps >= 1, nameof(Steps), Steps, "at least 1");
        Require(BatchSize >= 1, nameof(BatchSize), BatchSize, "at least 1");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "a finite number above 0");
        Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), nameof(WeightDecay), WeightDecay, "a finite number of 0 or more");
        Require(EmaDecay >= 0 && EmaDecay < 1, nameof(EmaDecay), EmaDecay, "in [0, 1)");
        Require(SamplingBatchSize >= 1, nameof(SamplingBatchSize), SamplingBatchSize, "at least 1");
        Require(LabelColumn is null || !string.IsNullOrWhiteSpace(LabelColumn), nameof(LabelColumn), LabelColumn is null ? null : $"'{LabelColumn}'", "null or a column's name");
        Require(SamplingSteps is null || (SamplingSteps >= 1 && SamplingSteps <= Timesteps), nameof(SamplingSteps), SamplingSteps, $"null or in [1, Timesteps = {Timesteps}]");
        if (Network is null)
        {
            throw new ArgumentException("Network must be set (TabularMlpDenoiserOptions).", nameof(Network));
        }

        Network.Validate();
    }

    private static void Require(bool ok, string name, object? value, string allowed)
    {
        if (!ok)
        {
            throw new ArgumentException($"TabularDiffusionOptions.{name} must be {allowed}, but is {value?.ToString() ?? "null"}.", name);
        }
    }
}
