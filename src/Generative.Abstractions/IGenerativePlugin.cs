namespace Generative;

/// <summary>
/// The entry point of an assembly that extends Generative: its <see cref="Register"/> adds the assembly's samplers,
/// networks, families or comparison contenders to the library's default registries. A host that is told to load the
/// assembly (the comparison command's <c>--plugin</c>, <c>GenerativePlugins.LoadFrom</c>) creates every public
/// implementation it finds with its parameterless constructor and calls <see cref="Register"/> once per process.
/// </summary>
/// <remarks>Registration must be idempotent in spirit: use the registries' <c>TryAdd</c> when the same registration may
/// also be made by hand.</remarks>
public interface IGenerativePlugin
{
    /// <summary>Adds this assembly's extensions to the default registries.</summary>
    void Register();
}
