using System.Diagnostics.CodeAnalysis;
using Generative.Tabular;

namespace Generative.Hosting;

/// <summary>
/// The tabular models registered with <see cref="Microsoft.Extensions.DependencyInjection.GenerativeBuilder.AddTableModel(string, string)"/>
/// and its overloads, by name (case-insensitive). Each is a keyed singleton <see cref="ITableSynthesizer"/> (key: its
/// name) that the container creates on first use (or at host start) and disposes if it is disposable.
/// </summary>
/// <remarks>Thread-safety: every member is safe to call concurrently.</remarks>
public interface ITableModelRegistry
{
    /// <summary>The registered names, in registration order.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>Whether a tabular model is registered under <paramref name="name"/> (case-insensitive).</summary>
    /// <param name="name">A model name.</param>
    /// <returns><see langword="true"/> when it is.</returns>
    bool Contains(string name);

    /// <summary>The tabular model registered under <paramref name="name"/>, loading it if needed.</summary>
    /// <param name="name">A model name (case-insensitive).</param>
    /// <returns>The container's singleton; do not dispose it.</returns>
    /// <exception cref="KeyNotFoundException">No tabular model has that name; the message lists the registered names.</exception>
    ITableSynthesizer Get(string name);

    /// <summary>The tabular model registered under <paramref name="name"/>, if any, loading it if needed.</summary>
    /// <param name="name">A model name (case-insensitive).</param>
    /// <param name="model">The container's singleton; do not dispose it.</param>
    /// <returns>Whether the name is registered.</returns>
    bool TryGet(string name, [NotNullWhen(true)] out ITableSynthesizer? model);

    /// <summary>Describes the tabular model registered under <paramref name="name"/>, loading it if needed.</summary>
    /// <param name="name">A model name (case-insensitive).</param>
    /// <returns>Its synthesizer, schema and limit.</returns>
    /// <exception cref="KeyNotFoundException">No tabular model has that name.</exception>
    TableModelDescriptor Describe(string name);

    /// <summary>Describes every registered tabular model, in registration order, loading each if needed.</summary>
    /// <returns>One descriptor per model.</returns>
    IReadOnlyList<TableModelDescriptor> DescribeAll();
}
