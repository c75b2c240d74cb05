using TorchSharp;

namespace Generative.Tabular;

/// <summary>
/// One kind of tabular synthesizer, the entry of a <see cref="TableSynthesizerRegistry"/>: how to fit it to a table
/// (with its options, if it takes any) and how to load a saved one from its folder. Immutable.
/// </summary>
public sealed class TableSynthesizerType
{
    private readonly Func<Table, object?, torch.Generator, ITableSynthesizer> _fit;

    private TableSynthesizerType(Type? optionsType, Func<Table, object?, torch.Generator, ITableSynthesizer> fit, Func<string, ITableSynthesizer> load)
    {
        ArgumentNullException.ThrowIfNull(load);
        OptionsType = optionsType;
        _fit = fit;
        Load = load;
    }

    /// <summary>Describes a synthesizer that takes no options.</summary>
    /// <param name="fit">Fits it to a table, drawing from the generator.</param>
    /// <param name="load">Loads a saved one from its folder (which holds a validated <c>synthesizer.json</c> naming it).</param>
    public TableSynthesizerType(Func<Table, torch.Generator, ITableSynthesizer> fit, Func<string, ITableSynthesizer> load)
        : this(null, Adapt(fit), load)
    {
    }

    /// <summary>The type of the options <see cref="Fit"/> takes; <see langword="null"/> if it takes none.</summary>
    public Type? OptionsType { get; }

    /// <summary>Loads a saved synthesizer from its folder.</summary>
    public Func<string, ITableSynthesizer> Load { get; }

    /// <summary>Describes a synthesizer that takes options of type <typeparamref name="TOptions"/> (its defaults when
    /// <see langword="null"/>).</summary>
    /// <typeparam name="TOptions">The options' type.</typeparam>
    /// <param name="fit">Fits it to a table with the options (or <see langword="null"/>), drawing from the generator.</param>
    /// <param name="load">Loads a saved one from its folder.</param>
    /// <returns>The entry.</returns>
    public static TableSynthesizerType WithOptions<TOptions>(Func<Table, TOptions?, torch.Generator, ITableSynthesizer> fit, Func<string, ITableSynthesizer> load)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(fit);
        return new(typeof(TOptions), (table, options, generator) => fit(table, (TOptions?)options, generator), load);
    }

    /// <summary>Fits a synthesizer of this kind.</summary>
    /// <param name="table">The table to learn.</param>
    /// <param name="options">Options of type <see cref="OptionsType"/>, or <see langword="null"/> for the defaults.</param>
    /// <param name="generator">The source of randomness.</param>
    /// <returns>The fitted synthesizer.</returns>
    /// <exception cref="ArgumentException">The options are of another type (or given to a synthesizer that takes none).</exception>
    public ITableSynthesizer Fit(Table table, object? options, torch.Generator generator)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(generator);
        if (options is not null && (OptionsType is null || !OptionsType.IsInstanceOfType(options)))
        {
            throw new ArgumentException(
                OptionsType is null
                    ? $"This synthesizer takes no options, but {options.GetType().Name} was given; pass null."
                    : $"This synthesizer takes options of type {OptionsType.Name}, but {options.GetType().Name} was given.",
                nameof(options));
        }

        return _fit(table, options, generator);
    }

    private static Func<Table, object?, torch.Generator, ITableSynthesizer> Adapt(Func<Table, torch.Generator, ITableSynthesizer> fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        return (table, _, generator) => fit(table, generator);
    }
}
