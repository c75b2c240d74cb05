namespace Generative.Hosting;

/// <summary>Loads a trained model from its checkpoint directory.</summary>
/// <remarks>
/// <para>The container calls <see cref="Load"/> once per model registered from a checkpoint, when the model is first
/// resolved (at host start for models with <see cref="GenerativeModelOptions.LoadOnStart"/>). The returned model is a
/// singleton owned by the container, which disposes it.</para>
/// <para>Thread-safety: implementations must allow concurrent calls for different directories.</para>
/// </remarks>
public interface IGenerativeModelLoader
{
    /// <summary>Loads the model saved in <paramref name="checkpointDirectory"/>.</summary>
    /// <param name="checkpointDirectory">An absolute path to a checkpoint directory (<c>config.json</c> + <c>model.safetensors</c>).</param>
    /// <returns>The model, owned by the caller.</returns>
    /// <exception cref="System.IO.IOException">The checkpoint cannot be read.</exception>
    /// <exception cref="System.IO.InvalidDataException">The checkpoint is malformed.</exception>
    IGenerativeModel Load(string checkpointDirectory);
}
