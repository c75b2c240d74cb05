using Generative.Tabular;
using TorchSharp;

namespace Generative.TabularSynthesis;

/// <summary>
/// Tabular synthesizers by name (case-insensitive): how to fit one and how to load a saved one. <see cref="Default"/>
/// holds the built-in <c>copula</c> (<see cref="GaussianCopula"/>), registered through
/// <see cref="Registry{TEntry}.Add"/> like anyone else's:
/// <code>
/// TableSynthesizerRegistry.Default.Add("my-model", TableSynthesizerType.WithOptions&lt;MyOptions&gt;(MyModel.Fit, MyModel.Load));
/// ITableSynthesizer model = TableSynthesizerRegistry.Default.Fit("my-model", table, options: null, generator);
/// model.Save("models/orders");
/// ITableSynthesizer again = TableSynthesizerRegistry.Default.Load("models/orders");
/// </code>
/// </summary>
/// <remarks>
/// <see cref="Load"/> reads <c>synthesizer.json</c> (<see cref="TableSynthesizerFile"/>), validates its format and
/// version and hands the folder to the loader registered under its <c>"synthesizer"</c> name; a folder saved with
/// rules (<see cref="ConstrainedSynthesizer"/>) comes back with them. Thread-safety: as <see cref="Registry{TEntry}"/>.
/// </remarks>
public sealed class TableSynthesizerRegistry : Registry<TableSynthesizerType>
{
    /// <summary>Creates a registry.</summary>
    /// <param name="parent">A registry whose synthesizers this one also offers (typically <see cref="Default"/>);
    /// <see langword="null"/> for an empty registry.</param>
    public TableSynthesizerRegistry(TableSynthesizerRegistry? parent = null)
        : base(parent)
    {
    }

    /// <summary>The process-wide registry, holding the built-in synthesizers.</summary>
    public static TableSynthesizerRegistry Default { get; } = CreateDefault();

    /// <inheritdoc />
    protected override string Kind => "tabular synthesizer";

    /// <inheritdoc />
    protected override string HowToRegister =>
        "Register one with TableSynthesizerRegistry.Default.Add(name, new TableSynthesizerType(fit, load)).";

    /// <summary>Fits the synthesizer registered under a name.</summary>
    /// <param name="name">The registered name (case-insensitive).</param>
    /// <param name="table">The table to learn.</param>
    /// <param name="options">The synthesizer's options, or <see langword="null"/> for its defaults.</param>
    /// <param name="generator">The source of randomness.</param>
    /// <returns>The fitted synthesizer.</returns>
    /// <exception cref="KeyNotFoundException">No synthesizer is registered under the name (the message lists those that are).</exception>
    /// <exception cref="ArgumentException">The options are of another type than the synthesizer takes.</exception>
    public ITableSynthesizer Fit(string name, Table table, object? options, torch.Generator generator) =>
        Get(name).Fit(table, options, generator);

    /// <summary>Fits the synthesizer registered under a name with rules that every sampled row satisfies
    /// (<see cref="ConstrainedSynthesizer"/>): the rules transform the table before the model learns it and its samples
    /// back, and are saved with it.</summary>
    /// <param name="name">The registered name (case-insensitive).</param>
    /// <param name="table">The table to learn; every row must satisfy the rules.</param>
    /// <param name="rules">The rules.</param>
    /// <param name="options">The synthesizer's options, or <see langword="null"/> for its defaults.</param>
    /// <param name="generator">The source of randomness.</param>
    /// <returns>The fitted synthesizer with its rules.</returns>
    /// <exception cref="KeyNotFoundException">No synthesizer is registered under the name.</exception>
    /// <exception cref="ArgumentException">A row of the table breaks a rule (the message names it), or a rule does not
    /// fit the table's columns.</exception>
    public ConstrainedSynthesizer Fit(string name, Table table, TableRules rules, object? options, torch.Generator generator)
    {
        var type = Get(name);
        return ConstrainedSynthesizer.Fit(table, rules, (transformed, g) => type.Fit(transformed, options, g), generator);
    }

    /// <summary>Loads a saved synthesizer, dispatching on the name in its <c>synthesizer.json</c>.</summary>
    /// <param name="directory">The folder it was saved in.</param>
    /// <returns>The synthesizer (with its rules, if it was saved with some).</returns>
    /// <exception cref="FileNotFoundException">The folder has no <c>synthesizer.json</c>.</exception>
    /// <exception cref="InvalidDataException">The header or a file is not valid, or names a synthesizer that is not
    /// registered (the message names the file, the key, the value and the registered names).</exception>
    public ITableSynthesizer Load(string directory)
    {
        var header = TableSynthesizerFile.ReadHeader(directory);
        string name = Json.String(header, "synthesizer", Path.Combine(directory, TableSynthesizerFile.FileName));
        if (!TryGet(name, out var type))
        {
            throw new InvalidDataException($"{Path.Combine(directory, TableSynthesizerFile.FileName)}: 'synthesizer' is '{name}'. {UnknownKeyMessage(name)}");
        }

        var model = type.Load(directory);
        return header[ConstrainedSynthesizer.HeaderKey] is null ? model : ConstrainedSynthesizer.Load(directory, model);
    }

    private static TableSynthesizerRegistry CreateDefault()
    {
        var registry = new TableSynthesizerRegistry();
        registry.Add(GaussianCopula.RegisteredName, new TableSynthesizerType(GaussianCopula.Fit, GaussianCopula.Load));
        registry.Add(TabularDiffusion.RegisteredName, TableSynthesizerType.WithOptions<TabularDiffusionOptions>((table, options, generator) => TabularDiffusion.Fit(table, options ?? new TabularDiffusionOptions(), generator), TabularDiffusion.Load));
        registry.Add(TabularGan.RegisteredName, TableSynthesizerType.WithOptions<TabularGanOptions>(TabularGan.Fit, TabularGan.Load));
        registry.Add(TabularFlow.RegisteredName, TableSynthesizerType.WithOptions<TabularFlowOptions>(TabularFlow.Fit, TabularFlow.Load));
        return registry;
    }
}
