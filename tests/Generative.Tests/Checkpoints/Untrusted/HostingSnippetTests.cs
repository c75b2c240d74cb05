using System.Runtime.CompilerServices;
using Generative.Checkpoints;
using Generative.Tests.Training;
using Microsoft.Extensions.Logging;

namespace Generative.Tests.Checkpoints.Untrusted;

/// <summary>docs/hosting.md's "Loading files you did not write": its code is <see cref="HostingSnippets"/>, verbatim, and runs.</summary>
public sealed class HostingSnippetTests : IClassFixture<UntrustedCheckpoints>, IDisposable
{
    private const string Section = "## Loading files you did not write";
    private readonly UntrustedCheckpoints _pristine;
    private readonly string _dir = Directory.CreateTempSubdirectory("gen-hosting-snippet-").FullName;

    public HostingSnippetTests(UntrustedCheckpoints pristine) => _pristine = pristine;

    public void Dispose()
    {
        ModelCheckpoint.MaxLoadBytes = ModelCheckpoint.DefaultMaxLoadBytes;
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void The_sections_code_blocks_are_the_snippet_file_verbatim()
    {
        string doc = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "hosting.md"));
        int start = doc.IndexOf(Section, StringComparison.Ordinal);
        start.Should().BeGreaterThan(0, "hosting.md has the section");
        int end = doc.IndexOf("\n## ", start + Section.Length, StringComparison.Ordinal);
        string section = doc[start..end];
        var blocks = new List<string>();
        for (int i = section.IndexOf("```", StringComparison.Ordinal); i >= 0; i = section.IndexOf("```", i, StringComparison.Ordinal))
        {
            int bodyStart = section.IndexOf('\n', i) + 1;
            section[(i + 3)..(bodyStart - 1)].Should().Be("csharp", "every code block of the section is C# that a test runs");
            int bodyEnd = section.IndexOf("\n```", bodyStart, StringComparison.Ordinal);
            blocks.Add(section[bodyStart..bodyEnd]);
            i = bodyEnd + 4;
        }

        blocks.Should().ContainSingle();
        blocks[0].Should().Be(SnippetBody(), "the doc shows HostingSnippets.LoadUntrusted's body");
    }

    [Fact]
    public void The_snippet_loads_a_valid_model_and_refuses_a_bad_one_with_a_logged_error()
    {
        var logger = new CollectingLogger();
        using (var model = HostingSnippets.LoadUntrusted(_pristine.DiffusionMlp, logger))
        {
            model.Should().NotBeNull();
            model!.SampleShape.Should().Be(new TensorShape(2));
        }

        ModelCheckpoint.MaxLoadBytes.Should().Be(4L << 30);
        string bad = UntrustedCheckpoints.Copy(_pristine.DiffusionMlp, Path.Combine(_dir, "bad"));
        UntrustedCheckpointTests.SetConfigValue(bad, "options.network.options.depth", "1000000");
        HostingSnippets.LoadUntrusted(bad, logger).Should().BeNull();
        logger.Entries.Should().ContainSingle(e => e.Level == LogLevel.Error).Which.Message.Should().Contain(bad);
    }

    private static string SnippetBody([CallerFilePath] string thisFile = "")
    {
        string code = File.ReadAllText(Path.Combine(Path.GetDirectoryName(thisFile)!, "HostingSnippets.cs"));
        int start = code.IndexOf("// <snippet>\n", StringComparison.Ordinal) + "// <snippet>\n".Length;
        int end = code.IndexOf("        // </snippet>", start, StringComparison.Ordinal);
        var lines = code[start..end].TrimEnd('\n').Split('\n');
        return string.Join('\n', lines.Select(l => l.Length >= 8 ? l[8..] : l.TrimStart()));
    }

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
