using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.TestSupport;

/// <summary>
/// Makes the memory that native code will reuse non-finite, so that a kernel which reads memory it never wrote gives
/// NaN instead of whatever a previous test happened to leave there (usually small finite values that hide the bug).
/// </summary>
/// <remarks>
/// libtorch's CPU allocator takes its blocks from the C heap. <see cref="Poison"/> fills blocks of many sizes with NaN
/// and frees them, so the next allocations of those sizes come back holding NaN. While a <see cref="KeepOnHeap"/>
/// scope is open, glibc serves even large blocks from the heap (instead of fresh, zero-filled mappings), so large
/// buffers are poisoned too. Linux/glibc only; elsewhere both are harmless no-ops beyond the allocations.
/// </remarks>
public static class StaleMemory
{
    private const int M_MMAP_THRESHOLD = -3;

    /// <summary>Fills freed C-heap blocks from 256 bytes to 8 MiB with NaN.</summary>
    public static void Poison()
    {
        using var scope = NewDisposeScope();
        var blocks = new List<Tensor>();
        for (long bytes = 256; bytes <= 8L << 20; bytes = bytes * 3 / 2)
        {
            for (int copy = 0; copy < 2; copy++)
            {
                blocks.Add(full(bytes / sizeof(float), float.NaN));
            }
        }

        foreach (var block in blocks)
        {
            block.Dispose();
        }
    }

    /// <summary>Serves blocks of up to 1 GiB from the heap until disposed (then back to glibc's 128 KiB threshold).</summary>
    /// <returns>The scope; dispose it to restore the threshold.</returns>
    public static IDisposable KeepOnHeap()
    {
        SetThreshold(1 << 30);
        return new ThresholdScope();
    }

    private static void SetThreshold(int bytes)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                _ = MallOpt(M_MMAP_THRESHOLD, bytes);
            }
            catch (EntryPointNotFoundException)
            {
                // Not glibc: large blocks stay fresh mappings; Poison still covers the small ones.
            }
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallOpt(int parameter, int value);

    private sealed class ThresholdScope : IDisposable
    {
        public void Dispose() => SetThreshold(128 * 1024);
    }
}
