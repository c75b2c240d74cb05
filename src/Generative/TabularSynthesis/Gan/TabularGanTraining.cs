using Generative.Gan;
using Generative.Tabular;
using Generative.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.TabularSynthesis;

/// <summary>CTGAN's training loop (Xu et al. 2019, Algorithm 1 with the WGAN-GP critic of PacGAN packs).</summary>
internal static class TabularGanTraining
{
    internal static void Train(MlpGenerator network, TransformedTable matrix, ConditionalVector conditions, TabularGanOutput output, TabularGanOptions options, Generator generator)
    {
        int width = matrix.Width, condWidth = conditions.Width, batch = options.BatchSize, n = matrix.Rows;

        // The critic's weights and dropout masks come from a generator of their own, seeded from the run's.
        long seed;
        using (var draw = randint(0, int.MaxValue, [1], dtype: int64, generator: generator))
        {
            seed = draw.item<long>();
        }

        using var criticGenerator = new Generator((ulong)seed);
        using var inner = new MlpCritic(
            new MlpCriticOptions
            {
                SampleShape = new TensorShape((long)options.PackSize * (width + condWidth)),
                HiddenWidth = options.CriticWidth,
                HiddenLayers = options.CriticLayers,
                LeakyReluSlope = 0.2,
                DropoutRate = options.CriticDropout,
            },
            criticGenerator);
        var critic = new PackedCritic(inner, new TensorShape(width + condWidth), options.PackSize);
        var penalty = new GradientPenalty(options.GradientPenaltyWeight);
        using var data = matrix.ToTensor();
        using var generatorOptimizer = OptimizerFactory.Adam(network.parameters(), options.LearningRate, options.Beta1, options.Beta2, weightDecay: options.WeightDecay);
        using var criticOptimizer = OptimizerFactory.Adam(inner.parameters(), options.LearningRate, options.Beta1, options.Beta2, weightDecay: options.WeightDecay);
        network.train();
        inner.train();
        int steps = Math.Max(1, n / batch);
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            double lastCritic = 0, lastGenerator = 0;
            for (int step = 0; step < steps; step++)
            {
                for (int c = 0; c < options.CriticSteps; c++)
                {
                    using var scope = NewDisposeScope();
                    int[] realRows;
                    Tensor cond;
                    if (condWidth > 0)
                    {
                        var (groups, slots, rows) = conditions.SampleForTraining(batch, generator, withRealRows: true);
                        cond = conditions.ToTensor(groups, slots);
                        realRows = rows;
                    }
                    else
                    {
                        cond = zeros([batch, 0]);
                        realRows = [.. ConditionalVector.Uniforms(batch, generator).Select(u => Math.Min((int)(u * n), n - 1))];
                    }

                    var z = randn([batch, options.LatentDimension], generator: generator);
                    var perm = randperm(batch, generator: generator);
                    var fake = output.Activate(network.Generate(cat([z, cond], 1)), options.GumbelTemperature, generator);
                    var fakeRows = cat([fake, cond], 1).detach();

                    // CTGAN pairs the real rows with a permutation of the fake rows' conditions.
                    var realCond = cond.index_select(0, perm);
                    var realIndex = tensor(realRows.Select(r => (long)r).ToArray()).index_select(0, perm);
                    var real = cat([data.index_select(0, realIndex), realCond], 1);
                    var loss = (critic.Score(fakeRows).mean() - critic.Score(real).mean()).Plus(penalty.Compute(critic, real, fakeRows, null, generator));
                    criticOptimizer.zero_grad();
                    loss.backward();
                    criticOptimizer.step();
                    lastCritic = loss.item<float>();
                }

                using (var scope = NewDisposeScope())
                {
                    int[] groups = [], slots = [];
                    var cond = zeros([batch, 0]);
                    if (condWidth > 0)
                    {
                        (groups, slots, _) = conditions.SampleForTraining(batch, generator, withRealRows: false);
                        cond = conditions.ToTensor(groups, slots);
                    }

                    var z = randn([batch, options.LatentDimension], generator: generator);
                    var raw = network.Generate(cat([z, cond], 1));
                    var fake = output.Activate(raw, options.GumbelTemperature, generator);
                    var loss = critic.Score(cat([fake, cond], 1)).mean().neg();
                    if (condWidth > 0)
                    {
                        loss = loss.Plus(TabularGanOutput.ConditionalLoss(raw, conditions, groups, slots));
                    }

                    generatorOptimizer.zero_grad();
                    loss.backward();
                    generatorOptimizer.step();
                    lastGenerator = loss.item<float>();
                }
            }

            if (!double.IsFinite(lastCritic) || !double.IsFinite(lastGenerator))
            {
                throw new GanDivergenceException($"The ctgan model diverged in epoch {epoch + 1}: critic loss {lastCritic}, generator loss {lastGenerator}.");
            }
        }

        network.eval();
    }
}
