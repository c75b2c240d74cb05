namespace Generative.Tabular;

/// <summary>Loads any saved tabular synthesizer through <see cref="TableSynthesizerRegistry.Default"/>.</summary>
public static class TableSynthesizers
{
    /// <summary>Loads a saved synthesizer, dispatching on the name in its <c>synthesizer.json</c>
    /// (<see cref="TableSynthesizerRegistry.Load"/> of <see cref="TableSynthesizerRegistry.Default"/>).</summary>
    /// <param name="directory">The folder it was saved in.</param>
    /// <returns>The synthesizer (with its rules, if it was saved with some).</returns>
    /// <exception cref="FileNotFoundException">The folder has no <c>synthesizer.json</c>.</exception>
    /// <exception cref="InvalidDataException">A file is not valid, or names a synthesizer that is not registered.</exception>
    public static ITableSynthesizer Load(string directory) => TableSynthesizerRegistry.Default.Load(directory);
}
