using System.Buffers;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace Generative;

/// <summary>
/// A map from stable, case-insensitive keys to the entries of one kind of extension (samplers, noise schedules, …),
/// the base of every registry of the library. The library registers its built-ins through the same <see cref="Add"/>
/// that a third party calls.
/// </summary>
/// <remarks>
/// <para>Keys: 1 to 100 characters among letters, digits, <c>-</c>, <c>_</c> and <c>.</c> (they appear in
/// <c>config.json</c>, configuration keys and requests), unique regardless of case within a registry and its parent.
/// A key names an entry for good: entries cannot be replaced or removed.</para>
/// <para>Parent: a registry made with a parent sees the parent's entries (looked up after its own, read at each lookup),
/// so a dependency-injection container can add its own entries on top of the process-wide default registry.</para>
/// <para>Thread-safety: <see cref="Add"/> and every lookup may run on many threads at once; lookups never block.</para>
/// <para>Keys only ever select among registered entries: nothing is loaded by type name.</para>
/// </remarks>
/// <typeparam name="TEntry">What a key maps to (typically a factory delegate).</typeparam>
public abstract class Registry<TEntry>
    where TEntry : class
{
    private static readonly SearchValues<char> KeyCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");

    private readonly Registry<TEntry>? _parent;
    private readonly object _gate = new();
    private ImmutableDictionary<string, TEntry> _entries = ImmutableDictionary.Create<string, TEntry>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates an empty registry.</summary>
    /// <param name="parent">A registry whose entries this one also offers; <see langword="null"/> for none.</param>
    protected Registry(Registry<TEntry>? parent) => _parent = parent;

    /// <summary>Every registered key (this registry's and its parent's), in ordinal order.</summary>
    public IReadOnlyList<string> Keys
    {
        get
        {
            var keys = new SortedSet<string>(Volatile.Read(ref _entries).Keys, StringComparer.OrdinalIgnoreCase);
            if (_parent is not null)
            {
                keys.UnionWith(_parent.Keys);
            }

            return [.. keys.Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>What one entry is called in messages (<c>"sampler"</c>, <c>"noise schedule"</c>).</summary>
    protected abstract string Kind { get; }

    /// <summary>How to register an entry, for messages about unknown keys.</summary>
    protected abstract string HowToRegister { get; }

    /// <summary>Registers an entry under a key.</summary>
    /// <param name="key">The stable key (see the remarks for the allowed characters).</param>
    /// <param name="entry">The entry.</param>
    /// <exception cref="ArgumentException">The key is invalid, or already registered here or in the parent.</exception>
    public void Add(string key, TEntry entry)
    {
        if (!TryAdd(key, entry))
        {
            throw new ArgumentException(
                $"A {Kind} named '{key}' is already registered ({Kind} names are case-insensitive and cannot be replaced); choose another name.",
                nameof(key));
        }
    }

    /// <summary>Registers an entry under a key unless the key is registered already (here or in the parent): for
    /// registrations that may run more than once, such as a plugin's start-up code.</summary>
    /// <param name="key">The stable key (see the remarks for the allowed characters).</param>
    /// <param name="entry">The entry.</param>
    /// <returns><see langword="true"/> if the entry was added; <see langword="false"/> if the key was taken (the registered entry is kept).</returns>
    /// <exception cref="ArgumentException">The key is invalid.</exception>
    public bool TryAdd(string key, TEntry entry)
    {
        ValidateKey(key);
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            if (_entries.ContainsKey(key) || (_parent?.Contains(key) ?? false))
            {
                return false;
            }

            Volatile.Write(ref _entries, _entries.Add(key, entry));
            return true;
        }
    }

    /// <summary>Whether a key is registered (here or in the parent).</summary>
    /// <param name="key">The key, case-insensitive.</param>
    /// <returns><see langword="true"/> if it is.</returns>
    public bool Contains(string key) => TryGet(key, out _);

    /// <summary>Looks a key up (here, then in the parent).</summary>
    /// <param name="key">The key, case-insensitive; surrounding white space is ignored.</param>
    /// <param name="entry">The entry, if found.</param>
    /// <returns><see langword="true"/> if the key is registered.</returns>
    public bool TryGet(string key, [NotNullWhen(true)] out TEntry? entry)
    {
        ArgumentNullException.ThrowIfNull(key);
        key = key.Trim();
        if (Volatile.Read(ref _entries).TryGetValue(key, out entry))
        {
            return true;
        }

        if (_parent is not null)
        {
            return _parent.TryGet(key, out entry);
        }

        entry = null;
        return false;
    }

    /// <summary>The first key, in <see cref="Keys"/> order, whose entry satisfies <paramref name="match"/> (a registry
    /// keyed by name that must also be searched by what an entry describes, such as the class a format writes).</summary>
    internal string? FindKey(Func<TEntry, bool> match)
    {
        foreach (string key in Keys)
        {
            if (TryGet(key, out var entry) && match(entry))
            {
                return key;
            }
        }

        return null;
    }

    /// <summary>Looks a key up, failing with a message that names the key, the registered keys and how to register one.</summary>
    /// <param name="key">The key, case-insensitive.</param>
    /// <returns>The entry.</returns>
    /// <exception cref="KeyNotFoundException">The key is not registered.</exception>
    public TEntry Get(string key) =>
        TryGet(key, out var entry) ? entry : throw new KeyNotFoundException(UnknownKeyMessage(key));

    /// <summary>The message for a key that is not registered: the key, the registered keys and how to register one.</summary>
    /// <param name="key">The key that was not found.</param>
    /// <returns>The message.</returns>
    public string UnknownKeyMessage(string key) =>
        $"No {Kind} is registered under the name '{key}'; registered: {string.Join(", ", Keys)}. {HowToRegister}";

    private static void ValidateKey(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (key.Length > 100 || key.AsSpan().IndexOfAnyExcept(KeyCharacters) >= 0)
        {
            throw new ArgumentException(
                $"The name '{key}' is invalid: use 1 to 100 letters, digits, '-', '_' or '.'.", nameof(key));
        }
    }
}
