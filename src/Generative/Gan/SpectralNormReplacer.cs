using System.Reflection;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>
/// Walks a module tree and swaps every <see cref="Linear"/>/<see cref="Conv2d"/> for a <see cref="SpectralNorm"/>.
/// TorchSharp has no public way to replace a child module, so this reaches the places a child can live: the private
/// list of a <see cref="Sequential"/>, the items of a <see cref="ModuleList{T}"/>, and fields of custom modules.
/// Written against TorchSharp 0.107.0 (the version pinned by the repository); a test guards the reflection.
/// </summary>
internal static class SpectralNormReplacer
{
    private const BindingFlags InstanceFields = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    public static int Replace(nn.Module module, string path, int powerIterations, double epsilon, Generator? generator)
    {
        if (module is SpectralNorm)
        {
            return 0;
        }

        if (module is Sequential sequential)
        {
            return ReplaceInSequential(sequential, path, powerIterations, epsilon, generator);
        }

        var moduleListType = FindGenericBase(module.GetType(), typeof(ModuleList<>));
        if (moduleListType is not null)
        {
            return ReplaceInModuleList(module, moduleListType, path, powerIterations, epsilon, generator);
        }

        int count = 0;
        foreach (var (name, child) in module.named_children().ToList())
        {
            string childPath = Join(path, name);
            if (!IsTarget(child))
            {
                count += Replace(child, childPath, powerIterations, epsilon, generator);
                continue;
            }

            var field = FindField(module.GetType(), name, module, child)
                ?? throw new ArgumentException(
                    $"The layer '{childPath}' was registered without a field that holds it, so it cannot be replaced; wrap it with SpectralNorm.FromLinear or FromConv2d when you build the module.",
                    nameof(module));
            if (!field.FieldType.IsAssignableFrom(typeof(SpectralNorm)))
            {
                throw new ArgumentException(
                    $"The layer '{childPath}' is held in field '{field.Name}' of type {field.FieldType.Name}, which cannot hold a SpectralNorm; declare the field as Module<Tensor, Tensor> (or wrap the layer with SpectralNorm.FromLinear or FromConv2d yourself).",
                    nameof(module));
            }

            var wrapper = Wrap(child, powerIterations, epsilon, generator);
            field.SetValue(module, wrapper);
            module.register_module(name, null!);
            module.register_module(name, wrapper);
            child.Dispose();
            count++;
        }

        return count;
    }

    private static int ReplaceInSequential(Sequential sequential, string path, int powerIterations, double epsilon, Generator? generator)
    {
        var listField = typeof(Sequential).GetField("_modules", InstanceFields)
            ?? throw new InvalidOperationException("This TorchSharp version's Sequential has no '_modules' list; SpectralNorm.ApplyToAll cannot reach its layers.");
        var list = (IList<nn.IModule<Tensor, Tensor>>)listField.GetValue(sequential)!;
        var names = sequential.named_children().Select(c => c.name).ToList();
        int count = 0;
        for (int i = 0; i < list.Count; i++)
        {
            var child = (nn.Module)list[i];
            if (IsTarget(child))
            {
                list[i] = Wrap(child, powerIterations, epsilon, generator);
                child.Dispose();
                count++;
            }
            else
            {
                count += Replace(child, Join(path, names[i]), powerIterations, epsilon, generator);
            }
        }

        return count;
    }

    private static int ReplaceInModuleList(nn.Module list, Type moduleListType, string path, int powerIterations, double epsilon, Generator? generator)
    {
        var elementType = moduleListType.GetGenericArguments()[0];
        var item = moduleListType.GetProperty("Item")!;
        int length = (int)moduleListType.GetProperty("Count")!.GetValue(list)!;
        var registered = list.named_children().Select(c => c.name).ToHashSet(StringComparer.Ordinal);
        int count = 0;
        for (int i = 0; i < length; i++)
        {
            var child = (nn.Module)item.GetValue(list, [i])!;
            string name = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!IsTarget(child))
            {
                count += Replace(child, Join(path, name), powerIterations, epsilon, generator);
                continue;
            }

            if (!elementType.IsAssignableFrom(typeof(SpectralNorm)))
            {
                throw new ArgumentException(
                    $"The layer '{Join(path, name)}' sits in a ModuleList<{elementType.Name}>, which cannot hold a SpectralNorm; use ModuleList<Module<Tensor, Tensor>>.",
                    nameof(list));
            }

            var wrapper = Wrap(child, powerIterations, epsilon, generator);
            item.SetValue(list, wrapper, [i]);
            if (registered.Contains(name))
            {
                list.register_module(name, null!);
                list.register_module(name, wrapper);
            }

            child.Dispose();
            count++;
        }

        return count;
    }

    private static bool IsTarget(nn.Module module) => module is Linear or Conv2d;

    private static SpectralNorm Wrap(nn.Module layer, int powerIterations, double epsilon, Generator? generator) => layer switch
    {
        Linear linear => SpectralNorm.FromLinear(linear, powerIterations, epsilon, generator),
        Conv2d conv => SpectralNorm.FromConv2d(conv, powerIterations, epsilon, generator),
        _ => throw new InvalidOperationException("Unreachable."),
    };

    private static FieldInfo? FindField(Type type, string componentName, object owner, object value)
    {
        for (var t = type; t is not null && t != typeof(nn.Module); t = t.BaseType)
        {
            foreach (var field in t.GetFields(InstanceFields | BindingFlags.DeclaredOnly))
            {
                if (field.ComponentName() == componentName && ReferenceEquals(field.GetValue(owner), value))
                {
                    return field;
                }
            }
        }

        return null;
    }

    private static Type? FindGenericBase(Type type, Type genericDefinition)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == genericDefinition)
            {
                return t;
            }
        }

        return null;
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;
}
