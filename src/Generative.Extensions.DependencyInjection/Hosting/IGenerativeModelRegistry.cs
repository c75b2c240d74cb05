using System.Diagnostics.CodeAnalysis;

namespace Generative.Hosting;

/// <summary>
/// The models registered with <see cref="Microsoft.Extensions.DependencyInjection.GenerativeBuilder"/>, by name, for
/// applications that enumerate them (a model catalogue endpoint, an admin page). Names are matched case-insensitively.
/// </summary>
/// <remarks>
/// <para>Each model is a keyed singleton (key: its name) that the container creates on first use and disposes;
/// <see cref="Get"/> returns that instance, the same one <c>GetRequiredKeyedService&lt;IGenerativeModel&gt;(name)</c>
/// returns. Describing a model loads it.</para>
/// <para>Thread-safety: every member is safe to call concurrently.</para>
/// </remarks>
public interface IGenerativeModelRegistry
{
    /// <summary>The registered names, in registration order.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>Whether a model is registered under <paramref name="name"/> (case-insensitive).</summary>
    /// <param name="name">A model name.</param>
    bool Contains(string name);

    /// <summary>The model registered under <paramref name="name"/>, loading it if needed.</summary>
    /// <param name="name">A model name (case-insensitive).</param>
    /// <returns>The container's singleton; do not dispose it.</returns>
    /// <exception cref="KeyNotFoundException">No model has that name; the message lists the registered names.</exception>
    IGenerativeModel Get(string name);

    /// <summary>The model registered under <paramref name="name"/>, if any, loading it if needed.</summary>
    /// <param name="name">A model name (case-insensitive).</param>
    /// <param name="model">The container's singleton; do not dispose it.</param>
    /// <returns>Whether the name is registered.</returns>
    bool TryGet(string name, [NotNullWhen(true)] out IGenerativeModel? model);

    /// <summary>Describes the model registered under <paramref name="name"/>, loading it if needed.</summary>
    /// <param name="name">A model name (case-insensitive).</param>
    /// <exception cref="KeyNotFoundException">No model has that name.</exception>
    GenerativeModelDescriptor Describe(string name);

    /// <summary>Describes every registered model, in registration order, loading each if needed.</summary>
    IReadOnlyList<GenerativeModelDescriptor> DescribeAll();
}
