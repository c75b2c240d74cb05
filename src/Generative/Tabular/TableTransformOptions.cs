namespace Generative.Tabular;

/// <summary>Which <see cref="ColumnTransform"/> a <see cref="TableTransformer"/> fits to each column.</summary>
public sealed class TableTransformOptions
{
    /// <summary>The transform for each column kind, by registry name. Defaults: continuous and integer
    /// <c>quantile-normal</c>, categorical and Boolean <c>one-hot</c>, date-time <c>datetime</c>, id <c>id</c>.</summary>
    public IDictionary<ColumnKind, string> ByKind { get; } = new Dictionary<ColumnKind, string>
    {
        [ColumnKind.Continuous] = "quantile-normal",
        [ColumnKind.Integer] = "quantile-normal",
        [ColumnKind.Categorical] = "one-hot",
        [ColumnKind.Boolean] = "one-hot",
        [ColumnKind.DateTime] = "datetime",
        [ColumnKind.Id] = "id",
    };

    /// <summary>Transforms for single columns, by column name, overriding <see cref="ByKind"/>.</summary>
    public IDictionary<string, string> ByColumn { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Where the names are looked up. Default <see cref="ColumnTransformRegistry.Default"/>.</summary>
    public ColumnTransformRegistry Registry { get; set; } = ColumnTransformRegistry.Default;
}
