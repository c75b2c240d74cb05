using Generative.Data;
using Generative.Diffusion;
using Generative.Evaluation;
using Generative.Training;

namespace Generative.Comparison;

/// <summary>What the contenders that train a denoiser-shaped network (diffusion, flow matching) share, so that they get
/// the same network, budget handling and clean-up: only the trainer differs.</summary>
internal static class DenoiserContenderTraining
{
    /// <summary>Builds the network for the data (an MLP for vectors, a UNet for images) from the request's seed, trains it
    /// with <paramref name="train"/> under the request's budget, and returns the trained contender; the network is
    /// disposed if training fails.</summary>
    public static TrainedContender Train<TModel>(
        ContenderTrainingRequest request,
        int width,
        int depth,
        Func<IDenoiser, IDataSource, Action<TrainerBuilder>, TrainingResult<TModel>> train)
        where TModel : IGenerativeModel
    {
        ArgumentNullException.ThrowIfNull(request);
        var data = request.Data;
        var network = CreateNetwork(data, width, depth, request.Seed);
        try
        {
            // Counted before training: a trainer may hand the model another network of the same shape (reflow's student)
            // and dispose this one.
            long parameters = ModelCost.ParameterCount(network.Module, trainableOnly: true);
            using var source = ComparisonSources.Create(data);
            var result = train(network, source, builder => ApplyBudget(builder, request));
            if (request.CancellationToken.IsCancellationRequested)
            {
                result.Model.Dispose();
                request.CancellationToken.ThrowIfCancellationRequested();
            }

            return new TrainedContender(result.Model, result.Summary, parameters, "loss");
        }
        catch
        {
            network.Module.Dispose();
            throw;
        }
    }

    /// <summary>The contenders' network for the data, initialised from <paramref name="seed"/>: an MLP of
    /// <paramref name="depth"/> residual blocks of <paramref name="width"/> units (128-d time embedding) for vectors, a
    /// small UNet for images; class-conditional when the data are labelled.</summary>
    public static IDenoiser CreateNetwork(ComparisonData data, int width, int depth, long seed)
    {
        using var init = new TorchSharp.torch.Generator((ulong)seed);
        int classes = data.ClassCount;
        return data.SampleShape.Rank == 1
            ? new MlpDenoiser((int)data.SampleShape[0], new MlpDenoiserOptions { Width = width, Depth = depth, TimeEmbeddingDimension = 128, ClassCount = classes }, init)
            : new UNetDenoiser((int)data.SampleShape[0], (int)data.SampleShape[1], (int)data.SampleShape[2], new UNetDenoiserOptions { ClassCount = classes }, init);
    }

    // A duration budget stops the run by time; a step budget decays the learning rate to 0 over its steps (warm-up cosine).
    private static void ApplyBudget(TrainerBuilder builder, ContenderTrainingRequest request)
    {
        if (request.Budget.Duration is { } duration)
        {
            builder.WithDuration(duration);
        }

        if (request.Budget.Steps is not null)
        {
            builder.WithLearningRateSchedule(LearningRateSchedule.WarmupCosine(0));
        }

        if (request.Progress is not null)
        {
            builder.WithProgress(request.Progress, everySteps: 100);
        }
    }
}
