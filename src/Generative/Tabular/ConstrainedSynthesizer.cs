using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;

namespace Generative.Tabular;

/// <summary>
/// A synthesizer with <see cref="TableRules"/> that hold in every sampled row: any registered model learns the table as
/// the rules transform it, and its samples are transformed back (see <see cref="TableRules"/>). Conditions are mapped
/// through the rules: a category condition on columns of an allowed combination becomes one on the combinations; a
/// condition on the high side of an order is refused; others pass unchanged.
/// </summary>
/// <remarks>
/// Saved as the model's own folder plus <c>rules.json</c> (the rules, fitted, and the original schema), named by
/// <c>"rules": "rules.json"</c> in <c>synthesizer.json</c>; <see cref="TableSynthesizerRegistry.Load"/> loads the model
/// by its name and wraps it again. Thread-safety: as the model's.
/// </remarks>
public sealed class ConstrainedSynthesizer : ITableSynthesizer
{
    internal const string HeaderKey = "rules";
    private const string RulesFile = "rules.json";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private ConstrainedSynthesizer(ITableSynthesizer model, TableRules rules, TableSchema schema)
    {
        Model = model;
        Rules = rules;
        Schema = schema;
    }

    /// <summary>The model, which learned the transformed table (its <see cref="ITableSynthesizer.Schema"/> is that table's).</summary>
    public ITableSynthesizer Model { get; }

    /// <summary>The rules, as fitted to the table (with the combinations seen, the data's decimals).</summary>
    public TableRules Rules { get; }

    /// <summary>The model's registered name: rules are a layer over a model, not a model of their own.</summary>
    public string Name => Model.Name;

    /// <summary>The schema of the original table; sampled tables have its columns.</summary>
    public TableSchema Schema { get; }

    /// <summary>Checks the rules against a table, transforms it, and fits a model to the result.</summary>
    /// <param name="table">The table; every row must satisfy the rules.</param>
    /// <param name="rules">The rules.</param>
    /// <param name="fit">Fits the model to the transformed table (for a registered one, see
    /// <see cref="TableSynthesizerRegistry.Fit(string, Table, TableRules, object?, torch.Generator)"/>).</param>
    /// <param name="generator">The source of randomness, handed to <paramref name="fit"/>.</param>
    /// <returns>The model with its rules.</returns>
    /// <exception cref="ArgumentException">A rule names a missing column or one of another kind, or a row breaks a rule
    /// (the message names the row and the values).</exception>
    public static ConstrainedSynthesizer Fit(Table table, TableRules rules, Func<Table, torch.Generator, ITableSynthesizer> fit, torch.Generator generator)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(generator);
        var fitted = rules.Fit(table);
        return new ConstrainedSynthesizer(fit(fitted.Forward(table), generator), fitted, table.Schema);
    }

    /// <summary>Draws rows; every rule holds in each.</summary>
    /// <param name="count">How many (0 or more).</param>
    /// <param name="generator">The source of randomness.</param>
    /// <returns>A table of <paramref name="count"/> rows with the original columns.</returns>
    public Table Sample(int count, torch.Generator generator) => Sample(count, TableCondition.None, generator);

    /// <summary>Draws rows that satisfy a condition and every rule, by conditioning the model on the condition mapped
    /// through the rules.</summary>
    /// <param name="count">How many (0 or more).</param>
    /// <param name="condition">The condition, on the original columns; validated against <see cref="Schema"/> first.</param>
    /// <param name="generator">The source of randomness.</param>
    /// <returns>A table of <paramref name="count"/> rows.</returns>
    /// <exception cref="ArgumentException">The condition is invalid, or cannot be mapped through the rules (a condition
    /// on the high side of an order; categories no allowed combination has).</exception>
    public Table Sample(int count, TableCondition condition, torch.Generator generator)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(generator);
        condition.Validate(Schema);
        var mapped = Rules.Map(condition, Model.Schema);
        var table = Rules.Reverse(mapped.IsEmpty ? Model.Sample(count, generator) : Model.Sample(count, mapped, generator), Schema);
        bool[] rules = Rules.Matches(table), asked = condition.Matches(table);
        int failing = Enumerable.Range(0, table.RowCount).FirstOrDefault(r => !rules[r] || !asked[r], -1);
        return failing < 0
            ? table
            : throw new InvalidOperationException(
                $"Row {failing + 1} of the sample breaks {(rules[failing] ? condition.ToString() : Rules.ToString())} after the rules' reverse transform: the model generated a value the rules cannot repair (a low side above the high side's range).");
    }

    /// <summary>Saves the model and its rules into a folder, atomically: the model's files, <c>rules.json</c>, and
    /// <c>"rules": "rules.json"</c> added to its <c>synthesizer.json</c>.</summary>
    /// <param name="directory">The folder (created, or replaced).</param>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        AtomicFolder.Write(directory, folder =>
        {
            Model.Save(folder);
            var header = TableSynthesizerFile.ReadHeader(folder);
            header[HeaderKey] = RulesFile;
            File.WriteAllText(Path.Combine(folder, RulesFile), Rules.ToJson(Schema).ToJsonString(Indented));
            File.WriteAllText(Path.Combine(folder, TableSynthesizerFile.FileName), header.ToJsonString(Indented));
        });
    }

    /// <summary>Wraps a loaded model with the rules saved next to it.</summary>
    internal static ConstrainedSynthesizer Load(string directory, ITableSynthesizer model)
    {
        string path = Path.Combine(directory, RulesFile);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }

        var (rules, schema) = TableRules.FromJson(node, path);
        return new ConstrainedSynthesizer(model, rules, schema);
    }
}
