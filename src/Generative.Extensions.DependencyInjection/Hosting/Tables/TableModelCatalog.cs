using System.Diagnostics.CodeAnalysis;
using Generative.Tabular;

namespace Generative.Hosting;

/// <summary>One registered tabular model.</summary>
/// <param name="Name">The model's name (the service key and the options name).</param>
/// <param name="ConfigurationPath">The configuration section it is bound from, if any (for messages).</param>
/// <param name="Factory">The factory of a model registered from code; <see langword="null"/> for a saved folder.</param>
internal sealed record TableModelRegistration(
    string Name,
    string? ConfigurationPath,
    Func<IServiceProvider, ITableSynthesizer>? Factory)
{
    /// <summary>How a message names an option: its configuration key if bound from configuration, its property otherwise.</summary>
    /// <param name="property">The options property (or configuration key) name.</param>
    public string KeyOf(string property) =>
        ConfigurationPath is null ? $"{nameof(TableModelOptions)}.{property}" : $"{ConfigurationPath}:{property}";
}

/// <summary>The tabular models registered in one service collection (a singleton instance). Filled while the services
/// are configured, read-only afterwards.</summary>
internal sealed class TableModelCatalog
{
    private readonly List<TableModelRegistration> _registrations = [];
    private readonly Dictionary<string, TableModelRegistration> _byName = new(StringComparer.OrdinalIgnoreCase);
    private string[] _names = [];

    public IReadOnlyList<string> Names => Volatile.Read(ref _names);

    public IReadOnlyList<TableModelRegistration> Registrations => _registrations;

    public bool TryFind(string name, [NotNullWhen(true)] out TableModelRegistration? registration) =>
        _byName.TryGetValue(name, out registration);

    public void Add(TableModelRegistration registration)
    {
        if (_byName.TryGetValue(registration.Name, out var existing))
        {
            throw new ArgumentException(
                $"A tabular model named '{existing.Name}' is already registered (model names are case-insensitive).", "name");
        }

        _registrations.Add(registration);
        _byName.Add(registration.Name, registration);
        Volatile.Write(ref _names, [.. _registrations.Select(r => r.Name)]);
    }
}
