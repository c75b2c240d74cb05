using System.Text.Json;
using System.Text.Json.Nodes;
using Generative.Checkpoints;
using Generative.Gan;
using Generative.Tabular;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.TabularSynthesis;

/// <summary>
/// A CTGAN-style conditional GAN for tables (Xu, Skoularidou, Cuesta-Infante &amp; Veeramachaneni 2019, "Modeling
/// Tabular Data using Conditional GAN", NeurIPS): numbers through mode-specific normalisation (<c>mode-specific</c>,
/// see <see cref="ColumnTransformRegistry"/>), a conditional vector over the discrete columns trained by sampling, a
/// residual generator with tanh and Gumbel-softmax outputs and a conditional cross-entropy, and a packed WGAN-GP critic.
/// </summary>
/// <remarks>
/// <para>Training (<see cref="Fit"/>): per step, training-by-sampling draws for each of <see cref="TabularGanOptions.BatchSize"/>
/// rows a discrete column uniformly, a category ∝ log(1 + count) and a real row holding it; the generator
/// (<see cref="MlpGenerator"/> with <see cref="MlpGeneratorOptions.Residual"/> and batch normalisation) maps [z, cond] to
/// a row; the critic (<see cref="MlpCritic"/>, LeakyReLU 0.2 and dropout 0.5, in a <see cref="PackedCritic"/> of
/// <see cref="TabularGanOptions.PackSize"/> rows) scores [row, cond]; the critic minimises the Wasserstein loss plus the
/// <see cref="GradientPenalty"/>, the generator −E[critic] plus the cross-entropy of the conditioned group. Every draw
/// comes from the generator passed in: the same seed gives the same model.</para>
/// <para>Sampling draws a condition as the data's frequencies (a discrete column uniformly, a category ∝ count), z, and
/// decodes the activated output; batch normalisation uses its running statistics, so each row is independent of the
/// others. Conditional sampling conditions the generator, with no rejection; see <see cref="Sample(int, TableCondition, Generator)"/>.</para>
/// <para>Thread-safety: immutable once fitted; sampling may run on several threads at once, each with its own generator.
/// Dispose it to free the generator network.</para>
/// </remarks>
public sealed class TabularGan : ITableSynthesizer, IDisposable
{
    /// <summary>The name saved models carry (<c>"synthesizer": "ctgan"</c>).</summary>
    public const string RegisteredName = "ctgan";

    /// <summary>The version of <c>synthesizer.json</c> this library writes and reads.</summary>
    public const int FormatVersion = 1;

    private const string FormatName = "generative-table-synthesizer";
    private const string ConfigFile = "synthesizer.json";
    private const string TransformerFile = "table.json";
    private const string WeightsFile = "generator.safetensors";
    private const int ChunkRows = 4_096;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly MlpGenerator _generator;
    private readonly ConditionalVector _conditions;
    private readonly TabularGanOutput _output;

    private TabularGan(TabularGanOptions options, TableTransformer transformer, ConditionalVector conditions, MlpGenerator generator)
    {
        Options = options;
        Transformer = transformer;
        _conditions = conditions;
        _generator = generator;
        _output = new TabularGanOutput(transformer.Layout);
        _generator.eval();
    }

    /// <inheritdoc />
    public string Name => RegisteredName;

    /// <inheritdoc />
    public TableSchema Schema => Transformer.Schema;

    /// <summary>The settings it was trained with.</summary>
    public TabularGanOptions Options { get; }

    /// <summary>The fitted transforms (numbers <c>mode-specific</c>, categories <c>one-hot</c>, dates <c>datetime</c>).</summary>
    public TableTransformer Transformer { get; }

    /// <summary>The conditional vector's width: the number of categories of the discrete columns (missing slots included).</summary>
    public int ConditionWidth => _conditions.Width;

    /// <summary>The transform options the model fits: <c>mode-specific</c> for continuous and integer columns, the
    /// defaults otherwise.</summary>
    /// <returns>New options.</returns>
    public static TableTransformOptions TransformOptions()
    {
        var options = new TableTransformOptions();
        options.ByKind[ColumnKind.Continuous] = ModeSpecificEncoder.Name;
        options.ByKind[ColumnKind.Integer] = ModeSpecificEncoder.Name;
        return options;
    }

    /// <summary>Trains the model on a table.</summary>
    /// <param name="table">The table (at least 2 rows).</param>
    /// <param name="options">The settings; <see langword="null"/> for the defaults. Validated first.</param>
    /// <param name="generator">The source of every random draw (initial weights, conditions, noise, dropout, penalty).</param>
    /// <returns>The trained model.</returns>
    /// <exception cref="ArgumentException">An option is out of range, or the table has fewer than 2 rows.</exception>
    /// <exception cref="GanDivergenceException">A loss became NaN or infinite.</exception>
    public static TabularGan Fit(Table table, TabularGanOptions? options, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(generator);
        options ??= new TabularGanOptions();
        options.Validate();
        if (table.RowCount < 2)
        {
            throw new ArgumentException($"The ctgan model needs at least 2 rows to train; the table has {table.RowCount}.", nameof(table));
        }

        var transformer = TableTransformer.Fit(table, TransformOptions());
        var matrix = transformer.Transform(table);
        var conditions = ConditionalVector.FromData(transformer.Layout, matrix.Values, matrix.Rows, options.LogFrequency);
        var network = BuildGenerator(options, transformer.Layout.Width, conditions.Width, generator);
        try
        {
            TabularGanTraining.Train(network, matrix, conditions, new TabularGanOutput(transformer.Layout), options, generator);
        }
        catch
        {
            network.Dispose();
            throw;
        }

        return new TabularGan(options, transformer, conditions, network);
    }

    /// <inheritdoc />
    public Table Sample(int count, Generator generator) => Sample(count, TableCondition.None, generator);

    /// <summary>Draws rows that all satisfy a condition, by conditioning the generator (no rejection; exactly
    /// <paramref name="count"/> rows).</summary>
    /// <remarks>
    /// Categorical and Boolean conditions: the column whose allowed categories are rarest goes through the conditional
    /// vector (CTGAN conditions on one column), a category per row drawn ∝ its frequency among the allowed ones; every
    /// conditioned column's output group is then set to an allowed category (for the other columns, the allowed one the
    /// generator ranks highest in that row). Numeric ranges: the mode is the allowed mode (its ±4σ span overlaps the range)
    /// the generator ranks highest, and α is mapped from [−1, 1] onto the mode's part of the range. Date ranges are not
    /// supported (<see cref="NotSupportedException"/>).
    /// </remarks>
    /// <param name="count">How many (0 or more).</param>
    /// <param name="condition">What every row must satisfy; validated against <see cref="Schema"/> first.</param>
    /// <param name="generator">The source of randomness: the same seed gives the same rows.</param>
    /// <returns>Exactly <paramref name="count"/> rows, each satisfying <paramref name="condition"/>.</returns>
    /// <exception cref="ArgumentException">The condition names an unknown column or an impossible value.</exception>
    /// <exception cref="NotSupportedException">The condition is a date range.</exception>
    public Table Sample(int count, TableCondition condition, Generator generator)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(generator);
        condition.Validate(Schema);
        var plan = condition.IsEmpty ? null : new GanConditionPlan(condition, Transformer, _conditions);
        int width = Transformer.Layout.Width;
        var values = new double[(long)count * width];
        using (no_grad())
        {
            for (int start = 0; start < count; start += ChunkRows)
            {
                int rows = Math.Min(ChunkRows, count - start);
                using var scope = NewDisposeScope();
                var (groups, slots) = plan is { HasPrimary: true } ? plan.DrawPrimary(rows, generator) : _conditions.SampleForGeneration(rows, generator);
                var cond = _conditions.ToTensor(groups, slots);
                var z = randn([rows, Options.LatentDimension], generator: generator);
                var raw = _generator.Generate(cat([z, cond], 1));
                var activated = _output.Activate(raw, Options.GumbelTemperature, generator).to(float64).contiguous();
                var chunk = activated.data<double>().ToArray();
                plan?.Apply(chunk, rows, width, plan.HasPrimary ? slots : null);
                chunk.CopyTo(values.AsSpan(start * width));
            }
        }

        var table = Transformer.Inverse(values, count);
        return plan is null ? table : plan.ClampRanges(table);
    }

    /// <summary>Saves the model into a folder, atomically: <c>synthesizer.json</c> (<c>{"format":
    /// "generative-table-synthesizer", "version": 1, "synthesizer": "ctgan", "options": {…}, "categoryCounts": […]}</c>),
    /// <c>table.json</c> (the transformer and schema) and <c>generator.safetensors</c> (the generator's weights and batch
    /// normalisation statistics).</summary>
    /// <param name="directory">The folder (created or replaced).</param>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        AtomicDirectory.Write(directory, temp =>
        {
            var config = new JsonObject
            {
                ["format"] = FormatName,
                ["version"] = FormatVersion,
                ["synthesizer"] = RegisteredName,
                ["options"] = Options.ToJson(),
                ["categoryCounts"] = new JsonArray([.. _conditions.Counts.Select(c => (JsonNode?)Json.Array(c))]),
            };
            File.WriteAllText(Path.Combine(temp, ConfigFile), config.ToJsonString(Indented));
            Transformer.Save(Path.Combine(temp, TransformerFile));
            using var scope = NewDisposeScope();
            SafeTensors.Save(Path.Combine(temp, WeightsFile), _generator.state_dict(), new Dictionary<string, string> { ["synthesizer"] = RegisteredName });
        });
    }

    /// <summary>Loads a saved model and validates it: the format, version and name, every option, the transformer, the
    /// category counts against the transformer's layout, and every tensor's name and shape against the generator the
    /// options describe.</summary>
    /// <param name="directory">The folder <see cref="Save"/> wrote.</param>
    /// <returns>The model.</returns>
    /// <exception cref="InvalidDataException">A file is missing or invalid (the message names the file, the key and the value).</exception>
    public static TabularGan Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string folder = AtomicDirectory.Resolve(directory, ConfigFile)
            ?? throw new InvalidDataException($"{Path.Combine(directory, ConfigFile)} does not exist; a saved ctgan model is a folder with {ConfigFile}, {TransformerFile} and {WeightsFile}.");
        string configPath = Path.Combine(folder, ConfigFile);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(configPath));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{configPath} is not valid JSON: {e.Message}", e);
        }

        if (node is not JsonObject root)
        {
            throw new InvalidDataException($"{configPath}: expected a JSON object; found {Json.Describe(node)}.");
        }

        string format = Json.String(root, "format", configPath);
        if (format != FormatName)
        {
            throw new InvalidDataException($"{configPath}: 'format' is '{format}'; a saved table synthesizer has '{FormatName}'.");
        }

        int version = Json.Int(root, "version", configPath);
        if (version is < 1 or > FormatVersion)
        {
            throw new InvalidDataException($"{configPath}: 'version' is {version}; this library reads 1 to {FormatVersion}.");
        }

        string name = Json.String(root, "synthesizer", configPath);
        if (name != RegisteredName)
        {
            throw new InvalidDataException($"{configPath}: 'synthesizer' is '{name}'; this loader reads '{RegisteredName}'.");
        }

        var options = TabularGanOptions.FromJson(root["options"] as JsonObject ?? throw new InvalidDataException($"{configPath}: 'options' must be an object; found {Json.Describe(root["options"])}."), configPath + " (options)");
        var transformer = TableTransformer.Load(Path.Combine(folder, TransformerFile));
        for (int i = 0; i < transformer.Schema.Columns.Count; i++)
        {
            if (transformer.Schema.Columns[i].Kind is ColumnKind.Continuous or ColumnKind.Integer && transformer.Encoders[i] is not ModeSpecificEncoder)
            {
                throw new InvalidDataException($"{Path.Combine(folder, TransformerFile)}: column '{transformer.Schema.Columns[i].Name}' uses '{transformer.TransformNames[i]}'; a ctgan model encodes numbers with '{ModeSpecificEncoder.Name}'.");
            }
        }

        if (root["categoryCounts"] is not JsonArray countsArray)
        {
            throw new InvalidDataException($"{configPath}: 'categoryCounts' must be an array of arrays of counts; found {Json.Describe(root["categoryCounts"])}.");
        }

        var counts = countsArray.Select((c, i) => Json.Doubles(new JsonObject { ["counts"] = c?.DeepClone() }, "counts", $"{configPath}: categoryCounts[{i}]")).ToArray();
        var conditions = ConditionalVector.FromCounts(transformer.Layout, counts, options.LogFrequency, configPath);
        var network = BuildGenerator(options, transformer.Layout.Width, conditions.Width, null);
        try
        {
            LoadWeights(network, Path.Combine(folder, WeightsFile));
        }
        catch
        {
            network.Dispose();
            throw;
        }

        return new TabularGan(options, transformer, conditions, network);
    }

    /// <summary>Frees the generator network.</summary>
    public void Dispose() => _generator.Dispose();

    private static MlpGenerator BuildGenerator(TabularGanOptions options, int width, int conditionWidth, Generator? generator) =>
        new(
            new MlpGeneratorOptions
            {
                SampleShape = new TensorShape(width),
                LatentDimension = options.LatentDimension + conditionWidth,
                HiddenWidth = options.GeneratorWidth,
                HiddenLayers = options.GeneratorLayers,
                BatchNormalization = true,
                Residual = true,
            },
            generator);

    private static void LoadWeights(MlpGenerator network, string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path} does not exist; a saved ctgan model holds the generator's weights there.");
        }

        using var content = SafeTensors.Load(path);
        var expected = network.state_dict();
        string? missing = expected.Keys.FirstOrDefault(k => !content.Tensors.ContainsKey(k));
        if (missing is not null)
        {
            throw new InvalidDataException($"{path}: tensor '{missing}' is missing; the generator has {string.Join(", ", expected.Keys)}.");
        }

        string? extra = content.Tensors.Keys.FirstOrDefault(k => !expected.ContainsKey(k));
        if (extra is not null)
        {
            throw new InvalidDataException($"{path}: tensor '{extra}' is not one of the generator's ({string.Join(", ", expected.Keys)}).");
        }

        using var noGrad = no_grad();
        foreach (var (key, target) in expected)
        {
            var source = content.Tensors[key];
            if (!source.shape.SequenceEqual(target.shape) || source.dtype != target.dtype)
            {
                throw new InvalidDataException($"{path}: tensor '{key}' is {source.dtype} [{string.Join(", ", source.shape)}]; the generator's options need {target.dtype} [{string.Join(", ", target.shape)}].");
            }

            target.copy_(source);
        }
    }
}
