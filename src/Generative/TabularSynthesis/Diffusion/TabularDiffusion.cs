using System.Diagnostics;
using Generative.Diffusion;
using Generative.Training;
using TorchSharp;
using static TorchSharp.torch;

using Generative.Tabular;

namespace Generative.TabularSynthesis;

/// <summary>
/// The mixed-type diffusion model for tables (TabDDPM's recipe, Kotelnikov et al., 2023): the table is turned into
/// numbers by a <see cref="TableTransformer"/> (quantile-normal numbers, one-hot categories and missing indicators);
/// Gaussian diffusion with ε-prediction runs on the numbers and multinomial diffusion (Hoogeboom et al., 2021) on each
/// one-hot group, both with the same β schedule, and one MLP (<see cref="TabularMlpDenoiser"/> by default, any
/// <see cref="IDenoiser"/> registered in <see cref="DenoiserRegistry"/>) predicts the noise of the numbers and the x̂₀
/// logits of every group. The loss is the numbers' mean squared noise error plus, averaged over the groups,
/// T·KL(q(x_{t−1} | x_t, x₀) ‖ p(x_{t−1} | x_t)) (the decoder's negative log-likelihood at t = 0) and the prior KL.
/// Sampling runs both reverse chains ancestrally. Conditional sampling restricts the conditioned groups' chains to the
/// allowed categories at every step (inpainting: the rest of the row is generated given them) and keeps a conditioned
/// number's x̂₀ inside its range mapped into the normal space (a projection, not exact posterior conditioning). With a
/// <see cref="TabularDiffusionOptions.LabelColumn"/>, that column is not diffused: the network is conditioned on it (a class
/// embedding added to the time embedding), sampling draws it from its training frequencies (only the allowed categories
/// under a condition on it) and generates the rest of the row given it.
/// </summary>
/// <remarks>Thread-safety: sampling only reads the network (in evaluation mode) and may run on several threads, each with
/// its own generator; <see cref="Dispose"/> must not race with it.</remarks>
public sealed partial class TabularDiffusion : ITableSynthesizer, IDisposable
{
    /// <summary>The name written into the saved <c>synthesizer.json</c>.</summary>
    public const string RegisteredName = "tabddpm";

    private readonly IDenoiser _network;
    private readonly int[] _gaussian;
    private readonly TransformBlock[] _groups;
    private readonly int[] _toMatrix;
    private readonly MultinomialDiffusion _multinomial;
    private readonly DiffusionCoefficients _coefficients;
    private readonly DiffusionLabel? _label;
    private bool _disposed;

    private TabularDiffusion(TableTransformer transformer, TabularDiffusionOptions options, IDenoiser network, DiffusionLabel? label)
    {
        Transformer = transformer;
        Options = options;
        _network = network;
        _label = label;
        var layout = transformer.Layout;
        _gaussian = [.. layout.Blocks.Where(b => b.Kind != BlockKind.OneHot).SelectMany(b => Enumerable.Range(b.Offset, b.Width))];
        _groups = [.. layout.OneHotGroups.Where(g => label is null || g.Column != label.Column)];
        int labelWidth = label?.ClassCount ?? 0;
        int[] labelColumns = label is null ? [] : [.. Enumerable.Range(label.Group.Offset, label.Group.Width)];
        int[] order = [.. _gaussian, .. _groups.SelectMany(g => Enumerable.Range(g.Offset, g.Width)), .. labelColumns];
        ModelOrder = order;
        _toMatrix = new int[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            _toMatrix[order[i]] = i;
        }

        _multinomial = new MultinomialDiffusion([.. _groups.Select(g => g.Width)]);
        _coefficients = new DiffusionCoefficients(options.Timesteps, options.Schedule);
        if (network.SampleShape.Rank != 1 || network.SampleShape[0] != layout.Width - labelWidth || !network.OutputShape.Equals(network.SampleShape))
        {
            throw new ArgumentException($"The network takes rows shaped {network.SampleShape} and gives {network.OutputShape}; the table needs [{layout.Width - labelWidth}] for both.", nameof(network));
        }

        if (network.ClassCount != labelWidth)
        {
            throw new ArgumentException($"The network is conditioned on {network.ClassCount} classes; the label column {(label is null ? "is not set, so 0 are needed" : $"'{label.Column}' has {labelWidth}")}.", nameof(network));
        }

        network.Module.eval();
    }

    /// <inheritdoc/>
    public string Name => RegisteredName;

    /// <inheritdoc/>
    public TableSchema Schema => Transformer.Schema;

    /// <summary>The fitted transformer between typed rows and numbers.</summary>
    public TableTransformer Transformer { get; }

    /// <summary>The options the model was trained with.</summary>
    public TabularDiffusionOptions Options { get; }

    /// <summary>The denoising network (the exponential moving average of the trained weights).</summary>
    public IDenoiser Network => _network;

    /// <summary>What training did (null for a loaded model).</summary>
    public TabularDiffusionTrainingSummary? Training { get; private set; }

    /// <summary>The network's column order: the matrix columns of the Gaussian (and cyclic) blocks, then those of the
    /// diffused one-hot groups in layout order, then the label's one-hot group (not given to the network as a column).</summary>
    internal IReadOnlyList<int> ModelOrder { get; }

    internal int GaussianWidth => _gaussian.Length;

    internal MultinomialDiffusion Multinomial => _multinomial;

    internal DiffusionCoefficients Coefficients => _coefficients;

    internal DiffusionLabel? Label => _label;

    /// <summary>Fits the model to a table.</summary>
    /// <param name="table">The rows (at least 2; id columns are not learned).</param>
    /// <param name="options">How to train; validated first.</param>
    /// <param name="generator">The source of every random draw (initial weights, batches, timesteps, noise): the same seed
    /// gives the same model.</param>
    /// <returns>The fitted model.</returns>
    /// <exception cref="ArgumentException">Invalid options, or a table with fewer than 2 rows or nothing to learn.</exception>
    public static TabularDiffusion Fit(Table table, TabularDiffusionOptions options, torch.Generator generator) =>
        Fit(table, options, generator, null);

    /// <summary>Fits the model to a table, reporting each step's loss.</summary>
    /// <param name="table">The rows (at least 2; id columns are not learned).</param>
    /// <param name="options">How to train; validated first.</param>
    /// <param name="generator">The source of every random draw: the same seed gives the same model.</param>
    /// <param name="onStep">Called after each step with the 1-based step and its loss (optional).</param>
    /// <returns>The fitted model.</returns>
    /// <exception cref="ArgumentException">Invalid options, or a table with fewer than 2 rows or nothing to learn.</exception>
    public static TabularDiffusion Fit(Table table, TabularDiffusionOptions options, torch.Generator generator, Action<int, double>? onStep)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(generator);
        options.Validate();
        if (table.RowCount < 2)
        {
            throw new ArgumentException($"A table of at least 2 rows is needed to fit the diffusion model; this one has {table.RowCount}.", nameof(table));
        }

        if (options.LabelColumn is not null)
        {
            DiffusionLabel.Check(options.LabelColumn, table.Schema);
        }

        var transformer = TableTransformer.Fit(table, options.Transform);
        if (transformer.Layout.Width == 0)
        {
            throw new ArgumentException("The table has no column to learn (only id columns).", nameof(table));
        }

        var watch = Stopwatch.StartNew();
        var data = transformer.Transform(table);
        var label = options.LabelColumn is null ? null : DiffusionLabel.Fit(options.LabelColumn, transformer, data);
        int classes = label?.ClassCount ?? 0;
        int features = transformer.Layout.Width - classes;
        if (features == 0)
        {
            throw new ArgumentException($"The table has no column to learn besides the label column '{options.LabelColumn}'.", nameof(table));
        }

        var network = new TabularMlpDenoiser(features, classes, options.Network, generator);
        var average = new TabularMlpDenoiser(features, classes, options.Network, generator);
        var model = new TabularDiffusion(transformer, options, average, label);
        try
        {
            var losses = model.Train(network, average, data, generator, onStep);
            model.Training = new TabularDiffusionTrainingSummary(options.Steps, losses, watch.Elapsed);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            network.Dispose();
        }
    }

    /// <summary>The training loss of one batch (the Gaussian MSE plus the multinomial term averaged over the groups), with
    /// every draw from <paramref name="generator"/>; exposed for tests.</summary>
    internal (Tensor Loss, Tensor Gaussian, Tensor Multinomial) Loss(IDenoiser network, Tensor rows, DiffusionCoefficients.StepTable table, Generator generator)
    {
        using var scope = NewDisposeScope();
        long b = rows.shape[0];
        int g = GaussianWidth;
        int c = _multinomial.Width;
        var t = randint(0, Options.Timesteps, [b], ScalarType.Int64, generator: generator);
        Tensor At(Tensor coefficients) => coefficients.index_select(0, t).unsqueeze(1);

        Tensor input;
        Tensor gaussianLoss = zeros(b);
        Tensor? noise = null;
        Tensor? xNumT = null;
        if (g > 0)
        {
            var xNum = rows.narrow(1, 0, g);
            noise = randn([b, g], generator: generator);
            xNumT = (At(table.SqrtAbarT) * xNum).Plus(At(table.SqrtOneMinusAbarT) * noise);
        }

        Tensor? logX0 = null, logXt = null;
        if (c > 0)
        {
            logX0 = MultinomialDiffusion.ToLog(rows.narrow(1, g, c));
            logXt = _multinomial.Sample(_multinomial.Mix(logX0, At(table.LogAbarT), At(table.Log1MinusAbarT)), generator);
        }

        input = (xNumT, logXt) switch
        {
            ({ } n, { } l) => cat([n, l.exp()], 1),
            ({ } n, null) => n,
            (null, { } l) => l.exp(),
            _ => throw new InvalidOperationException("Nothing to model."),
        };
        var labels = _label is null ? null : rows.narrow(1, g + c, _label.ClassCount).argmax(1);
        var output = network.Predict(input, t, labels);
        if (g > 0)
        {
            gaussianLoss = (output.narrow(1, 0, g) - noise!).Squared().mean([1]);
        }

        Tensor multinomialLoss = zeros(b);
        if (c > 0)
        {
            var first = t.EqualTo(0).unsqueeze(1);
            var logX0Hat = _multinomial.Normalise(output.narrow(1, g, c));
            var trueLog = _multinomial.Posterior(logX0!, logXt!, At(table.LogAbarS), At(table.Log1MinusAbarS), At(table.LogA), At(table.Log1MinusA), first);
            var modelLog = _multinomial.Posterior(logX0Hat, logXt!, At(table.LogAbarS), At(table.Log1MinusAbarS), At(table.LogA), At(table.Log1MinusA), first);
            var kl = MultinomialDiffusion.Kl(trueLog, modelLog);
            var decoderNll = -(logX0!.exp() * modelLog).sum(1);
            var lt = where(t.EqualTo(0), decoderNll, kl);
            int last = Options.Timesteps - 1;
            var prior = _multinomial.PriorKl(logX0!, _coefficients.LogAbar(last), _coefficients.Log1MinusAbar(last));
            multinomialLoss = lt.Times(Options.Timesteps).Plus(prior).DividedBy(_multinomial.GroupCount);
        }

        var loss = gaussianLoss.mean().Plus(multinomialLoss.mean());
        return (loss.MoveToOuterDisposeScope(), gaussianLoss.MoveToOuterDisposeScope(), multinomialLoss.MoveToOuterDisposeScope());
    }

    private double[] Train(TabularMlpDenoiser network, TabularMlpDenoiser average, TransformedTable data, Generator generator, Action<int, double>? onStep)
    {
        using var rows = ToModelOrder(data);
        using var table = _coefficients.TrainingSteps();
        using var optimizer = OptimizerFactory.AdamW(network.parameters(), Options.LearningRate, weightDecay: Options.WeightDecay);
        using var ema = ExponentialMovingAverage.Into(network, average, Options.EmaDecay, useWarmup: true);
        network.train();
        var losses = new double[Options.Steps];
        for (int step = 0; step < Options.Steps; step++)
        {
            using var scope = NewDisposeScope();
            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate = Options.LearningRate * (1 - (step / (double)Options.Steps));
            }

            var index = randint(0, rows.shape[0], [Options.BatchSize], ScalarType.Int64, generator: generator);
            var batch = rows.index_select(0, index);
            optimizer.zero_grad();
            var (loss, _, _) = Loss(network, batch, table, generator);
            loss.backward();
            optimizer.step();
            ema.Update();
            losses[step] = loss.item<float>();
            if (!double.IsFinite(losses[step]))
            {
                throw new NonFiniteLossException($"The tabular diffusion loss is {losses[step]} at step {step + 1}; lower the learning rate.");
            }

            onStep?.Invoke(step + 1, losses[step]);
        }

        average.eval();
        return losses;
    }

    /// <summary>The transformed table as a float32 tensor in the network's column order.</summary>
    internal Tensor ToModelOrder(TransformedTable data)
    {
        using var scope = NewDisposeScope();
        using var matrix = data.ToTensor();
        using var order = tensor(ModelOrder.Select(i => (long)i).ToArray());
        return matrix.index_select(1, order).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public Table Sample(int count, torch.Generator generator) => Sample(count, TableCondition.None, generator);

    /// <inheritdoc/>
    public Table Sample(int count, TableCondition condition, torch.Generator generator)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(generator);
        ObjectDisposedException.ThrowIf(_disposed, this);
        condition.Validate(Schema);
        // The label column has no group among the diffused ones, so the plan ignores a condition on it; the drawn labels obey it.
        using var plan = ConditionPlan.Build(condition, Transformer, _gaussian, _groups);
        var labelCondition = _label is null ? null : condition.For(_label.Column);
        int width = Transformer.Layout.Width;
        var values = new double[(long)count * width];
        using (no_grad())
        {
            for (int start = 0; start < count; start += Options.SamplingBatchSize)
            {
                int rows = Math.Min(Options.SamplingBatchSize, count - start);
                using var scope = NewDisposeScope();
                using var batch = SampleBatch(rows, plan, labelCondition, generator);
                using var inMatrix = batch.index_select(1, tensor(_toMatrix.Select(i => (long)i).ToArray())).to_type(ScalarType.Float64).contiguous();
                inMatrix.data<double>().CopyTo(values.AsSpan(start * width, rows * width));
            }
        }

        return Transformer.Inverse(values, count);
    }

    private Tensor SampleBatch(int rows, ConditionPlan plan, ColumnCondition? labelCondition, Generator generator)
    {
        int g = GaussianWidth, c = _multinomial.Width;
        using var labels = _label?.Draw(rows, labelCondition, generator);
        var steps = _coefficients.SamplingTimesteps(Options.SamplingSteps ?? Options.Timesteps);
        Tensor xNum = randn([rows, g], generator: generator);
        Tensor logX = c > 0 ? _multinomial.Sample(Restrict(zeros(rows, c), plan), generator) : zeros(rows, 0);
        for (int i = 0; i < steps.Length; i++)
        {
            int t = steps[i], s = i + 1 < steps.Length ? steps[i + 1] : -1;
            var k = _coefficients.Between(t, s);
            using var scope = NewDisposeScope();
            var input = c == 0 ? xNum : g == 0 ? logX.exp() : cat([xNum, logX.exp()], 1);
            var output = _network.Predict(input, HeldScalars.Full([rows], (long)t, ScalarType.Int64), labels);
            Tensor nextNum = xNum, nextLog = logX;
            if (g > 0)
            {
                var x0 = (xNum - output.narrow(1, 0, g).Times(k.SqrtOneMinusAbarT)).DividedBy(k.SqrtAbarT);
                if (plan.Lower is not null)
                {
                    x0 = maximum(minimum(x0, plan.Upper!), plan.Lower);
                }

                nextNum = x0.Times(k.MeanCoefficientX0).Plus(xNum.Times(k.MeanCoefficientXt));
                if (!k.First)
                {
                    nextNum = nextNum.Plus(randn([rows, g], generator: generator).Times(Math.Sqrt(k.Beta)));
                }
                else if (plan.Lower is not null)
                {
                    nextNum = maximum(minimum(nextNum, plan.Upper!), plan.Lower);
                }
            }

            if (c > 0)
            {
                var logX0Hat = _multinomial.Normalise(Restrict(output.narrow(1, g, c), plan));
                using var logAbarS = HeldScalars.Full([rows, 1], (float)k.LogAbarS);
                using var log1MinusAbarS = HeldScalars.Full([rows, 1], (float)k.Log1MinusAbarS);
                using var logA = HeldScalars.Full([rows, 1], (float)k.LogA);
                using var log1MinusA = HeldScalars.Full([rows, 1], (float)k.Log1MinusA);
                using var first = tensor(k.First);
                var posterior = _multinomial.Posterior(logX0Hat, logX, logAbarS, log1MinusAbarS, logA, log1MinusA, first);
                nextLog = _multinomial.Sample(Restrict(posterior, plan), generator);
            }

            if (g > 0)
            {
                scope.MoveToOuter(nextNum);
                xNum.Dispose();
                xNum = nextNum;
            }

            if (c > 0)
            {
                scope.MoveToOuter(nextLog);
                logX.Dispose();
                logX = nextLog;
            }
        }

        using (xNum)
        using (logX)
        {
            if (labels is not null)
            {
                using var scope = NewDisposeScope();
                var oneHot = nn.functional.one_hot(labels, _label!.ClassCount).to_type(ScalarType.Float32);
                return cat([xNum, logX.exp(), oneHot], 1).MoveToOuterDisposeScope();
            }

            return c == 0 ? xNum.clone() : g == 0 ? logX.exp() : cat([xNum, logX.exp()], 1);
        }
    }

    /// <summary>Adds the plan's slot mask (disallowed categories to probability 0) and renormalises per group.</summary>
    private Tensor Restrict(Tensor logits, ConditionPlan plan) =>
        plan.SlotMask is null ? logits : _multinomial.Normalise(logits.Plus(plan.SlotMask));

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _network.Module.Dispose();
        _multinomial.Dispose();
    }
}

/// <summary>What training a <see cref="TabularDiffusion"/> did.</summary>
public sealed class TabularDiffusionTrainingSummary
{
    internal TabularDiffusionTrainingSummary(int steps, IReadOnlyList<double> losses, TimeSpan elapsed)
    {
        Steps = steps;
        Losses = losses;
        Elapsed = elapsed;
    }

    /// <summary>Optimiser steps run.</summary>
    public int Steps { get; }

    /// <summary>The loss of each step (the Gaussian MSE plus the multinomial term averaged over the groups).</summary>
    public IReadOnlyList<double> Losses { get; }

    /// <summary>Wall-clock time of fitting (transformer and training).</summary>
    public TimeSpan Elapsed { get; }
}
