using Generative.Data;

namespace Generative.Training;

/// <summary>The run that every family's trainer facade (<c>DiffusionTrainer</c>, <c>GanTrainer</c>) makes of its options.</summary>
internal static class TrainerFacade
{
    /// <summary>Refuses data a network cannot train on: another sample shape, no labels for a class-conditional network, or
    /// more classes than it has.</summary>
    public static void CheckData(IDataSource data, TensorShape sampleShape, int classCount)
    {
        if (!data.SampleShape.Equals(sampleShape))
        {
            throw new ArgumentException($"The data's samples have shape {data.SampleShape}, the network's {sampleShape}.", nameof(data));
        }

        if (classCount > 0 && data.ClassCount == 0)
        {
            throw new ArgumentException("The network is class-conditional but the data has no labels.", nameof(data));
        }

        if (classCount > 0 && data.ClassCount > classCount)
        {
            throw new ArgumentException($"The data has {data.ClassCount} classes but the network only {classCount}.", nameof(data));
        }
    }

    /// <summary>
    /// Builds a trainer for <paramref name="step"/> on <paramref name="data"/> — batch size (the facade's default when
    /// unset; its option's name goes into messages), steps, seed, the facade's own callbacks, progress
    /// every 10 steps, then the caller's <paramref name="configure"/> — runs it and returns its summary.
    /// </summary>
    public static TrainingSummary Run(
        ITrainingStep step,
        IDataSource data,
        (int? Value, int Default, string Option) batchSize,
        long steps,
        long seed,
        ITrainingCallback? callback,
        Action<TrainerBuilder>? configure,
        IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        var builder = Trainer.For(step).WithData(data).WithBatchSize(batchSize.Value, batchSize.Default, batchSize.Option).WithSteps(steps).WithSeed(seed);
        if (callback is not null)
        {
            builder.WithCallback(callback);
        }

        if (progress is not null)
        {
            builder.WithProgress(progress);
        }

        configure?.Invoke(builder);
        using var trainer = builder.Build();
        return trainer.Run(cancellationToken);
    }
}
