using System.Collections.Concurrent;
using Generative.Hosting;
using TorchSharp;

namespace Generative.Extensions.DependencyInjection.Tests;

/// <summary>
/// A stand-in for a trained model: samples are <c>randn([count, ..shape], generator) + offset</c>, where the offset is
/// the requested steps (0 when unset), so that seeds and settings visibly change the output. Thread-safe like a real
/// model: no mutable state but the call log.
/// </summary>
public sealed class FakeGenerativeModel : IGenerativeModel
{
    public FakeGenerativeModel(
        TensorShape sampleShape, IReadOnlyList<string>? featureNames = null, ModelFamily? family = null, int classCount = 0)
    {
        SampleShape = sampleShape;
        FeatureNames = featureNames;
        Family = family ?? ModelFamily.Diffusion;
        ClassCount = classCount;
    }

    public static FakeGenerativeModel Table() => new(new TensorShape(3), ["alcohol", "malic_acid", "ash"]);

    public static FakeGenerativeModel Points() => new(new TensorShape(2), family: ModelFamily.Gan);

    public static FakeGenerativeModel Images() => new(new TensorShape(1, 4, 4));

    public ModelFamily Family { get; }

    public TensorShape SampleShape { get; }

    public int ClassCount { get; }

    public IReadOnlyList<string>? FeatureNames { get; }

    public ConcurrentQueue<SamplingOptions?> Calls { get; } = new();

    public int DisposeCount;

    public bool IsDisposed => Volatile.Read(ref DisposeCount) > 0;

    public torch.Tensor Sample(int count, torch.Generator? generator = null, SamplingOptions? options = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        cancellationToken.ThrowIfCancellationRequested();
        Calls.Enqueue(options);
        using var own = generator is null ? new torch.Generator((ulong)Random.Shared.NextInt64()) : null;
        using var scope = torch.NewDisposeScope();
        var noise = torch.randn(SampleShape.WithBatch(count), dtype: torch.float32, generator: generator ?? own);
        using var offset = torch.tensor((float)(options?.Steps ?? 0));
        return noise.add(offset).MoveToOuterDisposeScope();
    }

    public IEnumerable<torch.Tensor> SampleBatches(int count, torch.Generator? generator = null, SamplingOptions? options = null, CancellationToken cancellationToken = default)
    {
        int batch = options?.BatchSize ?? 512;
        for (int done = 0; done < count; done += batch)
        {
            yield return Sample(Math.Min(batch, count - done), generator, options, cancellationToken);
        }
    }

    public void Dispose() => Interlocked.Increment(ref DisposeCount);
}

/// <summary>A loader that records the directories it is asked for and hands out fake models (or throws).</summary>
public sealed class RecordingLoader : IGenerativeModelLoader
{
    private readonly Func<string, IGenerativeModel> _load;

    public RecordingLoader(Func<string, IGenerativeModel>? load = null) =>
        _load = load ?? (_ => FakeGenerativeModel.Table());

    public ConcurrentQueue<string> Loaded { get; } = new();

    public ConcurrentQueue<IGenerativeModel> Models { get; } = new();

    public IGenerativeModel Load(string checkpointDirectory)
    {
        Loaded.Enqueue(checkpointDirectory);
        var model = _load(checkpointDirectory);
        Models.Enqueue(model);
        return model;
    }
}

/// <summary>A checkpoint-shaped temporary directory (config.json + model.safetensors, both empty), deleted on dispose.</summary>
public sealed class TempCheckpoint : IDisposable
{
    public TempCheckpoint(bool withConfig = true)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "generative-di-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
        if (withConfig)
        {
            File.WriteAllText(System.IO.Path.Combine(Path, "config.json"), "{}");
            File.WriteAllBytes(System.IO.Path.Combine(Path, "model.safetensors"), []);
        }
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
