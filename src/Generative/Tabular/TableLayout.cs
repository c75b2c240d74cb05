namespace Generative.Tabular;

/// <summary>
/// Where each table column's numbers sit in the transformed matrix: its blocks in order, covering every matrix column
/// once. A model reads it to treat Gaussian blocks and one-hot groups differently (TabDDPM: Gaussian diffusion for the
/// first, multinomial diffusion for the second; CTGAN: a softmax per group and a conditional vector over groups).
/// Immutable.
/// </summary>
public sealed class TableLayout
{
    /// <summary>Creates a layout.</summary>
    /// <param name="blocks">The blocks, contiguous from column 0.</param>
    /// <exception cref="ArgumentException">The blocks leave a gap or overlap.</exception>
    public TableLayout(IEnumerable<TransformBlock> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        Blocks = [.. blocks];
        int next = 0;
        foreach (var block in Blocks)
        {
            if (block.Offset != next)
            {
                throw new ArgumentException($"Block {block} starts at {block.Offset}; the previous one ends at {next}.", nameof(blocks));
            }

            next += block.Width;
        }

        Width = next;
    }

    /// <summary>The blocks, in matrix order.</summary>
    public IReadOnlyList<TransformBlock> Blocks { get; }

    /// <summary>The matrix's number of columns.</summary>
    public int Width { get; }

    /// <summary>The Gaussian blocks (one matrix column each).</summary>
    public IReadOnlyList<TransformBlock> Gaussian => [.. Blocks.Where(b => b.Kind == BlockKind.Gaussian)];

    /// <summary>The one-hot groups (categorical values, Booleans, missing indicators, and the mode indicators of
    /// <c>mode-specific</c> numbers).</summary>
    public IReadOnlyList<TransformBlock> OneHotGroups => [.. Blocks.Where(b => b.Kind == BlockKind.OneHot)];

    /// <summary>The missing-value indicators of nullable numeric and date columns.</summary>
    public IReadOnlyList<TransformBlock> MissingIndicators => [.. Blocks.Where(b => b.Role == BlockRole.Missing)];

    /// <summary>The mode indicators of <c>mode-specific</c> numbers (<see cref="BlockRole.Mode"/>), each right after its
    /// column's α block.</summary>
    public IReadOnlyList<TransformBlock> ModeGroups => [.. Blocks.Where(b => b.Role == BlockRole.Mode)];

    /// <summary>The blocks of one column, in order.</summary>
    /// <param name="column">The column's name.</param>
    /// <returns>Its blocks (none for an id column).</returns>
    public IReadOnlyList<TransformBlock> ForColumn(string column) => [.. Blocks.Where(b => b.Column == column)];
}
