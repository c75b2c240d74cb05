using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Diffusion;

/// <summary>
/// The forward process q(x_t | x₀) = N(√ᾱ_t·x₀, (1 − ᾱ_t)·I) with betas computed exactly as diffusers'
/// <c>DDPMScheduler</c>/<c>DDIMScheduler</c> compute them (float32, same operations), so that samplers built on it
/// reproduce diffusers' numbers.
/// </summary>
/// <remarks>
/// <para>Every coefficient is computed once, in the constructor. <see cref="Betas"/>, <see cref="Alphas"/> and
/// <see cref="AlphasCumprod"/> are CPU float32 tensors owned by the schedule (do not dispose or modify them).</para>
/// <para><see cref="AddNoise"/>, <see cref="GetVelocity"/> and <see cref="SignalToNoiseRatio"/> keep one copy of the
/// coefficients per device and dtype, made on first use, so a training loop does no host-to-device copy per step.</para>
/// <para>Timesteps passed to <see cref="AddNoise"/> and <see cref="GetVelocity"/> are <c>[N]</c> (one per sample) or a single
/// timestep for the whole batch, as diffusers broadcasts them; int64 or any integer type, on any device.</para>
/// <para>Thread-safety: immutable once built; every member may be called from many threads at once.</para>
/// <para>Disposing releases the schedule's tensors at once instead of leaving them to the garbage collector; a
/// <see cref="DiffusionModel"/> that made its schedule (<see cref="DiffusionModel.Load"/>, <see cref="DiffusionTrainer"/>)
/// disposes it with itself.</para>
/// </remarks>
public sealed class NoiseSchedule : INoiseSchedule, IDisposable
{
    private int _disposed;

    private readonly float[] _alphasCumprod;
    private readonly ConcurrentDictionary<(DeviceType Type, int Index, ScalarType DType), Lazy<Coefficients>> _perDevice = new();

    /// <summary>Builds the schedule.</summary>
    /// <param name="options">The configuration; <see langword="null"/> for diffusers' defaults (1000 linear steps, 0.0001 to 0.02).</param>
    /// <exception cref="ArgumentException">An option is invalid (see <see cref="NoiseScheduleOptions.Validate"/>).</exception>
    public NoiseSchedule(NoiseScheduleOptions? options = null)
    {
        Options = options ?? new NoiseScheduleOptions();
        Options.Validate();
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var betas = ComputeBetas(Options);
            if (Options.RescaleBetasZeroSnr)
            {
                betas = RescaleZeroTerminalSnr(betas);
            }

            var alphas = betas.SubtractedFrom(1.0f);
            var alphasCumprod = alphas.cumprod(0);
            Betas = betas.contiguous().DetachFromDisposeScope();
            Alphas = alphas.DetachFromDisposeScope();
            AlphasCumprod = alphasCumprod.DetachFromDisposeScope();
        }

        _alphasCumprod = AlphasCumprod.data<float>().ToArray();
    }

    /// <summary>The configuration this schedule was built from.</summary>
    public NoiseScheduleOptions Options { get; }

    /// <inheritdoc />
    public int TrainTimesteps => Options.TrainTimesteps;

    /// <inheritdoc />
    public Tensor Betas { get; }

    /// <inheritdoc />
    public Tensor Alphas { get; }

    /// <inheritdoc />
    public Tensor AlphasCumprod { get; }

    /// <inheritdoc />
    public double AlphaCumprodAt(long timestep)
    {
        if (timestep < 0 || timestep >= _alphasCumprod.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(timestep), timestep, $"The timestep must be in [0, {_alphasCumprod.Length}).");
        }

        return _alphasCumprod[timestep];
    }

    /// <summary>ᾱ_t as the float32 value diffusers computes with (for samplers that reproduce its arithmetic).</summary>
    internal float AlphaCumprodSingle(long timestep) => _alphasCumprod[timestep];

    /// <inheritdoc />
    public Tensor AddNoise(Tensor originalSamples, Tensor noise, Tensor timesteps)
    {
        ArgumentNullException.ThrowIfNull(originalSamples);
        ArgumentNullException.ThrowIfNull(noise);
        EnsureSameShape(originalSamples, noise, nameof(noise));
        using var scope = NewDisposeScope();
        var (signal, noiseScale) = Gather(originalSamples, timesteps);
        return (signal * originalSamples).Plus(noiseScale * noise).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor GetVelocity(Tensor samples, Tensor noise, Tensor timesteps)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(noise);
        EnsureSameShape(samples, noise, nameof(noise));
        using var scope = NewDisposeScope();
        var (signal, noiseScale) = Gather(samples, timesteps);
        return (signal * noise - noiseScale * samples).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor SignalToNoiseRatio(Tensor timesteps)
    {
        ArgumentNullException.ThrowIfNull(timesteps);
        var c = For(timesteps.device, ScalarType.Float32);
        using var index = timesteps.to_type(ScalarType.Int64);
        return c.Snr.index_select(0, index);
    }

    private (Tensor Signal, Tensor NoiseScale) Gather(Tensor samples, Tensor timesteps)
    {
        ArgumentNullException.ThrowIfNull(timesteps);
        long count = timesteps.numel();
        if (count != samples.shape[0] && count != 1)
        {
            throw new ArgumentException(
                $"Expected one timestep per sample ({samples.shape[0]}) or a single one, but got shape {TensorShape.Format(timesteps.shape)}.", nameof(timesteps));
        }

        var c = For(samples.device, samples.dtype);
        // Training passes 1-D int64 timesteps on the samples' device: then index with them as they are.
        var index = timesteps.dim() == 1 && timesteps.dtype == ScalarType.Int64 && timesteps.device_type == samples.device_type && timesteps.device_index == samples.device_index
            ? timesteps
            : timesteps.to(samples.device).to_type(ScalarType.Int64).flatten();
        var shape = new long[samples.dim()];
        Array.Fill(shape, 1L);
        shape[0] = count;
        return (c.SqrtAlphasCumprod.index_select(0, index).view(shape), c.SqrtOneMinusAlphasCumprod.index_select(0, index).view(shape));
    }

    private Coefficients For(Device device, ScalarType dtype)
    {
        var key = (device.type, (int)device.index, dtype);
        return _perDevice.GetOrAdd(key, _ => new Lazy<Coefficients>(() => new Coefficients(AlphasCumprod, device, dtype), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    private static void EnsureSameShape(Tensor a, Tensor b, string name)
    {
        if (!a.shape.SequenceEqual(b.shape))
        {
            throw new ArgumentException($"Expected shape {TensorShape.Format(a.shape)} but got {TensorShape.Format(b.shape)}.", name);
        }
    }

    private static Tensor ComputeBetas(NoiseScheduleOptions o)
    {
        int n = o.TrainTimesteps;
        if (o.TrainedBetas is not null)
        {
            return tensor(o.TrainedBetas.ToArray(), ScalarType.Float64).to_type(ScalarType.Float32);
        }

        switch (o.BetaSchedule)
        {
            case BetaSchedule.Linear:
                return linspace(o.BetaStart, o.BetaEnd, n, ScalarType.Float32);
            case BetaSchedule.ScaledLinear:
                return linspace(Math.Sqrt(o.BetaStart), Math.Sqrt(o.BetaEnd), n, ScalarType.Float32).Squared();
            case BetaSchedule.SquaredCosCapV2:
                var betas = new float[n];
                for (int i = 0; i < n; i++)
                {
                    betas[i] = (float)Math.Min(1 - (CosineAlphaBar((i + 1) / (double)n) / CosineAlphaBar(i / (double)n)), 0.999);
                }

                return tensor(betas);
            case BetaSchedule.Sigmoid:
                using (var scale = (o.BetaEnd - o.BetaStart).ToScalar())
                using (var start = o.BetaStart.ToScalar())
                {
                    return linspace(-6, 6, n, ScalarType.Float32).sigmoid().mul(scale).Plus(start);
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(o), o.BetaSchedule, "Unknown beta schedule.");
        }
    }

    private static double CosineAlphaBar(double t)
    {
        double c = Math.Cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /// <summary>Lin et al. (2023), Algorithm 1, in diffusers' float32 operation order.</summary>
    private static Tensor RescaleZeroTerminalSnr(Tensor betas)
    {
        var alphasBarSqrt = betas.SubtractedFrom(1.0f).cumprod(0).sqrt();
        var first = alphasBarSqrt[0].clone();
        var last = alphasBarSqrt[-1].clone();
        alphasBarSqrt = (alphasBarSqrt - last) * (first / (first - last));
        var alphasBar = alphasBarSqrt.Squared();
        var alphas = cat([alphasBar[..1], alphasBar[1..] / alphasBar[..^1]]);
        return alphas.SubtractedFrom(1.0f);
    }

    /// <summary>Releases the schedule's tensors (<see cref="Betas"/>, <see cref="Alphas"/>, <see cref="AlphasCumprod"/> and the
    /// per-device coefficients). Not thread-safe against concurrent use: dispose only when nothing samples or trains with it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var entry in _perDevice.Values)
        {
            if (entry.IsValueCreated)
            {
                entry.Value.Dispose();
            }
        }

        _perDevice.Clear();
        Betas.Dispose();
        Alphas.Dispose();
        AlphasCumprod.Dispose();
    }

    private sealed class Coefficients : IDisposable
    {
        public Coefficients(Tensor alphasCumprod, Device device, ScalarType dtype)
        {
            using var guard = no_grad();
            using var scope = NewDisposeScope();
            var ac = alphasCumprod.to(device).to_type(dtype);
            SqrtAlphasCumprod = ac.sqrt().DetachFromDisposeScope();
            SqrtOneMinusAlphasCumprod = ac.SubtractedFrom(1.0f).sqrt().DetachFromDisposeScope();
            Snr = (ac / ac.SubtractedFrom(1.0f)).to_type(ScalarType.Float32).DetachFromDisposeScope();
        }

        public Tensor SqrtAlphasCumprod { get; }

        public Tensor SqrtOneMinusAlphasCumprod { get; }

        public Tensor Snr { get; }

        public void Dispose()
        {
            SqrtAlphasCumprod.Dispose();
            SqrtOneMinusAlphasCumprod.Dispose();
            Snr.Dispose();
        }
    }
}
