namespace Generative.Training;

/// <summary>What a family's trainer returns (<c>DiffusionTrainer.Train</c>, <c>GanTrainer.Train</c>): the model, ready to
/// sample, and the run's summary. Deconstructs: <c>var (model, summary) = GanTrainer.Train(...)</c>.</summary>
/// <typeparam name="TModel">The model type.</typeparam>
/// <param name="Model">The trained model; the caller disposes it (what it owns is documented by each trainer).</param>
/// <param name="Summary">Losses, steps, time and why the run stopped.</param>
public sealed record TrainingResult<TModel>(TModel Model, TrainingSummary Summary)
    where TModel : IGenerativeModel;
