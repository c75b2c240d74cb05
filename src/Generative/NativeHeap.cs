using System.Runtime.InteropServices;

namespace Generative;

/// <summary>
/// Gives the C heap's free pages back to the operating system (glibc's <c>malloc_trim(0)</c>): after each batch a
/// diffusion model samples, and with the trainer's periodic garbage collection. Activations of a few hundred kilobytes
/// each are common here (a sampling batch's, a 256-sample batch's time embedding); glibc's dynamic mmap
/// threshold moves such blocks from fresh mappings onto the heap after the first ones are freed, and the heap then
/// keeps the pages it grew (measured: a 2-D DDIM-50 run in batches of 1,000 rose from 194 to 369 MB resident over
/// 10,000 samples; trimmed after every batch it peaks at 227 MB and ends at 175 MB, at the same speed; docs/performance.md).
/// </summary>
/// <remarks>
/// Linux only; a no-op elsewhere and where the C library has no <c>malloc_trim</c> (musl), which is detected once.
/// Thread-safe: glibc locks each arena while trimming it.
/// </remarks>
internal static class NativeHeap
{
    private static int _unavailable;

    /// <summary>Returns free heap pages to the operating system, when the platform can.</summary>
    internal static void Trim()
    {
        if (!OperatingSystem.IsLinux() || Volatile.Read(ref _unavailable) != 0)
        {
            return;
        }

        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception exception) when (exception is EntryPointNotFoundException or DllNotFoundException)
        {
            Volatile.Write(ref _unavailable, 1);
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallocTrim(nuint pad);
}
