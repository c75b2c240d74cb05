namespace Generative.Tabular;

/// <summary>
/// Column transforms by name (case-insensitive), as a <see cref="TableTransformer"/> chooses them per column kind
/// (<see cref="TableTransformOptions"/>) and as its saved JSON names them. <see cref="Default"/> holds the built-ins,
/// registered through <see cref="Registry{TEntry}.Add"/> like anyone else's:
/// <list type="bullet">
/// <item><c>quantile-normal</c> (continuous, integer): mid-rank empirical CDF, piecewise linear, then Φ⁻¹; decoded
/// within the observed bounds and rounded to the data's decimals (integers to whole numbers);</item>
/// <item><c>mode-specific</c> (continuous, integer): CTGAN's mode-specific normalisation — a Gaussian mixture of at
/// most 10 modes per column (EM, number of modes by BIC, modes lighter than 0.005 dropped); a value becomes its most
/// responsible mode (a one-hot group of role <see cref="BlockRole.Mode"/>) and α = (x − μ_k) / (4σ_k) (a Gaussian
/// block), decoded within the observed bounds and rounded to the data's decimals;</item>
/// <item><c>one-hot</c> (categorical, Boolean): one slot per category, none merged however rare;</item>
/// <item><c>datetime</c> and <c>datetime-cyclic</c> (date-time): the time since the earliest value in the data's unit
/// (day, second or tick) as <c>quantile-normal</c>; the second adds sine/cosine features of the day of the week and of the
/// year (and of the day, for times);</item>
/// <item><c>id</c> (id): not learned; decoding generates unique keys of the observed form.</item>
/// </list>
/// Every nullable column also gets a way to be missing: a <c>missing</c> slot in its one-hot group, or a
/// <c>present</c>/<c>missing</c> group of its own (numbers, dates), so that missing values are learned and generated.
/// </summary>
/// <remarks>Thread-safety: as <see cref="Registry{TEntry}"/>.</remarks>
public sealed class ColumnTransformRegistry : Registry<ColumnTransform>
{
    /// <summary>Creates a registry.</summary>
    /// <param name="parent">A registry whose transforms this one also offers (typically <see cref="Default"/>);
    /// <see langword="null"/> for an empty registry.</param>
    public ColumnTransformRegistry(ColumnTransformRegistry? parent = null)
        : base(parent)
    {
    }

    /// <summary>The process-wide registry, holding the built-in transforms.</summary>
    public static ColumnTransformRegistry Default { get; } = CreateDefault();

    /// <inheritdoc />
    protected override string Kind => "column transform";

    /// <inheritdoc />
    protected override string HowToRegister =>
        "Register one with ColumnTransformRegistry.Default.Add(name, new ColumnTransform(kinds, fit, load)).";

    private static ColumnTransformRegistry CreateDefault()
    {
        var registry = new ColumnTransformRegistry();
        registry.Add(QuantileNormalEncoder.Name, new ColumnTransform([ColumnKind.Continuous, ColumnKind.Integer], QuantileNormalEncoder.Fit, QuantileNormalEncoder.Load));
        registry.Add(ModeSpecificEncoder.Name, new ColumnTransform([ColumnKind.Continuous, ColumnKind.Integer], ModeSpecificEncoder.Fit, ModeSpecificEncoder.Load));
        registry.Add(OneHotEncoder.Name, new ColumnTransform([ColumnKind.Categorical, ColumnKind.Boolean], OneHotEncoder.Fit, OneHotEncoder.Load));
        registry.Add(DateTimeEncoder.Name, new ColumnTransform([ColumnKind.DateTime], (c, s) => DateTimeEncoder.Fit(c, s, cyclic: false), DateTimeEncoder.Load));
        registry.Add(DateTimeEncoder.CyclicName, new ColumnTransform([ColumnKind.DateTime], (c, s) => DateTimeEncoder.Fit(c, s, cyclic: true), DateTimeEncoder.Load));
        registry.Add(IdEncoder.Name, new ColumnTransform([ColumnKind.Id], IdEncoder.Fit, IdEncoder.Load));
        return registry;
    }
}
