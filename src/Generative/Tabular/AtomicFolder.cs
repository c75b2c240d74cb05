namespace Generative.Tabular;

/// <summary>
/// Writes a folder atomically: the files go into a hidden temporary sibling, are flushed, and the sibling is renamed
/// into place; a folder being replaced is set aside first and deleted once the new one is in place. (The layer below
/// <c>Generative.Checkpoints</c>, whose <c>AtomicDirectory</c> does the same for model checkpoints.)
/// </summary>
internal static class AtomicFolder
{
    internal static void Write(string target, Action<string> fill)
    {
        string full = Path.GetFullPath(target).TrimEnd(Path.DirectorySeparatorChar);
        string parent = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{target}' has no parent folder.", nameof(target));
        string name = Path.GetFileName(full);
        Directory.CreateDirectory(parent);
        string temporary = Path.Combine(parent, $".{name}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temporary);
        try
        {
            fill(temporary);
            foreach (string file in Directory.EnumerateFiles(temporary))
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                stream.Flush(flushToDisk: true);
            }
        }
        catch
        {
            Directory.Delete(temporary, recursive: true);
            throw;
        }

        if (!Directory.Exists(full))
        {
            Directory.Move(temporary, full);
            return;
        }

        string old = Path.Combine(parent, $".{name}.old-{Guid.NewGuid():N}");
        Directory.Move(full, old);
        Directory.Move(temporary, full);
        Directory.Delete(old, recursive: true);
    }
}
