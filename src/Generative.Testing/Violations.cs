using static TorchSharp.torch;

namespace Generative.Testing;

/// <summary>Collects a contract check's violations, each once, and throws them together at the end.</summary>
internal sealed class Violations(string subject)
{
    private readonly List<string> _items = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    public void Add(string violation)
    {
        if (_seen.Add(violation))
        {
            _items.Add(violation);
        }
    }

    public void Check(bool holds, string violation)
    {
        if (!holds)
        {
            Add(violation);
        }
    }

    /// <summary>Runs a part of the check; an exception it throws is a violation (and the rest of the check goes on).</summary>
    public void Run(string what, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Add($"{what}: threw {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>A call that must throw <typeparamref name="TException"/> (or a type derived from it).</summary>
    public void Throws<TException>(string what, Action action)
        where TException : Exception
    {
        try
        {
            action();
            Add($"{what}: expected {typeof(TException).Name}, but nothing was thrown");
        }
        catch (TException)
        {
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Add($"{what}: expected {typeof(TException).Name}, got {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Shape, dtype and finiteness of a result.</summary>
    public void CheckTensor(string what, Tensor? actual, long[] shape, ScalarType dtype)
    {
        if (actual is null)
        {
            Add($"{what} is null");
            return;
        }

        if (!actual.shape.SequenceEqual(shape))
        {
            Add($"{what} has shape {TensorShape.Format(actual.shape)}, expected {TensorShape.Format(shape)}");
            return;
        }

        Check(actual.dtype == dtype, $"{what} has dtype {actual.dtype}, expected {dtype} (the input's)");
        if (actual.is_floating_point())
        {
            using var finite = actual.isfinite().all();
            Check(finite.item<bool>(), $"{what} has non-finite values for finite inputs");
        }
    }

    public void ThrowIfAny()
    {
        if (_items.Count > 0)
        {
            throw new ContractViolationException(subject, _items);
        }
    }
}

/// <summary>Whole-tensor comparisons (TorchSharp's <c>equal</c> is elementwise).</summary>
internal static class Tensors
{
    /// <summary>The same shape, dtype and values, bit for bit (NaNs compare unequal).</summary>
    public static bool Same(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape) || a.dtype != b.dtype)
        {
            return false;
        }

        using var eq = a.eq(b).all();
        return eq.item<bool>();
    }
}
