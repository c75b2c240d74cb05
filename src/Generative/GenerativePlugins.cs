using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;

namespace Generative;

/// <summary>
/// Loads extension assemblies named by the application (a command-line option, a configuration entry) and runs their
/// <see cref="IGenerativePlugin.Register"/> methods. Only assemblies the application names are loaded, and only
/// their public <see cref="IGenerativePlugin"/> implementations run: nothing is looked up by a type name read from a file.
/// </summary>
public static class GenerativePlugins
{
    private static readonly ConcurrentDictionary<Type, bool> Registered = new();
    private static readonly ConcurrentDictionary<string, bool> ResolvedFolders = new(StringComparer.Ordinal);

    /// <summary>Loads an assembly from a file and registers its plugins (each plugin type once per process).</summary>
    /// <param name="assemblyPath">The assembly's path (relative paths are taken from the current directory). Its
    /// dependencies are resolved from its folder, then from the application's.</param>
    /// <returns>The full names of the plugin types registered by this call.</returns>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidOperationException">The assembly has no public <see cref="IGenerativePlugin"/>
    /// implementation with a parameterless constructor, or one of them failed (the inner exception says how).</exception>
    public static IReadOnlyList<string> LoadFrom(string assemblyPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(assemblyPath);
        string path = Path.GetFullPath(assemblyPath);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The plugin assembly '{path}' does not exist.", path);
        }

        string folder = Path.GetDirectoryName(path)!;
        if (ResolvedFolders.TryAdd(folder, true))
        {
            // Once per folder: a plugin's dependencies that the application does not have come from the plugin's folder.
            AssemblyLoadContext.Default.Resolving += (context, name) =>
            {
                string candidate = Path.Combine(folder, name.Name + ".dll");
                return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
            };
        }
        Assembly assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
        return Register(assembly);
    }

    /// <summary>Registers the plugins of an assembly that is already loaded (each plugin type once per process).</summary>
    /// <param name="assembly">The assembly.</param>
    /// <returns>The full names of the plugin types registered by this call.</returns>
    /// <exception cref="InvalidOperationException">The assembly has no public <see cref="IGenerativePlugin"/>
    /// implementation with a parameterless constructor, or one of them failed (the inner exception says how).</exception>
    public static IReadOnlyList<string> Register(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var plugins = assembly.GetExportedTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IGenerativePlugin).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToList();
        if (plugins.Count == 0)
        {
            throw new InvalidOperationException(
                $"The assembly '{assembly.GetName().Name}' has no public class implementing {nameof(IGenerativePlugin)} with a parameterless constructor.");
        }

        var registered = new List<string>();
        foreach (Type type in plugins)
        {
            if (!Registered.TryAdd(type, true))
            {
                continue;
            }

            try
            {
                ((IGenerativePlugin)Activator.CreateInstance(type)!).Register();
                registered.Add(type.FullName!);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Registered.TryRemove(type, out _);
                throw new InvalidOperationException($"The plugin {type.FullName} failed to register: {e.Message}", e);
            }
        }

        return registered;
    }
}
