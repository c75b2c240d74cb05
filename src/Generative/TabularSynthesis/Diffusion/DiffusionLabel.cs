using Generative.Tabular;
using static TorchSharp.torch;

namespace Generative.TabularSynthesis;

/// <summary>
/// The label column <see cref="TabularDiffusion"/> conditions its network on (<see cref="TabularDiffusionOptions.LabelColumn"/>,
/// TabDDPM's <c>is_y_cond</c>): its one-hot group, left out of the diffused state, and the training count of each of its
/// slots (a nullable column's missing slot is a class too), from which sampling draws the labels.
/// </summary>
internal sealed class DiffusionLabel
{
    private readonly double[] _counts;

    private DiffusionLabel(TransformBlock group, double[] counts)
    {
        Group = group;
        _counts = counts;
    }

    /// <summary>The label's one-hot group in the transformer's layout.</summary>
    internal TransformBlock Group { get; }

    /// <summary>The label column's name.</summary>
    internal string Column => Group.Column;

    /// <summary>The number of classes: the group's slots.</summary>
    internal int ClassCount => Group.Width;

    /// <summary>How many training rows had each class, in slot order.</summary>
    internal IReadOnlyList<double> Counts => _counts;

    /// <summary>Checks that <paramref name="column"/> can be a label of a table with this schema.</summary>
    /// <exception cref="ArgumentException">The column is unknown or neither categorical nor Boolean; the message names it
    /// and its kind.</exception>
    internal static void Check(string column, TableSchema schema)
    {
        var found = schema.Columns.FirstOrDefault(c => c.Name == column)
            ?? throw new ArgumentException($"TabularDiffusionOptions.LabelColumn names '{column}', which is not a column; the columns are: {string.Join(", ", schema.Columns.Select(c => $"'{c.Name}'"))}.", nameof(column));
        if (found.Kind is not (ColumnKind.Categorical or ColumnKind.Boolean))
        {
            throw new ArgumentException($"TabularDiffusionOptions.LabelColumn must name a categorical or Boolean column, but '{column}' is {TableSchema.KindName(found.Kind)}.", nameof(column));
        }
    }

    /// <summary>Finds the label's one-hot group and counts its classes in the transformed training rows.</summary>
    /// <exception cref="ArgumentException">The column cannot be a label (see <see cref="Check"/>) or is not encoded as one
    /// one-hot group.</exception>
    internal static DiffusionLabel Fit(string column, TableTransformer transformer, TransformedTable data)
    {
        var group = FindGroup(column, transformer);
        using var scope = NewDisposeScope();
        using var matrix = data.ToTensor();
        var counts = matrix.narrow(1, group.Offset, group.Width).sum([0]).to_type(ScalarType.Float64).data<double>().ToArray();
        return new DiffusionLabel(group, counts);
    }

    /// <summary>A saved label: the group found again in the loaded transformer, and the saved counts.</summary>
    /// <exception cref="ArgumentException">The column cannot be a label, or the counts do not fit its group.</exception>
    internal static DiffusionLabel Restore(string column, TableTransformer transformer, IReadOnlyList<double> counts)
    {
        var group = FindGroup(column, transformer);
        if (counts.Count != group.Width || counts.Any(c => !(c >= 0) || !double.IsFinite(c)) || !(counts.Sum() > 0))
        {
            throw new ArgumentException($"The label column '{column}' has {group.Width} classes; expected as many counts of 0 or more with a positive sum, but found [{string.Join(", ", counts)}].", nameof(counts));
        }

        return new DiffusionLabel(group, [.. counts]);
    }

    /// <summary>Draws <paramref name="rows"/> class indices from the training frequencies, restricted to the categories a
    /// condition allows (the missing class never is; uniform over them if none was seen in training).</summary>
    /// <returns><c>[rows]</c> int64 slots of the label's group.</returns>
    internal Tensor Draw(int rows, ColumnCondition? condition, Generator generator)
    {
        var weights = (double[])_counts.Clone();
        if (condition is not null)
        {
            bool Allowed(int slot) => slot != Group.MissingSlot && condition.Categories is not null && condition.Categories.Contains(Group.Labels[slot], StringComparer.Ordinal);
            bool seen = Enumerable.Range(0, weights.Length).Any(slot => Allowed(slot) && weights[slot] > 0);
            for (int slot = 0; slot < weights.Length; slot++)
            {
                weights[slot] = !Allowed(slot) ? 0 : seen ? weights[slot] : 1;
            }
        }

        using var probabilities = tensor(weights, ScalarType.Float64);
        return multinomial(probabilities, rows, replacement: true, generator: generator);
    }

    private static TransformBlock FindGroup(string column, TableTransformer transformer)
    {
        Check(column, transformer.Schema);
        var blocks = transformer.Layout.Blocks.Where(b => b.Column == column).ToArray();
        if (blocks.Length != 1 || blocks[0].Kind != BlockKind.OneHot || blocks[0].Role != BlockRole.Value)
        {
            throw new ArgumentException($"TabularDiffusionOptions.LabelColumn '{column}' must be encoded as one one-hot group (the one-hot transform); it is encoded as [{string.Join(", ", blocks.Select(b => $"{b.Kind} {b.Role}"))}].", nameof(column));
        }

        return blocks[0];
    }
}
