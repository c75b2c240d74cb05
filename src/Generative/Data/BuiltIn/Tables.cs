using Generative.Tabular;
using TorchSharp;

namespace Generative.Data.BuiltIn;

/// <summary>
/// The two embedded tables, in their raw units (no standardisation), with column and class names (UCI data sets,
/// scikit-learn's copies; see NOTICE.md). The caller owns each returned <see cref="BuiltInDataset"/>.
/// </summary>
public static class Tables
{
    /// <summary>Wine's 13 columns, in file order.</summary>
    public static IReadOnlyList<string> WineColumns { get; } =
    [
        "alcohol", "malic acid", "ash", "alcalinity of ash", "magnesium", "total phenols", "flavanoids",
        "nonflavanoid phenols", "proanthocyanins", "colour intensity", "hue", "OD280/OD315 of diluted wines", "proline",
    ];

    /// <summary>
    /// Breast cancer's 30 columns, in file order: "mean X" for the ten measurements X, then "X error" (standard
    /// error), then "worst X" (largest value).
    /// </summary>
    public static IReadOnlyList<string> BreastCancerColumns { get; } = BuildBreastCancerColumns();

    /// <summary>Wine recognition: float32 <c>[178, 13]</c>, labels 0..2 (class_0, class_1, class_2: three cultivars).</summary>
    public static BuiltInDataset LoadWine() => Load("wine", EmbeddedData.Wine, WineColumns);

    /// <summary>Breast cancer Wisconsin (diagnostic): float32 <c>[569, 30]</c>, labels 0 (malignant) or 1 (benign).</summary>
    public static BuiltInDataset LoadBreastCancer() => Load("breast-cancer", EmbeddedData.BreastCancer, BreastCancerColumns);

    /// <summary>
    /// Palmer Archipelago penguins (344 rows; Gorman and Palmer Station LTER, via A. Horst's palmerpenguins, CC0-1.0; see
    /// NOTICE.md): species, island and sex (categorical, sex nullable), beak length and depth in mm (continuous,
    /// nullable), flipper length in mm and body mass in g (integer, nullable). A mixed-type table with missing values,
    /// read as <see cref="Table.LoadCsv"/> reads any CSV (kinds inferred; empty cells missing).
    /// </summary>
    /// <returns>A new table.</returns>
    public static Table LoadPenguins()
    {
        using var stream = EmbeddedData.Open(EmbeddedData.PenguinsResource);
        using var reader = new StreamReader(stream);
        return Table.ReadCsv(reader);
    }

    private static BuiltInDataset Load(string name, EmbeddedData.LabelledTable table, IReadOnlyList<string> columns)
    {
        using var scope = torch.NewDisposeScope();
        var samples = torch.tensor(table.Values, [table.Rows, table.Columns]).MoveToOuterDisposeScope();
        var labels = torch.tensor(table.Labels).MoveToOuterDisposeScope();
        return new BuiltInDataset(name, BuiltInDatasetKind.Table, samples, labels, columns, table.ClassNames);
    }

    private static string[] BuildBreastCancerColumns()
    {
        string[] measurements =
        [
            "radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity", "concave points",
            "symmetry", "fractal dimension",
        ];
        return
        [
            .. measurements.Select(m => "mean " + m),
            .. measurements.Select(m => m + " error"),
            .. measurements.Select(m => "worst " + m),
        ];
    }
}
