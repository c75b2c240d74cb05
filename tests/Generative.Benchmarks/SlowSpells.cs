using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Generative.Diffusion;
using static TorchSharp.torch;

namespace Generative.Benchmarks;

/// <summary>
/// Watches for the machine's slow spells and tests the subnormal explanation: every few seconds, alternating call by call,
/// times a fixed forward of the 2-D diffusion MLP (SiLU, sinusoidal embedding) on 512 points, the same with the x86
/// flush-to-zero and denormals-are-zero bits set (MXCSR, this thread), the GAN generator's forward (LeakyReLU) on 512
/// points, and <c>exp</c> of 2²⁰ normal and of 2²⁰ subnormal floats, and prints the medians of each window. It also
/// counts subnormal values in the denoiser's input, time embedding and output.
/// Usage: <c>spells [seconds] [window seconds]</c>.
/// </summary>
internal static unsafe class SlowSpells
{
    private const uint FlushToZero = 0x8000;
    private const uint DenormalsAreZero = 0x0040;

    public static int Run(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 60;
        double window = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        using var denoiser = Fixtures.Mlp2D();
        using var generator = Fixtures.Generator2D();
        denoiser.eval();
        generator.eval();
        using var g = new Generator(3);
        using var x = randn([512, 2], generator: g);
        using var t = randint(0, 1000, [512], ScalarType.Int64, generator: g);
        using var z = randn([512, generator.LatentShape[0]], generator: g);
        using var normal = rand([1 << 20], generator: g).add_(0.5);
        using var subnormal = rand([1 << 20], generator: g).mul_(1e-39).add_(1e-40); // all below 1.18e-38, none zero
        using (inference_mode())
        {
            using var output = denoiser.Predict(x, t, null);
            Console.WriteLine($"subnormal values: input {Subnormals(x)}, output {Subnormals(output)} of {output.numel()}; exp test input {Subnormals(subnormal)} of {subnormal.numel()}");
        }

        float flushed = 0;
        WithFlush(() =>
        {
            using var product = subnormal.mul(1f);
            using var max = product.abs().max();
            flushed = max.item<float>();
        });
        using (var e1 = subnormal.exp())
        using (var e1max = e1.max())
        {
            Console.WriteLine($"with FTZ/DAZ, the largest of subnormal × 1 is {flushed:R} (0 when the bits take effect); exp of the subnormal input: up to {e1max.item<float>():R}");
        }

        var probes = new (string Name, Action Call)[]
        {
            ("denoiser fwd", () => denoiser.Predict(x, t, null).Dispose()),
            ("denoiser fwd FTZ/DAZ", () => WithFlush(() => denoiser.Predict(x, t, null).Dispose())),
            ("generator fwd", () => generator.Generate(z, null).Dispose()),
            ("exp normal", () => normal.exp().Dispose()),
            ("exp subnormal", () => subnormal.exp().Dispose()),
            ("exp subnormal FTZ/DAZ", () => WithFlush(() => subnormal.exp().Dispose())),
        };
        Console.WriteLine($"window (s) | {string.Join(" | ", probes.Select(p => p.Name))} (median ms) | load");
        var clock = Stopwatch.StartNew();
        using (inference_mode())
        {
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                var times = probes.Select(_ => new List<double>()).ToArray();
                var start = clock.Elapsed.TotalSeconds;
                while (clock.Elapsed.TotalSeconds - start < window)
                {
                    for (int i = 0; i < probes.Length; i++)
                    {
                        long s = Stopwatch.GetTimestamp();
                        probes[i].Call();
                        times[i].Add(Stopwatch.GetElapsedTime(s).TotalMilliseconds);
                    }
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{start,6:F0} | {string.Join(" | ", times.Select(l => l.Order().ElementAt(l.Count / 2).ToString("F3", CultureInfo.InvariantCulture)))} | {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
            }
        }

        return 0;
    }

    private static long Subnormals(Tensor values)
    {
        using var a = values.abs();
        using var small = a.lt(1.1754944e-38f);
        using var nonzero = a.gt(0f);
        using var both = small.logical_and(nonzero);
        using var count = both.sum();
        return count.item<long>();
    }

    // Sets FTZ and DAZ in this thread's MXCSR around the call (as libtorch's set_flush_denormal(true) does), through
    // glibc's fegetenv/fesetenv, whose x86-64 fenv_t ends with the MXCSR (byte 28).
    private static void WithFlush(Action call)
    {
        var env = stackalloc byte[32];
        _ = FeGetEnv(env);
        uint saved = *(uint*)(env + 28);
        *(uint*)(env + 28) = saved | FlushToZero | DenormalsAreZero;
        _ = FeSetEnv(env);
        try
        {
            call();
        }
        finally
        {
            *(uint*)(env + 28) = saved;
            _ = FeSetEnv(env);
        }
    }

    [DllImport("libm.so.6", EntryPoint = "fegetenv")]
    private static extern int FeGetEnv(byte* env);

    [DllImport("libm.so.6", EntryPoint = "fesetenv")]
    private static extern int FeSetEnv(byte* env);
}
