using TorchSharp;
using static TorchSharp.torch;

namespace Generative;

/// <summary>
/// Tensor–number arithmetic with every <see cref="Scalar"/> held until the native call has returned.
/// </summary>
/// <remarks>
/// <para>
/// TorchSharp 0.107 turns a .NET number into a native <see cref="Scalar"/> implicitly (<c>x * 0.5</c>, <c>x.add(1)</c>,
/// <c>x.clamp_min(1e-8)</c>, <c>full(shape, v)</c>), and some of its methods make one of their own that the caller never
/// sees: <c>add(Tensor)</c>, <c>add_(Tensor)</c>, <c>add(Scalar)</c> and <c>add_(Scalar)</c> pass an <c>alpha</c> of
/// <c>1</c>, <c>arange(stop)</c> a start of <c>0</c> and a step of <c>1</c>, and every tensor–number operator converts
/// the number inside. <see cref="Scalar"/> has a finaliser and is never attached to a dispose scope, and nothing
/// references such a temporary once its native handle has been read: a garbage collection on another thread during the
/// native call can run the finaliser, which frees the native scalar while libtorch still reads it (seen here as
/// <c>INTERNAL ASSERT FAILED at c10/core/Scalar.h</c> inside <c>pow</c> in a long tabular GAN run; dotnet/TorchSharp pull
/// requests #1434 and #1496 propose the fix upstream).
/// </para>
/// <para>
/// Each method here makes the same call as the expression it replaces (named in its summary), with the same
/// <see cref="Scalar"/> kinds, so results and gradients are the same to the bit; the scalars are held by a
/// <c>using</c> (or, for the constant alpha of 1, by a static field) until the call has returned. Integer arguments
/// choose the <see cref="long"/> overloads, so integer tensors stay integer as they did with the operators.
/// </para>
/// <para>
/// The libraries under src/ may not use the implicit forms (build/BannedSymbols.txt, enforced as error RS0030; see
/// docs/troubleshooting.md). This class needs no exemption from that guard: it makes its Scalars with
/// <c>ToScalar()</c> and passes them to the overloads that take them.
/// </para>
/// </remarks>
internal static class HeldScalars
{
    /// <summary>The alpha of 1 TorchSharp passes to <c>add</c>; an <see cref="int"/> Scalar as there, held for the process.</summary>
    private static readonly Scalar One = 1.ToScalar();

    /// <summary><c>x + y</c> (<c>x.add(y)</c>) for two tensors.</summary>
    /// <param name="x">The left operand.</param>
    /// <param name="y">The right operand.</param>
    public static Tensor Plus(this Tensor x, Tensor y) => x.add(y, One);

    /// <summary><c>x.add_(y)</c> for two tensors: adds <paramref name="y"/> into <paramref name="x"/>.</summary>
    /// <param name="x">The tensor added to, in place.</param>
    /// <param name="y">The tensor to add.</param>
    public static Tensor PlusInPlace(this Tensor x, Tensor y) => x.add_(y, One);

    /// <summary><c>x.add(s)</c> for a Scalar the caller holds (the alpha of 1 is held here).</summary>
    /// <param name="x">The tensor.</param>
    /// <param name="s">The scalar to add; the caller keeps it alive across the call.</param>
    public static Tensor Plus(this Tensor x, Scalar s) => x.add(s, One);

    /// <summary><c>x + v</c>.</summary>
    /// <param name="x">The tensor.</param>
    /// <param name="v">The number to add.</param>
    public static Tensor Plus(this Tensor x, double v)
    {
        using var s = v.ToScalar();
        return x.add(s, One);
    }

    /// <summary><c>x + v</c> for an integer <paramref name="v"/>.</summary>
    /// <param name="x">The tensor.</param>
    /// <param name="v">The number to add.</param>
    public static Tensor Plus(this Tensor x, long v)
    {
        using var s = v.ToScalar();
        return x.add(s, One);
    }

    /// <summary><c>x.add_(v)</c>.</summary>
    /// <param name="x">The tensor added to, in place.</param>
    /// <param name="v">The number to add.</param>
    public static Tensor PlusInPlace(this Tensor x, double v)
    {
        using var s = v.ToScalar();
        return x.add_(s, One);
    }

    /// <summary><c>x.add_(v)</c> for an integer <paramref name="v"/>.</summary>
    /// <param name="x">The tensor added to, in place.</param>
    /// <param name="v">The number to add.</param>
    public static Tensor PlusInPlace(this Tensor x, long v)
    {
        using var s = v.ToScalar();
        return x.add_(s, One);
    }

    /// <summary><c>x - v</c>.</summary>
    /// <param name="x">The tensor.</param>
    /// <param name="v">The number to subtract.</param>
    public static Tensor Minus(this Tensor x, double v)
    {
        using var s = v.ToScalar();
        return x.sub(s);
    }

    /// <summary><c>x - v</c> for an integer <paramref name="v"/>.</summary>
    /// <param name="x">The tensor.</param>
    /// <param name="v">The number to subtract.</param>
    public static Tensor Minus(this Tensor x, long v)
    {
        using var s = v.ToScalar();
        return x.sub(s);
    }

    /// <summary><c>x.pow_(v)</c> for an integer exponent.</summary>
    /// <param name="x">The tensor raised in place.</param>
    /// <param name="v">The exponent.</param>
    public static Tensor PowerInPlace(this Tensor x, long v)
    {
        using var s = v.ToScalar();
        return x.pow_(s);
    }

    /// <summary><c>v - x</c>, computed as TorchSharp's operator does: <c>x.negative().add(v)</c>.</summary>
    /// <param name="x">The tensor.</param>
    /// <param name="v">The number <paramref name="x"/> is subtracted from.</param>
    public static Tensor SubtractedFrom(this Tensor x, double v)
    {
        using var s = v.ToScalar();
        using var negative = x.negative();
        return negative.add(s, One);
    }

    /// <summary><c>v - x</c> for an integer <paramref name="v"/>, as TorchSharp's operator computes it.</summary>
    /// <param name="x">The tensor.</param>
    /// <param name="v">The number <paramref name="x"/> is subtracted from.</param>
    public static Tensor SubtractedFrom(this Tensor x, long v)
    {
        using var s = v.ToScalar();
        using var negative = x.negative();
        return negative.add(s, One);
    }

    /// <summary><c>x * v</c>.</summary>
    /// <param name="x">The tensor.</param>
    /// <param name="v">The factor.</param>
    public static Tensor Times(this Tensor x, double v)
    {
        using var s = v.ToScalar();
        return x.mul(s);
    }

    /// <summary><c>x * v</c> for an integer <paramref name="v"/>.</summary>
    /// <param name="x">The tensor.</param>
    /// <param name="v">The factor.</param>
    public static Tensor Times(this Tensor x, long v)
    {
        using var s = v.ToScalar();
        return x.mul(s);
    }

    /// <summary><c>x.mul_(v)</c>.</summary>
    /// <param name="x">The tensor multiplied in place.</param>
    /// <param name="v">The factor.</param>
    public static Tensor TimesInPlace(this Tensor x, double v)
    {
        using var s = v.ToScalar();
        return x.mul_(s);
    }

    /// <summary><c>x.mul_(v)</c> for an integer <paramref name="v"/>.</summary>
    /// <param name="x">The tensor multiplied in place.</param>
    /// <param name="v">The factor.</param>
    public static Tensor TimesInPlace(this Tensor x, long v)
    {
        using var s = v.ToScalar();
        return x.mul_(s);
    }

    /// <summary><c>x.div(v, rounding_mode: mode)</c> for an integer <paramref name="v"/>.</summary>
    /// <param name="x">The tensor.</param>
    /// <param name="v">The divisor.</param>
    /// <param name="mode">How the quotient is rounded.</param>
    public static Tensor DividedBy(this Tensor x, long v, RoundingMode mode)
    {
        using var s = v.ToScalar();
        return x.div(s, rounding_mode: mode);
    }

    /// <summary><c>x.div_(v, rounding_mode: mode)</c> for an integer <paramref name="v"/>.</summary>
    /// <param name="x">The tensor divided in place.</param>
    /// <param name="v">The divisor.</param>
    /// <param name="mode">How the quotient is rounded.</param>
    public static Tensor DividedByInPlace(this Tensor x, long v, RoundingMode mode = RoundingMode.None)
    {
        using var s = v.ToScalar();
        return x.div_(s, rounding_mode: mode);
    }

    /// <summary><c>x.clamp_max(v)</c> for an integer <paramref name="v"/>.</summary>
    /// <param name="x">The tensor.</param>
    /// <param name="v">The upper bound.</param>
    public static Tensor ClampMax(this Tensor x, long v)
    {
        using var s = v.ToScalar();
        return x.clamp_max(s);
    }

    /// <summary><c>x.clamp_max_(v)</c> for an integer <paramref name="v"/>.</summary>
    /// <param name="x">The tensor clamped in place.</param>
    /// <param name="v">The upper bound.</param>
    public static Tensor ClampMaxInPlace(this Tensor x, long v)
    {
        using var s = v.ToScalar();
        return x.clamp_max_(s);
    }

    /// <summary><c>x.masked_fill_(mask, v)</c>.</summary>
    /// <param name="x">The tensor filled in place where <paramref name="mask"/> is true.</param>
    /// <param name="mask">Where to fill.</param>
    /// <param name="v">The value.</param>
    public static Tensor MaskedFillInPlace(this Tensor x, Tensor mask, double v)
    {
        using var s = v.ToScalar();
        return x.masked_fill_(mask, s);
    }

    /// <summary><c>x / v</c>.</summary>
    /// <param name="x">The tensor.</param>
    /// <param name="v">The divisor.</param>
    public static Tensor DividedBy(this Tensor x, double v)
    {
        using var s = v.ToScalar();
        return x.div(s);
    }

    /// <summary><c>x / v</c> for an integer <paramref name="v"/>.</summary>
    /// <param name="x">The tensor.</param>
    /// <param name="v">The divisor.</param>
    public static Tensor DividedBy(this Tensor x, long v)
    {
        using var s = v.ToScalar();
        return x.div(s);
    }

    /// <summary><c>x.div_(v)</c>.</summary>
    /// <param name="x">The tensor divided in place.</param>
    /// <param name="v">The divisor.</param>
    public static Tensor DividedByInPlace(this Tensor x, double v)
    {
        using var s = v.ToScalar();
        return x.div_(s);
    }

    /// <summary><c>x.clamp_min(v)</c>.</summary>
    /// <param name="x">The tensor.</param>
    /// <param name="v">The lower bound.</param>
    public static Tensor ClampMin(this Tensor x, double v)
    {
        using var s = v.ToScalar();
        return x.clamp_min(s);
    }

    /// <summary><c>x.clamp_min(v)</c> for an integer <paramref name="v"/>.</summary>
    /// <param name="x">The tensor.</param>
    /// <param name="v">The lower bound.</param>
    public static Tensor ClampMin(this Tensor x, long v)
    {
        using var s = v.ToScalar();
        return x.clamp_min(s);
    }

    /// <summary><c>x.clamp(min, max)</c>.</summary>
    /// <param name="x">The tensor.</param>
    /// <param name="min">The lower bound.</param>
    /// <param name="max">The upper bound.</param>
    public static Tensor Clamp(this Tensor x, double min, double max)
    {
        using var lower = min.ToScalar();
        using var upper = max.ToScalar();
        return x.clamp(lower, upper);
    }

    /// <summary><c>x.clamp(min, max)</c> with integer bounds.</summary>
    /// <param name="x">The tensor.</param>
    /// <param name="min">The lower bound.</param>
    /// <param name="max">The upper bound.</param>
    public static Tensor Clamp(this Tensor x, long min, long max)
    {
        using var lower = min.ToScalar();
        using var upper = max.ToScalar();
        return x.clamp(lower, upper);
    }

    /// <summary><c>x.clamp_(min, max)</c>.</summary>
    /// <param name="x">The tensor clamped in place.</param>
    /// <param name="min">The lower bound.</param>
    /// <param name="max">The upper bound.</param>
    public static Tensor ClampInPlace(this Tensor x, double min, double max)
    {
        using var lower = min.ToScalar();
        using var upper = max.ToScalar();
        return x.clamp_(lower, upper);
    }

    /// <summary><c>x.gt(v)</c> (<c>x &gt; v</c>).</summary>
    /// <param name="x">The tensor.</param>
    /// <param name="v">The threshold.</param>
    public static Tensor GreaterThan(this Tensor x, double v)
    {
        using var s = v.ToScalar();
        return x.gt(s);
    }

    /// <summary><c>x.gt(v)</c> for an integer <paramref name="v"/>.</summary>
    /// <param name="x">The tensor.</param>
    /// <param name="v">The threshold.</param>
    public static Tensor GreaterThan(this Tensor x, long v)
    {
        using var s = v.ToScalar();
        return x.gt(s);
    }

    /// <summary><c>x.lt(v)</c>.</summary>
    /// <param name="x">The tensor.</param>
    /// <param name="v">The threshold.</param>
    public static Tensor LessThan(this Tensor x, double v)
    {
        using var s = v.ToScalar();
        return x.lt(s);
    }

    /// <summary><c>x.lt(v)</c> for an integer <paramref name="v"/>.</summary>
    /// <param name="x">The tensor.</param>
    /// <param name="v">The threshold.</param>
    public static Tensor LessThan(this Tensor x, long v)
    {
        using var s = v.ToScalar();
        return x.lt(s);
    }

    /// <summary><c>x.ge(v)</c> for an integer <paramref name="v"/>.</summary>
    /// <param name="x">The tensor.</param>
    /// <param name="v">The threshold.</param>
    public static Tensor AtLeast(this Tensor x, long v)
    {
        using var s = v.ToScalar();
        return x.ge(s);
    }

    /// <summary><c>x.eq(v)</c> (<c>x == v</c>) for an integer <paramref name="v"/>.</summary>
    /// <param name="x">The tensor.</param>
    /// <param name="v">The value compared with.</param>
    public static Tensor EqualTo(this Tensor x, long v)
    {
        using var s = v.ToScalar();
        return x.eq(s);
    }

    /// <summary><c>x.ge_(v)</c>.</summary>
    /// <param name="x">The tensor overwritten in place with the comparison.</param>
    /// <param name="v">The threshold.</param>
    public static Tensor AtLeastInPlace(this Tensor x, double v)
    {
        using var s = v.ToScalar();
        return x.ge_(s);
    }

    /// <summary><c>x.fill_(v)</c>.</summary>
    /// <param name="x">The tensor filled in place.</param>
    /// <param name="v">The value.</param>
    public static Tensor FillInPlace(this Tensor x, double v)
    {
        using var s = v.ToScalar();
        return x.fill_(s);
    }

    /// <summary><c>torch.full(size, v, dtype, device)</c> for a <see cref="float"/> value (a float Scalar, as the implicit one was).</summary>
    /// <param name="size">The shape.</param>
    /// <param name="v">The value.</param>
    /// <param name="dtype">The element type, or the default.</param>
    /// <param name="device">The device, or the default.</param>
    public static Tensor Full(long[] size, float v, ScalarType? dtype = null, Device? device = null)
    {
        using var s = v.ToScalar();
        return full(size, s, dtype, device);
    }

    /// <summary><c>torch.full(size, v, dtype, device)</c> for a <see cref="double"/> value.</summary>
    /// <param name="size">The shape.</param>
    /// <param name="v">The value.</param>
    /// <param name="dtype">The element type, or the default.</param>
    /// <param name="device">The device, or the default.</param>
    public static Tensor Full(long[] size, double v, ScalarType? dtype = null, Device? device = null)
    {
        using var s = v.ToScalar();
        return full(size, s, dtype, device);
    }

    /// <summary><c>torch.full(size, v, dtype, device)</c> for an integer value.</summary>
    /// <param name="size">The shape.</param>
    /// <param name="v">The value.</param>
    /// <param name="dtype">The element type, or the default.</param>
    /// <param name="device">The device, or the default.</param>
    public static Tensor Full(long[] size, long v, ScalarType? dtype = null, Device? device = null)
    {
        using var s = v.ToScalar();
        return full(size, s, dtype, device);
    }

    /// <summary><c>x.full_like(v)</c> for a <see cref="float"/> value: a tensor like <paramref name="x"/> filled with <paramref name="v"/>.</summary>
    /// <param name="x">The tensor whose shape, type and device the result takes.</param>
    /// <param name="v">The value.</param>
    public static Tensor FullLike(this Tensor x, float v)
    {
        using var s = v.ToScalar();
        return x.full_like(s);
    }

    /// <summary><c>torch.arange(start, stop, dtype, device)</c>: TorchSharp's <c>arange(start, stop, 1)</c> with all three held.</summary>
    /// <param name="start">The start, inclusive.</param>
    /// <param name="stop">The end, exclusive.</param>
    /// <param name="dtype">The element type, or inferred as TorchSharp does.</param>
    /// <param name="device">The device, or the default.</param>
    public static Tensor Arange(long start, long stop, ScalarType? dtype = null, Device? device = null)
    {
        using var begin = start.ToScalar();
        using var end = stop.ToScalar();
        using var step = 1.ToScalar();
        return arange(begin, end, step, dtype, device);
    }

    /// <summary><c>torch.arange(stop, dtype, device)</c>: TorchSharp's <c>arange(0, stop, 1)</c> with all three held.</summary>
    /// <param name="stop">The end, exclusive.</param>
    /// <param name="dtype">The element type, or inferred as TorchSharp does.</param>
    /// <param name="device">The device, or the default.</param>
    public static Tensor Arange(long stop, ScalarType? dtype = null, Device? device = null)
    {
        using var start = 0.ToScalar();
        using var end = stop.ToScalar();
        using var step = 1.ToScalar();
        return arange(start, end, step, dtype, device);
    }

    /// <summary><c>nn.functional.leaky_relu(x, slope)</c>: the <c>x.leaky_relu(slope)</c> it calls, with the slope held.</summary>
    /// <param name="x">The tensor.</param>
    /// <param name="slope">The negative slope.</param>
    public static Tensor LeakyRelu(this Tensor x, double slope)
    {
        using var s = slope.ToScalar();
        return x.leaky_relu(s);
    }

    /// <summary>x², element by element: <c>pow(x, 2)</c> with the exponent held. TorchSharp's <c>square()</c> is
    /// <c>pow(2)</c> through an implicit Scalar (the <c>INTERNAL ASSERT</c> in <c>pow</c> seen in a long tabular GAN run).</summary>
    /// <param name="x">The tensor.</param>
    public static Tensor Squared(this Tensor x)
    {
        using var two = 2.ToScalar();
        return x.pow(two);
    }
}
