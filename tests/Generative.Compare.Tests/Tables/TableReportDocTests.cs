using Generative.Samples.Tests;
using Xunit.Abstractions;

namespace Generative.Compare.Tests.Tables;

/// <summary>
/// Compiles and runs the C# block of docs/table-report.md exactly as it stands (<see cref="DocExample"/>, shared with
/// the samples' doc tests). It runs in a temporary working directory (it writes <c>penguins-report/</c> there).
/// </summary>
public sealed class TableReportDocTests(ITestOutputHelper log) : IDisposable
{
    private const string Doc = "docs/table-report.md";
    private readonly string _dir = Directory.CreateTempSubdirectory("gen-tablereportdoc-").FullName;

    [Fact]
    public void The_table_report_example_compiles_and_runs()
    {
        string output = DocExample.Run(DocExample.Compile(DocExample.FirstCSharpBlock(Doc), Doc), _dir);
        log.WriteLine(output);

        output.Should().Contain("quality 0.").And.Contain("detection AUC").And.Contain("macro F1 ratio")
            .And.Contain("Species: TVComplement").And.Contain("Body Mass (g): KSComplement");
        foreach (string file in new[] { "report.md", "report.json", "columns.png", "pairs.png", "dcr.png" })
        {
            new FileInfo(Path.Combine(_dir, "penguins-report", file)).Length.Should().BeGreaterThan(0, file);
        }
    }

    public void Dispose() => DocExample.DeleteScratch(_dir);
}
