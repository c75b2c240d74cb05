namespace Generative.Training;

/// <summary>A loss or a gradient became NaN or infinite during training; the update was not applied.</summary>
public sealed class NonFiniteLossException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="step">The global step at which it happened.</param>
    /// <param name="lossName">The loss (or optimiser) concerned.</param>
    /// <param name="value">The offending value.</param>
    public NonFiniteLossException(long step, string lossName, double value)
        : base($"Training diverged at step {step}: the {lossName} loss is {value}. The update was not applied; " +
               "lower the learning rate, enable gradient clipping, or choose the skip or roll-back policy.")
    {
        Step = step;
        LossName = lossName;
        Value = value;
    }

    /// <summary>Creates the exception with the step, the loss and a message of your own.</summary>
    /// <param name="step">The global step at which it happened.</param>
    /// <param name="lossName">The loss (or optimiser) concerned.</param>
    /// <param name="value">The offending value (the loss, or the gradient norm).</param>
    /// <param name="message">The message.</param>
    public NonFiniteLossException(long step, string lossName, double value, string message)
        : base(message)
    {
        Step = step;
        LossName = lossName;
        Value = value;
    }

    /// <summary>Creates the exception with a message of your own.</summary>
    /// <param name="message">The message.</param>
    public NonFiniteLossException(string message)
        : base(message)
    {
        LossName = string.Empty;
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public NonFiniteLossException(string message, Exception innerException)
        : base(message, innerException)
    {
        LossName = string.Empty;
    }

    /// <summary>Creates the exception with a default message.</summary>
    public NonFiniteLossException()
        : this("A loss or gradient is not finite.")
    {
    }

    /// <summary>The global step at which it happened.</summary>
    public long Step { get; }

    /// <summary>The loss (or optimiser) concerned.</summary>
    public string LossName { get; }

    /// <summary>The offending value.</summary>
    public double Value { get; }
}
