using System.Reflection;
using Generative.Diffusion;
using NetArchTest.Rules;

namespace Generative.Tests.Architecture;

/// <summary>
/// The engine's namespaces form layers, each allowed to use only the ones below it (docs/architecture.md, "Layers"):
/// a type that reaches up — in a signature, a field, or anywhere in a method body — fails this test, naming the type and
/// what it reached. Abstractions depends on nothing of ours; the comparison is a package above the engine.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>The engine's layers, bottom first; a layer of several namespaces lists siblings that must not use each other.</summary>
    public static readonly string[][] Layers =
    [
        ["Generative"],           // the root: process-wide memory policy, small tensor helpers (and the Abstractions' types)
        ["Generative.Nn", "Generative.Tabular"], // network building blocks | typed tables, schemas, reversible column transforms
        ["Generative.Data"],      // data sources, batches, standardisation, built-in data sets
        ["Generative.Checkpoints"], // the safetensors format and config.json
        ["Generative.Training", "Generative.Sampling"], // the trainer, its options, callbacks, EMA | the base of trained models
        ["Generative.Diffusion", "Generative.Gan", "Generative.Flow"], // the model families, which never use each other
        ["Generative.DenoisingGan", "Generative.TabularSynthesis"], // the hybrid family: a diffusion process whose steps are conditional GANs (uses both) | tabular models built on the families (CTGAN-style GAN)
        ["Generative.Models"],    // what spans the families: loading any saved model by its family name
        ["Generative.Evaluation"], // metrics
        // Generative.Comparison is the layer above, in an assembly of its own that references this one: the project
        // references themselves forbid the engine to use it.
    ];

    public static TheoryData<string> Namespaces()
    {
        var data = new TheoryData<string>();
        foreach (string ns in Layers.SelectMany(layer => layer))
        {
            data.Add(ns);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Namespaces))]
    public void A_namespace_uses_nothing_above_it_nor_a_sibling(string ns)
    {
        int level = Array.FindIndex(Layers, layer => layer.Contains(ns));
        string[] forbidden = Layers.Skip(level + 1).SelectMany(layer => layer)
            .Concat(Layers[level].Where(sibling => sibling != ns))
            .ToArray();

        TestResult result = EngineTypes()
            .That().ResideInNamespaceMatching(NamespacePattern(ns))
            .ShouldNot().HaveDependencyOnAny(forbidden)
            .GetResult();

        result.IsSuccessful.Should().BeTrue(
            "{0} may only use the layers below it, but these of its types use one of [{1}]: {2}",
            ns, string.Join(", ", forbidden), string.Join(", ", result.FailingTypes?.Select(t => t.FullName) ?? []));
    }

    [Fact]
    public void Every_engine_namespace_has_a_layer()
    {
        // A new namespace must be placed in a layer, or it would escape the rule above.
        string[] known = Layers.SelectMany(layer => layer).ToArray();
        string[] unplaced = typeof(DiffusionModel).Assembly.GetTypes()
            .Select(t => t.Namespace)
            .OfType<string>()
            .Where(n => n.StartsWith("Generative", StringComparison.Ordinal))
            .Distinct()
            .Where(n => !known.Any(layer => n == layer || n.StartsWith(layer + ".", StringComparison.Ordinal)))
            .ToArray();
        unplaced.Should().BeEmpty("every namespace of the engine belongs to one of the layers in {0}", nameof(Layers));
    }

    [Fact]
    public void The_rule_fails_where_a_dependency_exists()
    {
        // The rule is only worth something if it can fail: the trainer saves checkpoints, so "Training must not use
        // Checkpoints" has to fail.
        TestResult result = EngineTypes()
            .That().ResideInNamespaceMatching(NamespacePattern("Generative.Training"))
            .ShouldNot().HaveDependencyOnAny("Generative.Checkpoints")
            .GetResult();

        result.IsSuccessful.Should().BeFalse();
    }

    [Fact]
    public void Abstractions_reference_no_other_assembly_of_ours()
    {
        Assembly abstractions = typeof(ISampler).Assembly;
        abstractions.GetReferencedAssemblies()
            .Select(a => a.Name)
            .Where(name => name is not null && name.StartsWith("Generative", StringComparison.Ordinal))
            .Should().BeEmpty("Generative.Abstractions is the bottom of the stack");
    }

    private static Types EngineTypes() => Types.InAssembly(typeof(DiffusionModel).Assembly);

    private static string NamespacePattern(string ns) =>
        ns == "Generative" ? "^Generative$" : "^" + ns.Replace(".", "\\.", StringComparison.Ordinal) + "(\\..+)?$";
}
