using System.IO.Compression;
using Generative.Tabular;

namespace Generative.Tests.Tabular;

/// <summary>The Adult test asset (UCI, CC BY 4.0; a copy of ../shared/data/adult.csv.gz in Tabular/Assets), read once.</summary>
internal static class TabularAssets
{
    private static readonly Lazy<Table> LazyAdult = new(() =>
    {
        using var file = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Tabular", "Assets", "adult.csv.gz"));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return Table.ReadCsv(reader);
    });

    /// <summary>32,561 rows × 15; "?" (with its leading space) is missing.</summary>
    internal static Table Adult => LazyAdult.Value;
}
