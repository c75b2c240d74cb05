using System.Globalization;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Diffusion;

/// <summary>The deterministic sample, noise and dummy model of diffusers' <c>SchedulerCommonTest</c> (tests/schedulers/test_schedulers.py),
/// and the tensors written by <c>reference/scheduler_reference.py</c>.</summary>
internal static class DiffusersTestFixtures
{
    /// <summary><c>dummy_sample_deter</c>: arange(768).reshape(3, 8, 8, 4) / 768, permuted to [4, 3, 8, 8].</summary>
    public static Tensor DummySampleDeter()
    {
        using var scope = NewDisposeScope();
        const long n = 4 * 3 * 8 * 8;
        return (arange(n).reshape(3, 8, 8, 4) / n).permute(3, 0, 1, 2).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary><c>dummy_noise_deter</c>: the same, flipped.</summary>
    public static Tensor DummyNoiseDeter()
    {
        using var scope = NewDisposeScope();
        const long n = 4 * 3 * 8 * 8;
        return (arange(n).flip(-1).reshape(3, 8, 8, 4) / n).permute(3, 0, 1, 2).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary><c>dummy_model</c>: sample · t / (t + 1).</summary>
    public static Tensor DummyModel(Tensor sample, long t)
    {
        using var tt = t.ToScalar();
        using var t1 = (t + 1).ToScalar();
        return sample.mul(tt).div(t1);
    }

    /// <summary>The x₀-predicting stand-in of the reference script: sample · 1.6 − 0.3.</summary>
    public static Tensor SampleModel(Tensor sample)
    {
        using var a = 1.6.ToScalar();
        using var b = 0.3.ToScalar();
        return sample.mul(a).sub(b);
    }

    /// <summary>A tensor written by reference/scheduler_reference.py (flattened), as float64.</summary>
    public static Tensor Reference(string name, [CallerFilePath] string callerPath = "")
    {
        string path = Path.Combine(Path.GetDirectoryName(callerPath)!, "reference", "expected", name + ".txt");
        var values = File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        return tensor(values, ScalarType.Float64);
    }

    public static double SumAbs(Tensor x) => x.abs().sum().to_type(ScalarType.Float64).item<double>();

    public static double MeanAbs(Tensor x) => x.abs().mean().to_type(ScalarType.Float64).item<double>();
}
