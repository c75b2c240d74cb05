namespace Generative.Tabular;

/// <summary>How the numbers of a <see cref="TransformBlock"/> are to be modelled.</summary>
public enum BlockKind
{
    /// <summary>One real number per row, roughly standard normal (a Gaussian diffusion or a regression output).</summary>
    Gaussian,

    /// <summary>A group of <see cref="TransformBlock.Width"/> numbers, exactly one of them 1 (a multinomial diffusion or a
    /// softmax output; a conditional vector picks a slot). A decoder takes the largest.</summary>
    OneHot,

    /// <summary>Derived features (sine and cosine of a period) that help a model but are ignored when decoding.</summary>
    Cyclic,
}

/// <summary>What a <see cref="TransformBlock"/> stands for in its column.</summary>
public enum BlockRole
{
    /// <summary>The column's value.</summary>
    Value,

    /// <summary>Whether the column's value is missing (slots "present", "missing"), for a nullable numeric or date column.</summary>
    Missing,

    /// <summary>Features derived from the value (ignored when decoding).</summary>
    Feature,

    /// <summary>Which mode of a mode-specific normalised number the value belongs to (a one-hot group, the slots
    /// <c>mode 1</c> … <c>mode K</c>); the value itself is the preceding <see cref="BlockKind.Gaussian"/> block, the offset
    /// α within that mode, in [−1, 1] for values within four standard deviations of the mode's mean (CTGAN's tanh
    /// output). Not a category: a conditional vector over discrete columns leaves it out.</summary>
    Mode,
}

/// <summary>
/// A contiguous range of columns of the transformed matrix (<see cref="TransformedTable"/>) that belongs to one table
/// column: where it is, how wide, how it is to be modelled, and, for a one-hot group, what each slot means. Immutable.
/// </summary>
public sealed class TransformBlock
{
    /// <summary>Creates a block.</summary>
    /// <param name="column">The table column it encodes.</param>
    /// <param name="kind">How to model it.</param>
    /// <param name="role">What it stands for.</param>
    /// <param name="offset">Its first column in the matrix (relative to its encoder's first column until a
    /// <see cref="TableLayout"/> places it).</param>
    /// <param name="width">How many columns (1 for <see cref="BlockKind.Gaussian"/>; the slots of a one-hot group).</param>
    /// <param name="labels">A one-hot group's slot labels (as many as <paramref name="width"/>); the feature names of a
    /// cyclic block; empty otherwise.</param>
    /// <param name="missingSlot">The slot that means "missing" in a one-hot group, or <see langword="null"/>.</param>
    public TransformBlock(string column, BlockKind kind, BlockRole role, int offset, int width, IReadOnlyList<string>? labels = null, int? missingSlot = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(column);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        labels ??= [];
        if (kind != BlockKind.Gaussian && labels.Count != width)
        {
            throw new ArgumentException($"A {kind} block of width {width} needs {width} labels; found {labels.Count}.", nameof(labels));
        }

        if (missingSlot is int slot && (kind != BlockKind.OneHot || slot < 0 || slot >= width))
        {
            throw new ArgumentOutOfRangeException(nameof(missingSlot), slot, "The missing slot must be a slot of a one-hot group.");
        }

        Column = column;
        Kind = kind;
        Role = role;
        Offset = offset;
        Width = width;
        Labels = labels;
        MissingSlot = missingSlot;
    }

    /// <summary>The table column it encodes.</summary>
    public string Column { get; }

    /// <summary>How to model it.</summary>
    public BlockKind Kind { get; }

    /// <summary>What it stands for.</summary>
    public BlockRole Role { get; }

    /// <summary>Its first column in the matrix.</summary>
    public int Offset { get; }

    /// <summary>How many columns it spans.</summary>
    public int Width { get; }

    /// <summary>A one-hot group's slot labels (a categorical column's categories, <c>false</c>/<c>true</c>,
    /// <c>present</c>/<c>missing</c>); a cyclic block's feature names; empty for a Gaussian block.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>The slot that means "missing" in a one-hot group of a nullable categorical or Boolean column, else
    /// <see langword="null"/> (a nullable numeric column has a separate <see cref="BlockRole.Missing"/> group).</summary>
    public int? MissingSlot { get; }

    /// <summary>The same block moved by <paramref name="shift"/> columns.</summary>
    /// <param name="shift">How far.</param>
    /// <returns>The moved block.</returns>
    public TransformBlock Shifted(int shift) => new(Column, Kind, Role, Offset + shift, Width, Labels, MissingSlot);

    /// <summary>One line: column, role, kind, range.</summary>
    /// <returns>The line.</returns>
    public override string ToString() => $"{Column} {Role} {Kind} [{Offset}, {Offset + Width})";
}
