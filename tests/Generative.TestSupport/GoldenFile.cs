using System.Runtime.CompilerServices;
using Xunit;

namespace Generative.TestSupport;

/// <summary>
/// Snapshot checks against files kept in the test project's <c>Golden/</c> folder (Verify.Xunit cannot be restored
/// here). Set the environment variable <c>GENERATIVE_UPDATE_GOLDEN=1</c> to rewrite the files from the actual values,
/// then review the diff before committing.
/// </summary>
public static class GoldenFile
{
    /// <summary>Asserts that <paramref name="actual"/> equals the golden file <paramref name="name"/>.</summary>
    public static void AssertMatches(string name, string actual, [CallerFilePath] string callerPath = "")
    {
        actual = actual.Replace("\r\n", "\n", StringComparison.Ordinal);
        string sourceDir = FindProjectDirectory(callerPath);
        string sourceFile = Path.Combine(sourceDir, "Golden", name);
        if (Environment.GetEnvironmentVariable("GENERATIVE_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(sourceFile)!);
            File.WriteAllText(sourceFile, actual);
            return;
        }

        string outputFile = Path.Combine(AppContext.BaseDirectory, "Golden", name);
        string path = File.Exists(outputFile) ? outputFile : sourceFile;
        Assert.True(File.Exists(path), $"Golden file '{name}' is missing; run the test with GENERATIVE_UPDATE_GOLDEN=1 to create it.");
        string expected = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.Equal(expected, actual);
    }

    private static string FindProjectDirectory(string callerPath)
    {
        string? dir = Path.GetDirectoryName(callerPath);
        while (dir is not null && Directory.GetFiles(dir, "*.csproj").Length == 0)
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? AppContext.BaseDirectory;
    }
}
