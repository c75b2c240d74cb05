using static TorchSharp.torch;

namespace Generative.Sampling;

/// <summary>One batch of a sampling call, as <see cref="GenerativeModel"/> hands it to its family's <c>DrawBatch</c>.</summary>
/// <remarks>Valid during that call only; not thread-safe.</remarks>
public sealed class SampleBatch
{
    internal SampleBatch(int offset, int size, int total, Generator generator, SamplingOptions? options, object? plan, CancellationToken cancellationToken)
    {
        Offset = offset;
        Size = size;
        Total = total;
        Generator = generator;
        Options = options;
        Plan = plan;
        CancellationToken = cancellationToken;
    }

    /// <summary>How many samples of the call come before this batch.</summary>
    public int Offset { get; }

    /// <summary>How many samples to draw, at least 1.</summary>
    public int Size { get; }

    /// <summary>How many samples the call draws in all.</summary>
    public int Total { get; }

    /// <summary>The source of every random draw (the caller's, or a randomly seeded one).</summary>
    public Generator Generator { get; }

    /// <summary>The call's options (already checked), or <see langword="null"/> for the model's defaults.</summary>
    public SamplingOptions? Options { get; }

    /// <summary>What the family's <c>PrepareSampling</c> returned for the call.</summary>
    public object? Plan { get; }

    /// <summary>The call's token, for a family that checks it between its own steps.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The caller's class labels for this batch, <c>[Size]</c> int64 on the caller's device (a view made in the
    /// batch's dispose scope); <see langword="null"/> when the caller gave none (a conditional family then draws them
    /// uniformly with <see cref="Generator"/>).</summary>
    public Tensor? ClassLabels => Options?.ClassLabels?.narrow(0, Offset, Size);

    internal bool ReportedSteps { get; private set; }

    /// <summary>Reports a finished step of a family that samples in several steps (a sampler's); a family that reports
    /// none gets one report per batch from the base.</summary>
    /// <param name="step">The step just finished, from 1.</param>
    /// <param name="steps">Steps per batch.</param>
    public void ReportStep(int step, int steps)
    {
        ReportedSteps = true;
        Options?.Progress?.Report(new SamplingProgress(step == steps ? Offset + Size : Offset, Total, step, steps));
    }
}
