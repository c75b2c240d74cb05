using System.Diagnostics;
using System.Runtime.CompilerServices;
using Xunit;

namespace Generative.TestSupport;

/// <summary>
/// Runs the repository's PyTorch package (python/generative_torch, python/train_ddp.py) with Debian's python3-torch:
/// <c>/usr/bin/python3</c> and <c>/usr/bin/torchrun</c>. Tests that need it skip (Skip.IfNot(IsAvailable, ...)) where
/// <c>/usr/bin/python3 -c "import torch"</c> fails.
/// </summary>
public static class PyTorchPackage
{
    /// <summary>Debian's Python, the one that has python3-torch.</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>Debian's torchrun.</summary>
    public const string Torchrun = "/usr/bin/torchrun";

    /// <summary>The reason a test gives when it skips.</summary>
    public const string SkipReason = "Debian's python3-torch (/usr/bin/python3 with torch) is not installed: the PyTorch package cannot run.";

    private static readonly Lazy<bool> Available = new(Probe);

    /// <summary>Whether /usr/bin/python3 imports torch.</summary>
    public static bool IsAvailable => Available.Value;

    /// <summary>Whether /usr/bin/torchrun exists as well.</summary>
    public static bool HasTorchrun => IsAvailable && File.Exists(Torchrun);

    /// <summary>The repository's root (the directory holding Generative.sln).</summary>
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>The python/ folder: the package, train_ddp.py and the package's tests.</summary>
    public static string Folder => Path.Combine(RepoRoot, "python");

    /// <summary>Runs <paramref name="file"/> with <paramref name="arguments"/> (one libtorch thread, python/ on PYTHONPATH).</summary>
    /// <returns>The exit code, stdout and stderr.</returns>
    public static (int Code, string Stdout, string Stderr) Run(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Folder };
        foreach (string a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["OMP_NUM_THREADS"] = "1";
        info.Environment["PYTHONPATH"] = Folder;
        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }

    /// <summary>Runs a Python script of python/ (or <c>-m module</c>) and fails with its stderr when it exits non-zero.</summary>
    /// <returns>Its stdout.</returns>
    public static string RunPython(params string[] arguments)
    {
        var (code, stdout, stderr) = Run(Python, arguments);
        Assert.True(code == 0, $"{Python} {string.Join(' ', arguments)} exited with {code}:\n{stdout}\n{stderr}");
        return stdout;
    }

    private static bool Probe()
    {
        if (!File.Exists(Python))
        {
            return false;
        }

        try
        {
            var (code, _, _) = Run(Python, "-c", "import torch");
            return code == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static string FindRoot([CallerFilePath] string path = "")
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Generative.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
    }
}
