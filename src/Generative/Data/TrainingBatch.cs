using static TorchSharp.torch;

namespace Generative.Data;

/// <summary>A batch of training data.</summary>
/// <param name="Samples">The samples, <c>[N, ..SampleShape]</c>, float32.</param>
/// <param name="Labels">Class labels <c>[N]</c>, int64, for conditional models; otherwise <see langword="null"/>.</param>
public sealed record TrainingBatch(Tensor Samples, Tensor? Labels = null);
