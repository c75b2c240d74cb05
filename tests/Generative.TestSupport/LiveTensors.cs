using TorchSharp;

namespace Generative.TestSupport;

/// <summary>Counts the tensors alive on the current thread, to prove that loops leak nothing.</summary>
public static class LiveTensors
{
    /// <summary>Tensors created on this thread and not yet disposed.</summary>
    public static long Count => DisposeScopeManager.Statistics.ThreadTotalLiveCount;
}
