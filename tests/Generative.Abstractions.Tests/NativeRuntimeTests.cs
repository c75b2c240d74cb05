using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Abstractions.Tests;

/// <summary>
/// TorchSharp's native library loads (on Debian 12 only thanks to the build's libstdc++ version fix) and computes,
/// and its CPU generator draws PyTorch's stream.
/// </summary>
public class NativeRuntimeTests
{
    [Fact]
    public void TorchSharp_loads_and_computes()
    {
        using var scope = NewDisposeScope();
        float sum = ones(3).sum().item<float>();
        sum.Should().Be(3f);
    }

    [Fact]
    public void Generator_seeded_with_zero_draws_pytorchs_stream()
    {
        // PyTorch: torch.manual_seed(0); torch.randn(5)
        // -> tensor([ 1.5410, -0.2934, -2.1788,  0.5684, -1.0845])
        using var scope = NewDisposeScope();
        using var generator = new Generator(0);
        float[] drawn = randn(5, generator: generator).data<float>().ToArray();
        drawn.Should().Equal(
            [1.5410f, -0.2934f, -2.1788f, 0.5684f, -1.0845f],
            (a, e) => Math.Abs(a - e) < 1e-4f);
    }

    [Fact]
    public void The_build_output_carries_a_patched_native_library()
    {
        string[] libraries = Directory.GetFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        if (!OperatingSystem.IsLinux())
        {
            return; // the fix concerns the Linux library only
        }

        libraries.Should().NotBeEmpty("the CPU back-end ships libLibTorchSharp.so for linux-x64");
        foreach (string library in libraries)
        {
            int? flags = ElfVersionNeeds.FlagsOf(library, "GLIBCXX_3.4.32");
            flags.Should().NotBeNull("TorchSharp 0.107.0 requires GLIBCXX_3.4.32");
            (flags!.Value & 0x2).Should().Be(0x2, "the build marks GLIBCXX_3.4.32 as a weak version requirement (VER_FLG_WEAK)");
        }
    }
}
