using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Data;

/// <summary>
/// Per-feature standardisation <c>z = (x − mean) / std</c> of tabular data, kept with a model so that generated samples
/// can be returned in original units.
/// </summary>
/// <remarks>
/// <para>Features are along dimension 1 of a batch <c>[N, F]</c> (or the only dimension of one sample <c>[F]</c>).</para>
/// <para>Immutable; safe to share between threads. The tensors it returns are new and belong to the caller.</para>
/// </remarks>
public sealed class DataStandardization
{
    private readonly double[] _mean;
    private readonly double[] _std;

    /// <summary>Creates a standardisation from known statistics.</summary>
    /// <param name="mean">The mean of each feature; finite.</param>
    /// <param name="std">The standard deviation of each feature; finite and &gt; 0. Same length as <paramref name="mean"/>.</param>
    /// <param name="featureNames">Optional feature names, one per feature.</param>
    /// <exception cref="ArgumentException">The arrays are empty, of different lengths, or hold a non-finite mean or a non-positive std.</exception>
    public DataStandardization(IReadOnlyList<double> mean, IReadOnlyList<double> std, IReadOnlyList<string>? featureNames = null)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count == 0)
        {
            throw new ArgumentException("At least one feature is needed.", nameof(mean));
        }

        if (std.Count != mean.Count)
        {
            throw new ArgumentException($"The std has {std.Count} features but the mean has {mean.Count}.", nameof(std));
        }

        if (featureNames is not null && featureNames.Count != mean.Count)
        {
            throw new ArgumentException($"{featureNames.Count} feature names are given for {mean.Count} features.", nameof(featureNames));
        }

        for (int i = 0; i < mean.Count; i++)
        {
            if (!double.IsFinite(mean[i]))
            {
                throw new ArgumentException($"The mean of feature {i} is {mean[i]}; it must be finite.", nameof(mean));
            }

            if (!double.IsFinite(std[i]) || std[i] <= 0)
            {
                throw new ArgumentException($"The std of feature {i} is {std[i]}; it must be finite and greater than 0.", nameof(std));
            }
        }

        _mean = [.. mean];
        _std = [.. std];
        FeatureNames = featureNames is null ? null : [.. featureNames];
    }

    /// <summary>The mean of each feature.</summary>
    public IReadOnlyList<double> Mean => _mean;

    /// <summary>The standard deviation of each feature.</summary>
    public IReadOnlyList<double> Std => _std;

    /// <summary>The feature names, or <see langword="null"/>.</summary>
    public IReadOnlyList<string>? FeatureNames { get; }

    /// <summary>The number of features.</summary>
    public int FeatureCount => _mean.Length;

    /// <summary>
    /// Computes the statistics of <paramref name="data"/> <c>[N, F]</c> (population std, in float64). A constant feature
    /// (std 0) gets std 1, so that it maps to 0 rather than dividing by zero.
    /// </summary>
    /// <param name="data">The data, <c>[N, F]</c> with N ≥ 1, finite.</param>
    /// <param name="featureNames">Optional feature names.</param>
    /// <exception cref="ArgumentException"><paramref name="data"/> is not 2-D, is empty or holds non-finite values.</exception>
    public static DataStandardization Fit(Tensor data, IReadOnlyList<string>? featureNames = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.dim() != 2 || data.shape[0] < 1 || data.shape[1] < 1)
        {
            throw new ArgumentException($"Expected data of shape [N, F] with N, F ≥ 1, but got {TensorShape.Format(data.shape)}.", nameof(data));
        }

        using var scope = NewDisposeScope();
        var x = data.detach().cpu().to_type(ScalarType.Float64);
        if (!x.isfinite().all().item<bool>())
        {
            throw new ArgumentException("The data holds NaN or infinite values; clean them before standardising.", nameof(data));
        }

        double[] mean = x.mean([0L]).data<double>().ToArray();
        double[] std = x.std([0L], unbiased: false).data<double>().ToArray();
        for (int i = 0; i < std.Length; i++)
        {
            if (std[i] <= 0 || !double.IsFinite(std[i]))
            {
                std[i] = 1.0;
            }
        }

        return new DataStandardization(mean, std, featureNames);
    }

    /// <summary>Returns <c>(x − mean) / std</c>, on <paramref name="x"/>'s device and dtype.</summary>
    /// <param name="x">A batch <c>[N, F]</c> (or <c>[N, F, …]</c>) or one sample <c>[F]</c>.</param>
    /// <returns>A new tensor the caller owns.</returns>
    /// <exception cref="ArgumentException">The feature dimension does not match <see cref="FeatureCount"/>.</exception>
    public Tensor Standardize(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (mean, std) = Coefficients(x);
        return ((x - mean) / std).MoveToOuterDisposeScope();
    }

    /// <summary>Returns <c>x · std + mean</c>: samples back in original units, on <paramref name="x"/>'s device and dtype.</summary>
    /// <param name="x">A standardised batch <c>[N, F]</c> (or <c>[N, F, …]</c>) or one sample <c>[F]</c>.</param>
    /// <returns>A new tensor the caller owns.</returns>
    /// <exception cref="ArgumentException">The feature dimension does not match <see cref="FeatureCount"/>.</exception>
    public Tensor Unstandardize(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (mean, std) = Coefficients(x);
        return (x * std).Plus(mean).MoveToOuterDisposeScope();
    }

    /// <summary>Serialises to JSON: <c>{"mean":[…],"std":[…],"featureNames":[…]}</c> (round-trip exact).</summary>
    public JsonObject ToJsonNode()
    {
        var node = new JsonObject
        {
            ["mean"] = new JsonArray([.. _mean.Select(v => (JsonNode)JsonValue.Create(v))]),
            ["std"] = new JsonArray([.. _std.Select(v => (JsonNode)JsonValue.Create(v))]),
        };
        if (FeatureNames is not null)
        {
            node["featureNames"] = new JsonArray([.. FeatureNames.Select(v => (JsonNode)JsonValue.Create(v))]);
        }

        return node;
    }

    /// <summary>Serialises to a JSON string (see <see cref="ToJsonNode"/>).</summary>
    public string ToJson() => ToJsonNode().ToJsonString();

    /// <summary>Reads a standardisation written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <exception cref="InvalidDataException">The text is not such JSON, or its statistics are invalid.</exception>
    public static DataStandardization FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The data standardisation is not valid JSON: {e.Message}", e);
        }

        return FromJsonNode(node);
    }

    /// <summary>Reads a standardisation from the node written by <see cref="ToJsonNode"/>.</summary>
    /// <param name="node">The JSON node.</param>
    /// <exception cref="InvalidDataException">The node is not such an object, or its statistics are invalid.</exception>
    public static DataStandardization FromJsonNode(JsonNode? node)
    {
        if (node is not JsonObject obj)
        {
            throw new InvalidDataException("The data standardisation must be a JSON object with 'mean' and 'std' arrays.");
        }

        try
        {
            double[] mean = ReadDoubles(obj, "mean");
            double[] std = ReadDoubles(obj, "std");
            string[]? names = obj["featureNames"] is JsonArray a ? [.. a.Select(n => n?.GetValue<string>() ?? string.Empty)] : null;
            return new DataStandardization(mean, std, names);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"The data standardisation is invalid: {e.Message}", e);
        }
    }

    private static double[] ReadDoubles(JsonObject obj, string name)
    {
        if (obj[name] is not JsonArray array)
        {
            throw new InvalidDataException($"The data standardisation has no '{name}' array.");
        }

        return [.. array.Select(n => n is null ? throw new InvalidDataException($"'{name}' holds null.") : n.GetValue<double>())];
    }

    private (Tensor Mean, Tensor Std) Coefficients(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        int featureDim = x.dim() == 1 ? 0 : 1;
        if (x.dim() == 0 || x.shape[featureDim] != _mean.Length)
        {
            throw new ArgumentException(
                $"Expected {_mean.Length} features along dimension {featureDim}, but the tensor has shape {TensorShape.Format(x.shape)}.", nameof(x));
        }

        var shape = new long[Math.Max(1, x.dim())];
        Array.Fill(shape, 1L);
        shape[featureDim] = _mean.Length;
        var mean = tensor(_mean, dtype: x.dtype, device: x.device).reshape(shape);
        var std = tensor(_std, dtype: x.dtype, device: x.device).reshape(shape);
        return (mean, std);
    }

    /// <summary>Formats the statistics, for logs.</summary>
    public override string ToString() =>
        string.Join(", ", Enumerable.Range(0, _mean.Length).Select(i =>
            string.Create(CultureInfo.InvariantCulture, $"{FeatureNames?[i] ?? i.ToString(CultureInfo.InvariantCulture)}: {_mean[i]:G6}±{_std[i]:G6}")));
}
