using System.Reflection;
using System.Reflection.Emit;
using System.Text;

namespace Generative.Tests.Architecture;

/// <summary>
/// Reads TorchSharp's IL (no libtorch needed) to find its public members that make a <c>TorchSharp.Scalar</c> nobody holds:
/// those whose body, or the body of a TorchSharp method they call (transitively, lambdas and compiler-generated state
/// machines included), calls one of <c>Scalar</c>'s implicit conversions or a <c>ToScalar</c> extension and never
/// disposes a Scalar. <see cref="ScalarGuardTests"/> checks build/BannedSymbols.txt against this list; a failure prints
/// the missing lines in that file's format.
/// </summary>
internal static class TorchSharpScalarMakers
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance |
                                          BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>Namespaces left out on purpose: TorchScript modules convert their <c>object[]</c> arguments at run time,
    /// and make a Scalar only for number arguments (which the implicit-conversion ban cannot see either).</summary>
    public static readonly string[] ExcludedTypePrefixes = ["TorchSharp.torch+jit"];

    /// <summary>The documentation IDs of every implicit conversion to <c>Scalar</c>.</summary>
    public static IReadOnlyList<string> ImplicitConversions(Assembly torchSharp) =>
        torchSharp.GetType("TorchSharp.Scalar", throwOnError: true)!
            .GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name == "op_Implicit")
            .Select(DocumentationId)
            .OrderBy(id => id, StringComparer.Ordinal)
            .ToList();

    /// <summary>The documentation IDs of the public members (outside <see cref="ExcludedTypePrefixes"/>) that make a
    /// Scalar inside, each with the member of TorchSharp through which it does ("" when it converts in its own body).</summary>
    public static IReadOnlyDictionary<string, string> PublicMakers(Assembly torchSharp)
    {
        Type[] types;
        try
        {
            types = torchSharp.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            types = e.Types.Where(t => t is not null).ToArray()!;
        }

        var methods = types.SelectMany(t => t.GetMethods(Declared).Cast<MethodBase>().Concat(t.GetConstructors(Declared))).ToList();
        var calls = new Dictionary<MethodBase, List<MethodBase>>();
        var converts = new HashSet<MethodBase>();
        var disposes = new HashSet<MethodBase>();
        foreach (var method in methods)
        {
            if (IsScalarConversion(method))
            {
                continue;
            }

            var callees = new List<MethodBase>();
            calls[method] = callees;
            foreach (var target in CalledMethods(method))
            {
                if (IsScalarConversion(target))
                {
                    converts.Add(method);
                }
                else if (target.DeclaringType?.FullName == "TorchSharp.Scalar" && target.Name == "Dispose")
                {
                    disposes.Add(method);
                }
                else if (target.Module == method.Module)
                {
                    callees.Add(target is MethodInfo { IsGenericMethod: true } g ? g.GetGenericMethodDefinition() : target);
                    // A lambda's closure, an iterator or an async state machine: its methods run for this one.
                    if (target.IsConstructor && target.DeclaringType is { } generated && generated.Name.StartsWith('<'))
                    {
                        callees.AddRange(generated.GetMethods(Declared));
                    }
                }
            }
        }

        var via = new Dictionary<MethodBase, MethodBase?>();
        foreach (var method in converts.Where(m => !disposes.Contains(m)))
        {
            via[method] = null;
        }

        for (bool changed = true; changed;)
        {
            changed = false;
            foreach (var (method, callees) in calls)
            {
                if (via.ContainsKey(method) || disposes.Contains(method))
                {
                    continue;
                }

                var bad = callees.FirstOrDefault(via.ContainsKey);
                if (bad is not null)
                {
                    via[method] = bad;
                    changed = true;
                }
            }
        }

        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (method, through) in via)
        {
            if (!IsPublic(method) || ExcludedTypePrefixes.Any(p => method.DeclaringType!.FullName!.StartsWith(p, StringComparison.Ordinal)))
            {
                continue;
            }

            result.TryAdd(DocumentationId(method), through is null ? "" : Describe(through));
        }

        return result;
    }

    private static bool IsScalarConversion(MethodBase m)
    {
        try
        {
            return m is MethodInfo { ReturnType.FullName: "TorchSharp.Scalar" } &&
                   (m.DeclaringType?.FullName == "TorchSharp.Scalar" && m.Name == "op_Implicit" ||
                    m.DeclaringType?.FullName == "TorchSharp.ScalarExtensionMethods");
        }
        catch (FileNotFoundException)
        {
            return false; // a signature naming a type of an assembly TorchSharp references but we do not load
        }
    }

    private static IEnumerable<MethodBase> CalledMethods(MethodBase method)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (Exception e) when (e is FileNotFoundException or BadImageFormatException)
        {
            yield break;
        }

        if (il is null)
        {
            yield break;
        }

        Type[]? typeArguments = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        Type[]? methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            OpCode op;
            if (il[i] == 0xFE)
            {
                op = OpCodesByValue[unchecked((short)(0xFE00 | il[i + 1]))];
                i += 2;
            }
            else
            {
                op = OpCodesByValue[il[i]];
                i += 1;
            }

            int operandSize = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
            if (op.OperandType == OperandType.InlineMethod)
            {
                MethodBase? target = null;
                try
                {
                    target = method.Module.ResolveMethod(BitConverter.ToInt32(il, i), typeArguments, methodArguments);
                }
                catch (Exception e) when (e is ArgumentException or FileNotFoundException or TypeLoadException or BadImageFormatException)
                {
                    // a member of an assembly TorchSharp references but we do not load: not a Scalar conversion
                }

                if (target is not null)
                {
                    yield return target;
                }
            }

            i += operandSize;
        }
    }

    private static bool IsPublic(MethodBase m)
    {
        if (!m.IsPublic)
        {
            return false;
        }

        for (var t = m.DeclaringType; t is not null; t = t.DeclaringType)
        {
            if (!(t.IsPublic || t.IsNestedPublic))
            {
                return false;
            }
        }

        return true;
    }

    private static string Describe(MethodBase m)
    {
        try
        {
            return DocumentationId(m);
        }
        catch (FileNotFoundException)
        {
            return m.DeclaringType + "." + m.Name;
        }
    }

    /// <summary>The C# documentation comment ID of a method, constructor or (for an accessor) its property, as
    /// BannedSymbols.txt names them.</summary>
    public static string DocumentationId(MethodBase m)
    {
        var type = m.DeclaringType!;
        var property = m.IsSpecialName && m is MethodInfo
            ? type.GetProperties(Declared).FirstOrDefault(p => p.GetMethod == m || p.SetMethod == m)
            : null;
        var id = new StringBuilder();
        if (property is not null)
        {
            id.Append("P:").Append(TypeDefinitionName(type)).Append('.').Append(property.Name);
            AppendParameters(id, property.GetIndexParameters());
            return id.ToString();
        }

        id.Append("M:").Append(TypeDefinitionName(type)).Append('.').Append(m.Name.Replace('.', '#'));
        if (m.IsGenericMethod)
        {
            id.Append("``").Append(m.GetGenericArguments().Length);
        }

        AppendParameters(id, m.GetParameters());
        if (m.Name is "op_Implicit" or "op_Explicit")
        {
            id.Append('~').Append(TypeReferenceName(((MethodInfo)m).ReturnType));
        }

        return id.ToString();
    }

    private static void AppendParameters(StringBuilder id, ParameterInfo[] parameters)
    {
        if (parameters.Length > 0)
        {
            id.Append('(').AppendJoin(',', parameters.Select(p => TypeReferenceName(p.ParameterType))).Append(')');
        }
    }

    private static string TypeDefinitionName(Type t) =>
        t.DeclaringType is { } outer ? TypeDefinitionName(outer) + "." + t.Name : t.Namespace + "." + t.Name;

    private static string TypeReferenceName(Type t)
    {
        if (t.IsGenericParameter)
        {
            return (t.DeclaringMethod is null ? "`" : "``") + t.GenericParameterPosition;
        }

        if (t.IsByRef)
        {
            return TypeReferenceName(t.GetElementType()!) + "@";
        }

        if (t.IsPointer)
        {
            return TypeReferenceName(t.GetElementType()!) + "*";
        }

        if (t.IsArray)
        {
            return TypeReferenceName(t.GetElementType()!) + (t.GetArrayRank() == 1 ? "[]" : "[" + string.Join(",", Enumerable.Repeat("0:", t.GetArrayRank())) + "]");
        }

        if (t.IsGenericType && !t.IsGenericTypeDefinition)
        {
            // Arguments are listed on the type that declares them: Outer{A}.Inner{B}; only outermost-level generics occur here.
            string definition = TypeDefinitionName(t.GetGenericTypeDefinition());
            return definition[..definition.IndexOf('`', StringComparison.Ordinal)] + "{" +
                   string.Join(",", t.GetGenericArguments().Select(TypeReferenceName)) + "}";
        }

        return TypeDefinitionName(t);
    }
}
