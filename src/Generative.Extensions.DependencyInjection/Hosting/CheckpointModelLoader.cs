namespace Generative.Hosting;

/// <summary>
/// The default <see cref="IGenerativeModelLoader"/>: reads a checkpoint directory written by the Generative library's
/// trainers.
/// </summary>
/// <remarks>Thread-safe: holds no state.</remarks>
public sealed class CheckpointModelLoader : IGenerativeModelLoader
{
    /// <inheritdoc />
    /// <exception cref="NotSupportedException">Always, in this build: the core library does not yet provide checkpoint
    /// loading (<c>Generative.Checkpoints.ModelCheckpoint.Load</c>). Register models from code with
    /// <see cref="Microsoft.Extensions.DependencyInjection.GenerativeBuilder.AddModel(string, Func{IServiceProvider, IGenerativeModel})"/>
    /// or register your own loader with <see cref="Microsoft.Extensions.DependencyInjection.GenerativeBuilder.UseModelLoader{TLoader}"/>.</exception>
    public IGenerativeModel Load(string checkpointDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpointDirectory);
        throw new NotSupportedException(
            $"Cannot load the checkpoint '{checkpointDirectory}': this build of Generative has no checkpoint loader " +
            "(Generative.Checkpoints.ModelCheckpoint.Load is not available yet). Register the model from code with " +
            "GenerativeBuilder.AddModel(name, serviceProvider => model) or register an IGenerativeModelLoader with " +
            "GenerativeBuilder.UseModelLoader<TLoader>().");
    }
}
