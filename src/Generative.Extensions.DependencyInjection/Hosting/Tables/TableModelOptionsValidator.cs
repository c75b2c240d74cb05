using Generative.Tabular;
using Microsoft.Extensions.Options;

namespace Generative.Hosting;

/// <summary>Validates each registered tabular model's <see cref="TableModelOptions"/> (at host start by
/// <c>ValidateOnStart</c>, and on every first read): the folder exists and holds <c>synthesizer.json</c>, the limit is
/// at least 1. Every failure names the model and the key.</summary>
internal sealed class TableModelOptionsValidator : IValidateOptions<TableModelOptions>
{
    private readonly TableModelCatalog _catalog;

    public TableModelOptionsValidator(TableModelCatalog catalog) => _catalog = catalog;

    public ValidateOptionsResult Validate(string? name, TableModelOptions options)
    {
        if (name is null || !_catalog.TryFind(name, out var registration))
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        void Fail(string key, string problem) =>
            failures.Add($"Tabular model '{registration.Name}': '{registration.KeyOf(key)}' {problem}");

        if (registration.Factory is null)
        {
            string key = registration.ConfigurationPath is null ? nameof(options.Directory) : "Path";
            if (string.IsNullOrWhiteSpace(options.Directory))
            {
                Fail(key, $"is missing; set it to the folder the model was saved in ({TableSynthesizerFile.FileName} and the model's files).");
            }
            else if (!System.IO.Directory.Exists(options.Directory))
            {
                Fail(key, $"names the folder '{options.Directory}', which does not exist.");
            }
            else if (!File.Exists(Path.Combine(options.Directory, TableSynthesizerFile.FileName)))
            {
                Fail(key, $"names the folder '{options.Directory}', which holds no {TableSynthesizerFile.FileName} (save a tabular model there with ITableSynthesizer.Save).");
            }
        }

        if (options.MaxCount < 1)
        {
            Fail(nameof(options.MaxCount), $"must be at least 1, but is {options.MaxCount}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
