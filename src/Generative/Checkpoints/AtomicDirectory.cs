namespace Generative.Checkpoints;

/// <summary>
/// Writes a directory atomically: the content goes into a hidden temporary sibling, every file is flushed to disk,
/// then the sibling is renamed into place. A replaced directory is first renamed aside and deleted only once the new one
/// is in place, so a process killed at any moment leaves either the old or the new directory complete.
/// </summary>
internal static class AtomicDirectory
{
    public static void Write(string target, Action<string> fill)
    {
        string full = Path.GetFullPath(target).TrimEnd(Path.DirectorySeparatorChar);
        string parent = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{target}' has no parent directory.", nameof(target));
        string name = Path.GetFileName(full);
        Directory.CreateDirectory(parent);
        RemoveLeftovers(parent, name, full);
        string temp = Path.Combine(parent, $".{name}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            fill(temp);
            foreach (string file in Directory.EnumerateFiles(temp))
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                stream.Flush(flushToDisk: true);
            }
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        if (!Directory.Exists(full))
        {
            Directory.Move(temp, full);
            return;
        }

        string old = Path.Combine(parent, $".{name}.old-{Guid.NewGuid():N}");
        Directory.Move(full, old);
        Directory.Move(temp, full);
        TryDelete(old);
    }

    /// <summary>
    /// Where a checkpoint directory written by <see cref="Write"/> is: the directory itself, or, if the process died
    /// between the two renames of a replacement, the complete previous copy set aside.
    /// </summary>
    public static string? Resolve(string directory, string requiredFile)
    {
        string full = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        if (File.Exists(Path.Combine(full, requiredFile)))
        {
            return full;
        }

        string? parent = Path.GetDirectoryName(full);
        if (Directory.Exists(full) || parent is null || !Directory.Exists(parent))
        {
            return null;
        }

        return Directory.EnumerateDirectories(parent, $".{Path.GetFileName(full)}.old-*")
            .Where(d => File.Exists(Path.Combine(d, requiredFile)))
            .OrderByDescending(Directory.GetLastWriteTimeUtc)
            .FirstOrDefault();
    }

    /// <summary>Deletes temporary siblings left by writers that died; set-aside copies only once the target is complete again.</summary>
    private static void RemoveLeftovers(string parent, string name, string full)
    {
        foreach (string stale in Directory.EnumerateDirectories(parent, $".{name}.tmp-*"))
        {
            TryDelete(stale);
        }

        if (File.Exists(Path.Combine(full, ModelCheckpoint.ConfigFileName)))
        {
            foreach (string old in Directory.EnumerateDirectories(parent, $".{name}.old-*"))
            {
                TryDelete(old);
            }
        }
    }

    public static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Left for the next clean-up.
        }
        catch (UnauthorizedAccessException)
        {
            // Left for the next clean-up.
        }
    }
}
