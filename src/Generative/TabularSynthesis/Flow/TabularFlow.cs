using Generative.Data;
using Generative.Diffusion;
using Generative.Flow;
using Generative.Tabular;
using Generative.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.TabularSynthesis;

/// <summary>
/// Flow matching on a table: the table is turned into numbers by a <see cref="TableTransformer"/> (quantile-normal
/// numbers and dates, one-hot categories, missing indicators), and the library's flow family learns those rows —
/// <see cref="FlowTrainer"/> trains a velocity network (TabDDPM's MLP, <see cref="TabularMlpDenoiser"/>) by conditional
/// flow matching on the straight path x_t = (1 − t)·x₀ + t·x₁ from noise x₀ ~ N(0, I) to a row x₁, with the trainer's
/// EMA; sampling integrates the field with a solver of <see cref="FlowSolverRegistry"/>. The one-hot groups are learned as
/// numbers like the rest of the row and decoded by the largest slot. Conditional sampling fixes the conditioned slots
/// along that path and keeps a conditioned number's endpoint inside its range (see
/// <see cref="Sample(int, TableCondition, Generator)"/>).
/// </summary>
/// <remarks>Thread-safety: sampling only reads the network (in evaluation mode) and may run on several threads, each with
/// its own generator; <see cref="Dispose"/> must not race with it. The model owns its <see cref="Flow"/>.</remarks>
public sealed partial class TabularFlow : ITableSynthesizer, IDisposable
{
    /// <summary>The name in <see cref="TableSynthesizerRegistry"/> and in the saved <c>synthesizer.json</c>.</summary>
    public const string RegisteredName = "flow";

    private bool _disposed;

    private TabularFlow(TableTransformer transformer, TabularFlowOptions options, FlowModel flow)
    {
        var shape = flow.Network.SampleShape;
        if (shape.Rank != 1 || shape[0] != transformer.Layout.Width)
        {
            throw new ArgumentException($"The velocity network takes rows shaped {shape}; the table needs [{transformer.Layout.Width}].", nameof(flow));
        }

        Transformer = transformer;
        Options = options;
        Flow = flow;
        flow.Network.Module.eval();
    }

    /// <inheritdoc/>
    public string Name => RegisteredName;

    /// <inheritdoc/>
    public TableSchema Schema => Transformer.Schema;

    /// <summary>The fitted transformer between typed rows and numbers; the flow's columns are its layout's.</summary>
    public TableTransformer Transformer { get; }

    /// <summary>The options it was trained with (and samples with).</summary>
    public TabularFlowOptions Options { get; }

    /// <summary>The trained flow over transformed rows (its network holds the averaged weights). Owned by this model.</summary>
    public FlowModel Flow { get; }

    /// <summary>What training did: steps, loss history, wall time (<see langword="null"/> for a loaded model).</summary>
    public TrainingSummary? Training { get; private set; }

    /// <summary>Fits the model to a table.</summary>
    /// <param name="table">The rows (at least 2; id columns are not learned).</param>
    /// <param name="options">How to train and sample; <see langword="null"/> for the defaults. Validated first.</param>
    /// <param name="generator">The source of every random draw (the initial weights, then the seed of the trainer's
    /// batches, times and noise): the same seed gives the same model.</param>
    /// <returns>The fitted model.</returns>
    /// <exception cref="ArgumentException">Invalid options (every problem named), or a table with fewer than 2 rows or
    /// nothing to learn.</exception>
    public static TabularFlow Fit(Table table, TabularFlowOptions? options, Generator generator) =>
        Fit(table, options, generator, null, CancellationToken.None);

    /// <summary>Fits the model to a table, reporting progress.</summary>
    /// <param name="table">The rows (at least 2; id columns are not learned).</param>
    /// <param name="options">How to train and sample; <see langword="null"/> for the defaults. Validated first.</param>
    /// <param name="generator">The source of every random draw: the same seed gives the same model.</param>
    /// <param name="progress">Receives the trainer's progress every 10 steps; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Stops training between steps; the model trained so far is returned.</param>
    /// <returns>The fitted model.</returns>
    /// <exception cref="ArgumentException">Invalid options, or a table with fewer than 2 rows or nothing to learn.</exception>
    public static TabularFlow Fit(Table table, TabularFlowOptions? options, Generator generator, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(generator);
        options ??= new TabularFlowOptions();
        options.Validate();
        if (table.RowCount < 2)
        {
            throw new ArgumentException($"A table of at least 2 rows is needed to fit the flow model; this one has {table.RowCount}.", nameof(table));
        }

        var transformer = TableTransformer.Fit(table, options.Transform);
        int width = transformer.Layout.Width;
        if (width == 0)
        {
            throw new ArgumentException("The table has no column to learn (only id columns).", nameof(table));
        }

        var network = new TabularMlpDenoiser(width, options.Network, generator);
        long seed;
        using (var draw = randint(0, int.MaxValue, [1], ScalarType.Int64, generator: generator))
        {
            seed = draw.item<long>();
        }

        var trainer = new FlowTrainerOptions
        {
            Training = options.Training,
            Sampling = new FlowModelOptions { Solver = options.Solver, Steps = options.SamplingSteps, BatchSize = options.SamplingBatchSize },
            Steps = options.Steps,
            BatchSize = Math.Min(options.BatchSize, table.RowCount),
            Seed = seed,
            EmaDecay = options.EmaDecay,
        };
        FlowModel? flow = null;
        try
        {
            TrainingSummary summary;
            using (var rows = transformer.Transform(table).ToTensor())
            using (var data = new TensorDataSource(rows))
            {
                (flow, summary) = FlowTrainer.Train(
                    network, data, trainer, builder => builder.WithLearningRateSchedule(LearningRateSchedule.WarmupCosine(0)), progress, cancellationToken);
            }

            return new TabularFlow(transformer, options, flow) { Training = summary };
        }
        catch
        {
            if (flow is null)
            {
                network.Dispose();
            }
            else
            {
                flow.Dispose();
            }

            throw;
        }
    }

    /// <inheritdoc/>
    public Table Sample(int count, Generator generator) => Sample(count, TableCondition.None, generator);

    /// <summary>Draws rows that all satisfy a condition, by conditioning the flow (no rejection; exactly
    /// <paramref name="count"/> rows).</summary>
    /// <remarks>
    /// <para>Every row starts at noise x₀ ~ N(0, I) and is integrated from t = 0 to 1 with <see cref="TabularFlowOptions.Solver"/>
    /// in <see cref="TabularFlowOptions.SamplingSteps"/> steps. On a conditioned coordinate the field is redirected so that
    /// the predicted endpoint x̂₁ = x_t + (1 − t)·v lies within the condition's bounds: the field becomes
    /// (clamp(x̂₁) − x_t)/(1 − t) there.</para>
    /// <para>Categories (<c>Where</c>, <c>WhereIn</c>, Booleans): the slots of a single allowed category are bounded to its
    /// one-hot value, so they follow the straight path (1 − t)·x₀ + t·x₁ that training used, at the constant velocity
    /// x₁ − x₀ (replacement, as in inpainting: the network sees the condition at every step and generates the rest of the
    /// row given it); of a set of categories the others' slots are bounded to 0 and the row picks among the allowed ones.
    /// The missing slot of a conditioned column is never allowed. Numeric and date ranges: the range (clipped to the
    /// observed one) is mapped into the quantile-normal space by the column's encoder, each end moved inwards until it
    /// decodes inside (as tabddpm does), and the endpoint is projected into that interval; the column's missing indicator
    /// is fixed to <c>present</c>. This is a projection, not exact posterior conditioning.</para>
    /// <para>At the end every one-hot group is set to exactly one slot — its largest allowed value — and every bounded
    /// value is clamped into its bounds, so every row satisfies the condition; then <see cref="TableTransformer.Inverse(ReadOnlySpan{double}, int)"/>
    /// decodes the rows.</para>
    /// </remarks>
    /// <param name="count">How many (0 or more).</param>
    /// <param name="condition">What every row must satisfy; validated against <see cref="Schema"/> first.</param>
    /// <param name="generator">The source of the noise: the same seed gives the same rows.</param>
    /// <returns>Exactly <paramref name="count"/> rows, each satisfying <paramref name="condition"/>.</returns>
    /// <exception cref="ArgumentException">The condition names an unknown column or an impossible value.</exception>
    /// <exception cref="NotSupportedException">A range is asked of a column encoded without a single Gaussian value (a
    /// <c>mode-specific</c> transform).</exception>
    public Table Sample(int count, TableCondition condition, Generator generator)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(generator);
        ObjectDisposedException.ThrowIf(_disposed, this);
        condition.Validate(Schema);
        var (solver, steps) = Flow.ResolveSolver();
        using var plan = FlowConditionPlan.Build(condition, Transformer);
        int width = Transformer.Layout.Width;
        var values = new double[(long)count * width];
        using (no_grad())
        {
            for (int start = 0; start < count; start += Options.SamplingBatchSize)
            {
                int rows = Math.Min(Options.SamplingBatchSize, count - start);
                using var scope = NewDisposeScope();
                var x0 = randn([rows, width], generator: generator);
                var x1 = FlowSolvers.Integrate(solver, (x, t) => plan.Redirect(Flow.Velocity(x, t), x, t), x0, steps);
                var chunk = values.AsSpan(start * width, rows * width);
                x1.to_type(ScalarType.Float64).contiguous().data<double>().CopyTo(chunk);
                plan.Finish(chunk, rows);
            }
        }

        return Transformer.Inverse(values, count);
    }

    /// <summary>Frees the network.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Flow.Dispose();
    }
}
