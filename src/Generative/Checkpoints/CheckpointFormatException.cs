namespace Generative.Checkpoints;

/// <summary>
/// A checkpoint or safetensors file is truncated, corrupt, foreign, or does not match the model it is loaded into. The
/// message says which file and what is wrong; nothing was loaded into the model.
/// </summary>
public sealed class CheckpointFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    public CheckpointFormatException()
        : base("The checkpoint is invalid.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong.</param>
    public CheckpointFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public CheckpointFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
