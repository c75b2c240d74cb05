using Generative.TabularSynthesis;

namespace Generative.Compare;

/// <summary>
/// The options the table comparison fits a contender with, made from the data set (its split and its machine-learning
/// efficacy target): a keyed map from a synthesizer's registered name to a factory. A synthesizer without an entry is
/// fitted with its defaults (<c>options: null</c>). The built-in entry — <c>tabddpm</c> conditioned on the target as
/// TabDDPM conditions on a classification label — is added with <see cref="Add"/>, the way a third party's would be.
/// </summary>
internal sealed class TableContenderOptions
{
    private readonly Dictionary<string, Func<TableData, object?>> _factories = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The map the command uses: <c>tabddpm</c> gets <see cref="TabularDiffusionOptions.LabelColumn"/> = the
    /// target when the target is categorical or Boolean (its defaults otherwise).</summary>
    public static TableContenderOptions Default { get; } = CreateDefault();

    /// <summary>Registers (or replaces) the options factory of a contender.</summary>
    /// <param name="contender">The synthesizer's registered name.</param>
    /// <param name="factory">The options for a data set (null for the synthesizer's defaults).</param>
    /// <returns>This map.</returns>
    public TableContenderOptions Add(string contender, Func<TableData, object?> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(contender);
        ArgumentNullException.ThrowIfNull(factory);
        _factories[contender.Trim()] = factory;
        return this;
    }

    /// <summary>The options of a contender on a data set: its factory's, or null (its defaults).</summary>
    /// <param name="contender">The synthesizer's registered name.</param>
    /// <param name="data">The data set.</param>
    /// <returns>The options, or <see langword="null"/>.</returns>
    public object? For(string contender, TableData data) =>
        _factories.TryGetValue(contender.Trim(), out var factory) ? factory(data) : null;

    private static TableContenderOptions CreateDefault() => new TableContenderOptions()
        .Add(TabularDiffusion.RegisteredName, data => new TabularDiffusionOptions { LabelColumn = CategoricalTarget(data) });

    /// <summary>The target when it can be a class label (categorical or Boolean), otherwise null.</summary>
    private static string? CategoricalTarget(TableData data) =>
        data.Target is not null && data.Train.Find(data.Target) is { Kind: Tabular.ColumnKind.Categorical or Tabular.ColumnKind.Boolean } ? data.Target : null;
}
