using System.Text.Json.Nodes;

namespace Generative.Tabular;

/// <summary>The built-in <c>one-hot</c> transform of categorical and Boolean columns (see
/// <see cref="ColumnTransformRegistry"/>): a slot per category (most frequent first), plus a <c>missing</c> slot when
/// nullable.</summary>
internal sealed class OneHotEncoder : IColumnEncoder
{
    internal const string Name = "one-hot";
    private const string MissingLabel = "(missing)";

    private readonly string[] _categories;
    private readonly Dictionary<string, int> _slots;

    private OneHotEncoder(ColumnSchema column, string[] categories)
    {
        Column = column;
        _categories = categories;
        _slots = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < categories.Length; i++)
        {
            if (!_slots.TryAdd(categories[i], i))
            {
                throw new InvalidDataException($"column '{column.Name}' ({Name}): the category '{categories[i]}' appears twice.");
            }
        }

        Width = categories.Length + (column.Nullable ? 1 : 0);
        if (Width == 0)
        {
            throw new InvalidDataException($"column '{column.Name}' ({Name}): no category and not nullable; there is nothing to encode.");
        }

        string[] labels = column.Nullable ? [.. categories, MissingLabel] : categories;
        Blocks = [new TransformBlock(column.Name, BlockKind.OneHot, BlockRole.Value, 0, Width, labels, column.Nullable ? categories.Length : null)];
    }

    public ColumnSchema Column { get; }

    public IReadOnlyList<TransformBlock> Blocks { get; }

    public int Width { get; }

    internal static IColumnEncoder Fit(TableColumn column, ColumnSchema schema) => schema.Kind switch
    {
        ColumnKind.Boolean => new OneHotEncoder(schema, ["false", "true"]),
        ColumnKind.Categorical => new OneHotEncoder(schema, [.. schema.Categories ?? ColumnSchema.Observe(column).Categories!]),
        _ => throw new ArgumentException($"The {Name} transform encodes categorical and Boolean columns; '{schema.Name}' is {TableSchema.KindName(schema.Kind)}.", nameof(schema)),
    };

    internal static IColumnEncoder Load(JsonObject state, ColumnSchema schema)
    {
        string where = $"column '{schema.Name}' ({Name})";
        if (schema.Kind is not (ColumnKind.Categorical or ColumnKind.Boolean))
        {
            throw new InvalidDataException($"{where}: the transform encodes categorical and Boolean columns; the schema says {TableSchema.KindName(schema.Kind)}.");
        }

        string[] categories = Json.OptionalStrings(state, "categories", where) ?? throw new InvalidDataException($"{where}: 'categories' is missing; expected an array of text.");
        if (schema.Kind == ColumnKind.Boolean && !categories.SequenceEqual(["false", "true"]))
        {
            throw new InvalidDataException($"{where}: a Boolean column's categories are [\"false\", \"true\"]; found [{string.Join(", ", categories)}].");
        }

        return new OneHotEncoder(schema, categories);
    }

    public void Encode(TableColumn column, Span<double> output, int stride)
    {
        for (int r = 0; r < column.Count; r++)
        {
            int at = r * stride;
            output.Slice(at, Width).Clear();
            int slot;
            if (column.IsMissing(r))
            {
                slot = Column.Nullable ? _categories.Length : throw new TableFormatException(
                    $"Row {r + 1}, column '{Column.Name}': the value is missing, but the column was not nullable when the transform was fitted.", r + 1, Column.Name, null);
            }
            else
            {
                string value = Column.Kind == ColumnKind.Boolean ? (column.GetBoolean(r) ? "true" : "false") : column.GetString(r);
                if (!_slots.TryGetValue(value, out slot))
                {
                    throw new TableFormatException(
                        $"Row {r + 1}, column '{Column.Name}': the category {TableText.Quote(value)} was not seen when the transform was fitted ({_categories.Length} categories).",
                        r + 1, Column.Name, value);
                }
            }

            output[at + slot] = 1;
        }
    }

    public TableColumn Decode(ReadOnlySpan<double> input, int rows, int stride)
    {
        var slots = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            var group = input.Slice(r * stride, Width);
            int best = 0;
            for (int j = 1; j < group.Length; j++)
            {
                if (group[j] > group[best])
                {
                    best = j;
                }
            }

            slots[r] = best;
        }

        return Column.Kind == ColumnKind.Boolean
            ? TableColumn.Boolean(Column.Name, slots.Select(s => s < 2 ? (bool?)(s == 1) : null), Column.Nullable)
            : TableColumn.Categorical(Column.Name, slots.Select(s => s < _categories.Length ? _categories[s] : null), Column.Nullable);
    }

    public JsonObject Describe() => new() { ["categories"] = new JsonArray([.. _categories.Select(c => (JsonNode?)JsonValue.Create(c))]) };
}
