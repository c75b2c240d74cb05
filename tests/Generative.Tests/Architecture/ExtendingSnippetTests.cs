namespace Generative.Tests.Architecture;

/// <summary>The code of docs/extending.md's registry sections is the code of the tests each section names (which run it):
/// every paragraph of every C# block stands, line for line, in that test file.</summary>
public sealed class ExtendingSnippetTests
{
    public static TheoryData<string, string> Sections() => new()
    {
        { "**A diffusers scheduler format.**", "tests/Generative.Tests/Diffusion/DiffusersSchedulerTests.cs" },
        { "A schedule that is not a β sequence implements", "tests/Generative.Tests/Diffusion/NoiseScheduleRegistryTests.cs" },
        { "## A denoiser network (`IDenoiser`)", "tests/Generative.Tests/Diffusion/DenoiserRegistryTests.cs" },
        { "## A GAN generator or critic (`IGenerator`, `IDiscriminator`)", "tests/Generative.Tests/Gan/GanNetworkRegistryTests.cs" },
    };

    [Theory]
    [MemberData(nameof(Sections))]
    public void A_sections_code_is_in_the_test_that_runs_it(string heading, string testFile)
    {
        string root = RepoRoot();
        string doc = File.ReadAllText(Path.Combine(root, "docs", "extending.md")).ReplaceLineEndings("\n");
        int start = doc.IndexOf(heading, StringComparison.Ordinal);
        start.Should().BeGreaterThanOrEqualTo(0, "extending.md has the section");
        int end = doc.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal) is var e and >= 0 ? e : doc.Length;
        int bold = doc.IndexOf("\n**", start + heading.Length, StringComparison.Ordinal);
        if (bold >= 0 && bold < end)
        {
            end = bold;
        }

        string test = Normalize(File.ReadAllText(Path.Combine(root, testFile)));
        var blocks = Blocks(doc[start..end]);
        blocks.Should().NotBeEmpty();
        foreach (string paragraph in blocks.SelectMany(b => b.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)))
        {
            test.Should().Contain(Normalize(paragraph), $"{testFile} runs the code that extending.md shows under {heading}");
        }
    }

    private static List<string> Blocks(string section)
    {
        var blocks = new List<string>();
        for (int i = section.IndexOf("```csharp\n", StringComparison.Ordinal); i >= 0; i = section.IndexOf("```csharp\n", i, StringComparison.Ordinal))
        {
            int bodyStart = i + "```csharp\n".Length;
            int bodyEnd = section.IndexOf("\n```", bodyStart, StringComparison.Ordinal);
            blocks.Add(section[bodyStart..bodyEnd]);
            i = bodyEnd + 4;
        }

        return blocks;
    }

    // Lines trimmed (the doc's code is dedented) and blank lines dropped.
    private static string Normalize(string code) =>
        string.Join("\n", code.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Generative.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Generative.sln not found above the test's directory.");
    }
}
