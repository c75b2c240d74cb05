namespace Generative.Samples.Tests;

/// <summary>
/// Compiles and runs the C# block of docs/tables.md exactly as it stands (<see cref="DocExample"/>). It runs in a
/// temporary working directory (it writes <c>models/penguins</c> and <c>synthetic-penguins.csv</c> there).
/// </summary>
public sealed class TablesDocTests : IDisposable
{
    private const string Doc = "docs/tables.md";
    private readonly string _dir = Directory.CreateTempSubdirectory("gen-tablesdoc-").FullName;

    [Fact]
    public void The_tables_example_compiles_and_runs()
    {
        string output = DocExample.Run(DocExample.Compile(DocExample.FirstCSharpBlock(Doc), Doc), _dir);

        output.Should().Contain("Flipper Length (mm): integer, nullable — integer: all 342 values whole, 55 distinct, 2 missing")
            .And.Contain("flipper length read as Continuous")
            .And.Contain("344 rows x 22 numbers: 4 Gaussian, 7 one-hot groups, 4 of them missing indicators")
            .And.Contain("inverse(transform(x)) == x: True")
            .And.Contain("sampled 1000 rows; Sex missing in")
            .And.Contain("first: Penguin { Species = ")
            .And.Contain("500 rows from the loaded 'copula': 500 on Dream with flippers of 190-200 mm, 500 within the rules; species Adelie/Chinstrap");
        File.Exists(Path.Combine(_dir, "models", "penguins-copula", "rules.json")).Should().BeTrue();
        File.Exists(Path.Combine(_dir, "models", "penguins", "table.json")).Should().BeTrue();
        File.ReadAllLines(Path.Combine(_dir, "synthetic-penguins.csv")).Should().HaveCount(1001);
    }

    public void Dispose() => DocExample.DeleteScratch(_dir);
}
