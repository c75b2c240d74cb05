using System.Globalization;
using System.IO.Compression;
using System.Reflection;

namespace Generative.Data.BuiltIn;

/// <summary>
/// Reads the data files embedded in the assembly (see NOTICE.md) into plain arrays, once per process, in memory.
/// Thread-safe (lazy initialisation).
/// </summary>
internal static class EmbeddedData
{
    internal const string DigitsResource = "Generative.Data.BuiltIn.Resources.digits.csv.gz";
    internal const string WineResource = "Generative.Data.BuiltIn.Resources.wine_data.csv";
    internal const string BreastCancerResource = "Generative.Data.BuiltIn.Resources.breast_cancer.csv";
    internal const string PenguinsResource = "Generative.Data.BuiltIn.Resources.penguins.csv";

    private static readonly Lazy<LabelledTable> LazyDigits = new(() => ReadDigits(), LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<LabelledTable> LazyWine = new(() => ReadTable(WineResource), LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<LabelledTable> LazyBreastCancer = new(() => ReadTable(BreastCancerResource), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>1797 digits: 64 pixel values 0..16 per row (row-major), labels 0..9.</summary>
    internal static LabelledTable Digits => LazyDigits.Value;

    /// <summary>178 wines: 13 columns, labels 0..2.</summary>
    internal static LabelledTable Wine => LazyWine.Value;

    /// <summary>569 tumours: 30 columns, labels 0 (malignant) or 1 (benign).</summary>
    internal static LabelledTable BreastCancer => LazyBreastCancer.Value;

    /// <summary>Opens an embedded resource by its logical name; the caller disposes the stream.</summary>
    internal static Stream Open(string resourceName) =>
        typeof(EmbeddedData).Assembly.GetManifestResourceStream(resourceName)
        ?? throw new InvalidOperationException($"The embedded resource '{resourceName}' is missing from {typeof(EmbeddedData).Assembly.GetName().Name}.");

    private static LabelledTable ReadDigits()
    {
        using var stream = Open(DigitsResource);
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var values = new List<float>(1797 * 64);
        var labels = new List<long>(1797);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0)
            {
                continue;
            }

            string[] fields = line.Split(',');
            if (fields.Length != 65)
            {
                throw new InvalidDataException($"A digits row has {fields.Length} fields; expected 65 (64 pixels and the label).");
            }

            for (int i = 0; i < 64; i++)
            {
                values.Add(float.Parse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture));
            }

            labels.Add((long)double.Parse(fields[64], NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        return new LabelledTable(values.ToArray(), labels.ToArray(), labels.Count, 64, [.. Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture))]);
    }

    /// <summary>Reads a scikit-learn style CSV: a header <c>rows,columns,class names…</c>, then rows of floats and a class.</summary>
    private static LabelledTable ReadTable(string resourceName)
    {
        using var stream = Open(resourceName);
        using var reader = new StreamReader(stream);
        string header = reader.ReadLine() ?? throw new InvalidDataException($"{resourceName} is empty.");
        string[] head = header.Split(',');
        int rows = int.Parse(head[0], CultureInfo.InvariantCulture);
        int columns = int.Parse(head[1], CultureInfo.InvariantCulture);
        string[] classNames = head[2..];
        var values = new float[rows * columns];
        var labels = new long[rows];
        for (int r = 0; r < rows; r++)
        {
            string line = reader.ReadLine() ?? throw new InvalidDataException($"{resourceName} ends after {r} of {rows} rows.");
            string[] fields = line.Split(',');
            if (fields.Length != columns + 1)
            {
                throw new InvalidDataException($"{resourceName} row {r} has {fields.Length} fields; expected {columns + 1}.");
            }

            for (int c = 0; c < columns; c++)
            {
                values[(r * columns) + c] = float.Parse(fields[c], NumberStyles.Float, CultureInfo.InvariantCulture);
            }

            labels[r] = long.Parse(fields[columns], CultureInfo.InvariantCulture);
        }

        return new LabelledTable(values, labels, rows, columns, classNames);
    }

    /// <summary>A parsed table: <paramref name="Values"/> row-major <c>[Rows × Columns]</c>; do not modify.</summary>
    internal sealed record LabelledTable(float[] Values, long[] Labels, int Rows, int Columns, string[] ClassNames);
}
