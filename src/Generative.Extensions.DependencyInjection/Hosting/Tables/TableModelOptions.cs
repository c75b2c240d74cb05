using Microsoft.Extensions.Configuration;

namespace Generative.Hosting;

/// <summary>
/// Where a registered tabular model (an <see cref="Generative.Tabular.ITableSynthesizer"/>) comes from and its limits.
/// One instance per model, as named options (the name is the model's name), validated when the host starts.
/// </summary>
/// <remarks>Bound from configuration by
/// <see cref="Microsoft.Extensions.DependencyInjection.GenerativeBuilder.AddTableModelsFromConfiguration"/>, one section
/// per model; the keys are <c>Path</c>, <c>MaxCount</c> and <c>LoadOnStart</c>. Unknown keys are errors.</remarks>
public sealed class TableModelOptions
{
    /// <summary>The default of <see cref="MaxCount"/>.</summary>
    public const int DefaultMaxCount = 10_000;

    /// <summary>
    /// The folder the model was saved in (<c>synthesizer.json</c> and the model's files, as written by
    /// <see cref="Generative.Tabular.ITableSynthesizer.Save"/>). A relative path is resolved against the host's content
    /// root (the current directory without a host). Configuration key: <c>Path</c>. Ignored for models created from code.
    /// </summary>
    [ConfigurationKeyName("Path")]
    public string? Directory { get; set; }

    /// <summary>The most rows one request may ask for, at least 1.</summary>
    /// <value>The default value is <see cref="DefaultMaxCount"/>.</value>
    public int MaxCount { get; set; } = DefaultMaxCount;

    /// <summary>Whether the host loads the model when it starts (so that a broken folder stops the host at once) rather
    /// than on first use.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool LoadOnStart { get; set; } = true;
}
