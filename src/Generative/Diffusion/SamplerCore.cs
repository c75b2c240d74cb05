using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Diffusion;

/// <summary>Arithmetic shared by the DDPM and DDIM samplers, in diffusers' float32 operation order.</summary>
internal static class SamplerCore
{
    /// <summary>ᾱ_t for every train timestep, as float32 numbers.</summary>
    public static float[] AlphasCumprod(INoiseSchedule schedule)
    {
        var result = new float[schedule.TrainTimesteps];
        for (int t = 0; t < result.Length; t++)
        {
            result[t] = (float)schedule.AlphaCumprodAt(t);
        }

        return result;
    }

    /// <summary>
    /// diffusers' <c>set_timesteps</c> for <paramref name="inferenceSteps"/> steps, computed with numpy's arithmetic so that
    /// the values agree. Trailing spacing always yields exactly <paramref name="inferenceSteps"/> values (numpy's
    /// <c>arange</c> with a fractional step sometimes yields one more, ending at −1).
    /// </summary>
    public static long[] ComputeTimesteps(int trainTimesteps, int inferenceSteps, TimestepSpacing spacing, int stepsOffset)
    {
        if (inferenceSteps < 1 || inferenceSteps > trainTimesteps)
        {
            throw new ArgumentOutOfRangeException(
                nameof(inferenceSteps), inferenceSteps, $"The number of inference steps must be in [1, {trainTimesteps}] (the train timesteps).");
        }

        var result = new long[inferenceSteps];
        switch (spacing)
        {
            case TimestepSpacing.Linspace:
                double step = inferenceSteps > 1 ? (trainTimesteps - 1.0) / (inferenceSteps - 1) : 0;
                for (int i = 0; i < inferenceSteps; i++)
                {
                    double value = i == inferenceSteps - 1 && inferenceSteps > 1 ? trainTimesteps - 1.0 : i * step;
                    result[inferenceSteps - 1 - i] = (long)Math.Round(value, MidpointRounding.ToEven);
                }

                break;
            case TimestepSpacing.Leading:
                long ratio = trainTimesteps / inferenceSteps;
                for (int i = 0; i < inferenceSteps; i++)
                {
                    result[inferenceSteps - 1 - i] = (i * ratio) + stepsOffset;
                }

                break;
            case TimestepSpacing.Trailing:
                double r = trainTimesteps / (double)inferenceSteps;
                double delta = (trainTimesteps - r) - trainTimesteps; // numpy's arange fills start + i·(a[1] − a[0])
                for (int i = 0; i < inferenceSteps; i++)
                {
                    result[i] = (long)Math.Round(trainTimesteps + (i * delta), MidpointRounding.ToEven) - 1;
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(spacing), spacing, "Unknown timestep spacing.");
        }

        if (result[0] >= trainTimesteps)
        {
            throw new ArgumentOutOfRangeException(
                nameof(stepsOffset), stepsOffset,
                $"steps_offset {stepsOffset} moves the first timestep to {result[0]}, beyond the last train timestep {trainTimesteps - 1}; use fewer steps or a smaller offset.");
        }

        return result;
    }

    public static void EnsureShape(Tensor actual, long[] expected, string name)
    {
        if (!actual.shape.SequenceEqual(expected))
        {
            throw new ArgumentException($"Expected {name} of shape {TensorShape.Format(expected)}, but got {TensorShape.Format(actual.shape)}.", name);
        }
    }

    /// <summary>x₀ from the model output (diffusers' <c>pred_original_sample</c>).</summary>
    public static Tensor PredictOriginal(PredictionType type, Tensor sample, Tensor output, float alphaProd, float betaProd)
    {
        switch (type)
        {
            case PredictionType.Epsilon:
                using (var sb = MathF.Sqrt(betaProd).ToScalar())
                using (var sa = MathF.Sqrt(alphaProd).ToScalar())
                using (var scaled = output.mul(sb))
                using (var diff = sample.sub(scaled))
                {
                    return diff.div(sa);
                }

            case PredictionType.Sample:
                return output.alias();
            case PredictionType.VPrediction:
                using (var sa = MathF.Sqrt(alphaProd).ToScalar())
                using (var sb = MathF.Sqrt(betaProd).ToScalar())
                using (var a = sample.mul(sa))
                using (var b = output.mul(sb))
                {
                    return a.sub(b);
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown prediction type.");
        }
    }

    /// <summary>Clipping or dynamic thresholding of x₀, as configured.</summary>
    public static Tensor ClipOrThreshold(DiffusionSamplerOptions o, Tensor x0)
    {
        if (o.Thresholding)
        {
            return Threshold(x0, o.DynamicThresholdingRatio, o.SampleMaxValue);
        }

        if (o.ClipSample)
        {
            using var lo = (-o.ClipSampleRange).ToScalar();
            using var hi = o.ClipSampleRange.ToScalar();
            return x0.clamp(lo, hi);
        }

        return x0.alias();
    }

    /// <summary>Dynamic thresholding (Saharia et al. 2022): s = clamp(quantile(|x₀|, ratio), 1, max) per sample; x₀ ← clamp(x₀, −s, s)/s.</summary>
    public static Tensor Threshold(Tensor x0, double ratio, double maxValue)
    {
        using var scope = NewDisposeScope();
        var dtype = x0.dtype;
        var x = dtype is ScalarType.Float32 or ScalarType.Float64 ? x0 : x0.to_type(ScalarType.Float32);
        var flat = x.reshape(x.shape[0], -1);
        var q = torch.tensor(ratio, x.dtype, x.device);
        using var one = 1.ToScalar();
        using var max = maxValue.ToScalar();
        var s = quantile(flat.abs(), q, 1).clamp(one, max).unsqueeze(1);
        var result = flat.clamp(-s, s).div(s).reshape(x0.shape).to_type(dtype);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>One float-typed normal draw of <paramref name="shape"/> from <paramref name="generator"/>, on the generator's device
    /// then moved to <paramref name="device"/> (diffusers' <c>randn_tensor</c>).</summary>
    public static Tensor Noise(long[] shape, ScalarType dtype, Device device, Generator generator)
    {
        if (generator.device.type == device.type && generator.device.index == device.index)
        {
            return randn(shape, dtype, device, generator: generator);
        }

        using var onGenerator = randn(shape, dtype, generator.device, generator: generator);
        return onGenerator.to(device);
    }

    public static Generator FreshGenerator() => new((ulong)Random.Shared.NextInt64(long.MaxValue));
}
