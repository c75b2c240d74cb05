using Generative.Diffusion;
using Generative.Flow;
using Generative.Tabular;
using Generative.Training;

namespace Generative.TabularSynthesis;

/// <summary>
/// How <see cref="TabularFlow"/> is trained and sampled. The training budget defaults to <see cref="TabularDiffusionOptions"/>'
/// (8,000 steps of 1,024 rows, TabDDPM's MLP 4 × 256, learning rate 2·10⁻³, EMA 0.999), so that the two objectives are
/// compared at the same cost; sampling defaults to Euler with 50 steps (50 network evaluations per row, half of tabddpm's
/// 100). Validated once, with every problem named, by <see cref="Validate"/>, which
/// <see cref="TabularFlow.Fit(Table, TabularFlowOptions?, TorchSharp.torch.Generator)"/> calls.
/// </summary>
public sealed record TabularFlowOptions
{
    /// <summary>Optimiser steps, at least 1. Default 8,000 (as tabddpm's).</summary>
    public int Steps { get; init; } = 8_000;

    /// <summary>Rows per step, at least 1; a table with fewer rows trains on all of them per step. Default 1,024 (as
    /// tabddpm's). Batches are drawn by the library's trainer: shuffled epochs, the last partial batch dropped.</summary>
    public int BatchSize { get; init; } = 1_024;

    /// <summary>The flow-matching step's options: the distribution of t, the time scale the network sees and Adam's
    /// learning rate, which decays to 0 along a cosine over <see cref="Steps"/>. Default t ~ U(0, 1), t·1000, 2·10⁻³.</summary>
    public FlowTrainingOptions Training { get; init; } = new() { LearningRate = 2e-3 };

    /// <summary>The decay of the moving average of the weights that samples, in [0, 1). Default 0.999 (with the library's
    /// warm-up).</summary>
    public double EmaDecay { get; init; } = 0.999;

    /// <summary>The velocity network's shape (TabDDPM's MLP, <see cref="TabularMlpDenoiser"/>). Default 4 × 256.</summary>
    public TabularMlpDenoiserOptions Network { get; init; } = new();

    /// <summary>How the table is turned into numbers; <see langword="null"/> (default) for quantile-normal numbers and
    /// dates, one-hot categories and missing indicators. The fitted transformer is saved with the model.</summary>
    public TableTransformOptions? Transform { get; init; }

    /// <summary>The ODE solver that samples, registered in <see cref="FlowSolverRegistry.Default"/> (<c>"euler"</c>,
    /// <c>"midpoint"</c>, <c>"heun"</c>, or one a library author registered). Default <c>"euler"</c>.</summary>
    public string Solver { get; init; } = "euler";

    /// <summary>Solver steps from noise to a row, at least 1 (network evaluations per row: steps × the solver's
    /// evaluations per step). Default 50.</summary>
    public int SamplingSteps { get; init; } = 50;

    /// <summary>Rows integrated together when sampling, at least 1. Default 10,000.</summary>
    public int SamplingBatchSize { get; init; } = 10_000;

    /// <summary>Checks every option once.</summary>
    /// <exception cref="ArgumentException">One or more options are out of range; the message names each, its value and
    /// what is allowed.</exception>
    public void Validate()
    {
        var problems = new OptionProblems(nameof(TabularFlowOptions));
        problems.Require(Steps >= 1, nameof(Steps), $"must be at least 1 (was {Steps}).");
        problems.Require(BatchSize >= 1, nameof(BatchSize), $"must be at least 1 (was {BatchSize}).");
        problems.Require(EmaDecay >= 0 && EmaDecay < 1, nameof(EmaDecay), $"must be in [0, 1) (was {EmaDecay}).");
        problems.Require(SamplingSteps >= 1, nameof(SamplingSteps), $"must be at least 1 (was {SamplingSteps}).");
        problems.Require(SamplingBatchSize >= 1, nameof(SamplingBatchSize), $"must be at least 1 (was {SamplingBatchSize}).");
        problems.Require(
            !string.IsNullOrWhiteSpace(Solver) && FlowSolverRegistry.Default.Contains(Solver),
            nameof(Solver),
            $"must name a registered flow solver ({string.Join(", ", FlowSolverRegistry.Default.Keys)}) (was '{Solver}').");
        problems.Require(Training is not null, nameof(Training), "must not be null.");
        problems.Require(Network is not null, nameof(Network), "must not be null.");
        if (Network is not null)
        {
            problems.Nested(nameof(Network), Network.Validate);
        }

        var all = new List<string>(problems.Problems);
        if (Training is not null)
        {
            all.AddRange(Training.Validate());
        }

        OptionProblems.ThrowIfAny(all, nameof(TabularFlowOptions));
    }
}
