using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>
/// Recomputes the population statistics of a generator's batch normalisation at its current weights ("precise batch
/// norm"; PyTorch's <c>torch.optim.swa_utils.update_bn</c> does the same for averaged models).
/// </summary>
/// <remarks>
/// <para>A batch-normalised generator samples in evaluation mode with the running averages its training left, an
/// exponential average over the last batches taken while the weights were still moving (PyTorch's momentum 0.1: about
/// the last ten). Those averages are noisy and lag the weights, and a generator whose samples must land within 3σ of a
/// narrow mode is sensitive to them (docs/gan.md measures how much on PacGAN's grid). PacGAN's authors score after a
/// monitoring pass that refreshes the averages over 50 batches at fixed weights, which is what this does.</para>
/// <para><see cref="Recompute"/> resets every batch-norm layer's running mean and variance and feeds
/// <c>batches</c> batches of <c>batchSize</c> standard normal latents (and, for a class-conditional generator, uniform
/// labels) through the generator in training mode without gradients, so each layer ends with the plain average over
/// the batches of its batch means and unbiased batch variances. Parameters are not touched; the module's mode and each
/// layer's momentum are restored. Layers other than batch norm, and generators without it, are left as they are.</para>
/// </remarks>
public static class BatchNormStatistics
{
    /// <summary>Recomputes the running mean and variance of every batch-norm layer of the generator at its current
    /// weights: the average over <paramref name="batches"/> batches of <paramref name="batchSize"/> latents.</summary>
    /// <param name="generator">The generator; its batch-norm buffers are overwritten.</param>
    /// <param name="batches">Batches to average over, at least 1.</param>
    /// <param name="batchSize">Latents per batch, at least 2 (the batch size the generator normalised over in training
    /// is the natural choice: a layer's variance depends on it).</param>
    /// <param name="random">The draws of the latents and labels.</param>
    /// <returns>The number of batch-norm layers recomputed (0 for a generator without batch normalisation).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batches"/> is below 1 or <paramref name="batchSize"/> below 2.</exception>
    public static int Recompute(IGenerator generator, int batches, int batchSize, Generator random)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(batches, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 2);

        var module = generator.Module;
        var layers = module.modules().OfType<TorchSharp.Modules.BatchNorm>()
            .Where(layer => layer.running_mean is not null && layer.running_var is not null).ToList();
        if (layers.Count == 0)
        {
            return 0;
        }

        var first = module.parameters().FirstOrDefault();
        var dtype = first?.dtype ?? ScalarType.Float32;
        var device = first?.device ?? CPU;
        bool training = module.training;
        var momenta = layers.Select(layer => layer.momentum).ToArray();
        try
        {
            module.train();
            using var noGrad = no_grad();
            foreach (var layer in layers)
            {
                layer.reset_running_stats();
            }

            for (int b = 1; b <= batches; b++)
            {
                using var scope = NewDisposeScope();

                // Momentum 1/b makes each layer's running statistics the plain average of the first b batches'.
                foreach (var layer in layers)
                {
                    layer.momentum = 1.0 / b;
                }

                var latent = randn(generator.LatentShape.WithBatch(batchSize), dtype: dtype, device: device, generator: random);
                var labels = generator.ClassCount > 0
                    ? randint(generator.ClassCount, [batchSize], dtype: ScalarType.Int64, device: device, generator: random)
                    : null;
                generator.Generate(latent, labels);
            }
        }
        finally
        {
            for (int i = 0; i < layers.Count; i++)
            {
                layers[i].momentum = momenta[i];
            }

            module.train(training);
        }

        return layers.Count;
    }
}
