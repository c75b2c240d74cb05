using Generative.TestSupport;

namespace Generative.Tests.Interop;

/// <summary>
/// The PyTorch package's own unit tests (python/tests: the safetensors reader/writer, the schedules against their
/// formulas, the EMA warm-up, standardisation, checkpoint hashes), run by CI through this test. Skipped without torch.
/// </summary>
public sealed class PythonPackageTests
{
    [SkippableFact]
    public void The_package_unit_tests_pass()
    {
        Skip.IfNot(PyTorchPackage.IsAvailable, PyTorchPackage.SkipReason);
        var (code, stdout, stderr) = PyTorchPackage.Run(PyTorchPackage.Python, "-m", "unittest", "discover", "-s", "tests", "-t", ".", "-p", "test_*.py");
        code.Should().Be(0, $"python/tests failed:\n{stdout}\n{stderr}");
        stderr.Should().MatchRegex(@"Ran (1[0-9]|[2-9][0-9]) tests", "the discovery found the package's tests").And.Contain("OK");
    }
}
