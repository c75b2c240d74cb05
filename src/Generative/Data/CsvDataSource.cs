using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Generative.Data;

/// <summary>Options of <see cref="CsvDataSource.Load(string, CsvDataOptions?)"/>.</summary>
public sealed class CsvDataOptions
{
    /// <summary>The feature columns, by header name, in this order; <see langword="null"/> for every column but the label.</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>The label column (integers, or names mapped to classes in ordinal order); <see langword="null"/> for unlabelled data.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>Whether to standardise the features (z-scores); the statistics are kept in <see cref="IDataSource.Standardization"/>. Default true.</summary>
    public bool Standardize { get; init; } = true;

    /// <summary>Statistics to apply instead of fitting them (e.g. a validation file standardised like the training file).</summary>
    public DataStandardization? Standardization { get; init; }

    /// <summary>The field delimiter (default ',').</summary>
    public char Delimiter { get; init; } = ',';

    /// <summary>Where to report doubts about the file, such as a feature column of a few distinct integers that may be a
    /// class (a warning naming the column); <see langword="null"/> for none.</summary>
    public ILogger? Logger { get; init; }
}

/// <summary>
/// A numeric table read from a CSV file with a header row: chosen feature columns (float32), an optional label column,
/// and per-feature standardisation whose statistics are kept so that generated rows can be returned in original units.
/// </summary>
/// <remarks>
/// <para>Fields may be quoted (<c>"…"</c>, with <c>""</c> for a quote, and line breaks inside quotes, as RFC 4180
/// allows); numbers use the invariant culture ('.' decimal point). Empty lines are skipped. A missing or non-numeric
/// value throws <see cref="InvalidDataException"/> naming the line and column.</para>
/// <para>A feature column whose values are at most 20 distinct integers is modelled as a
/// number like any other, which is wrong for a class: <see cref="CsvDataOptions.Logger"/> gets a warning naming it, to be
/// set as <see cref="CsvDataOptions.LabelColumn"/> if it is one.</para>
/// <para>The data is held in memory; dispose the source to release it.</para>
/// </remarks>
public sealed class CsvDataSource : IDataSource
{
    private const int FewDistinctIntegers = 20;

    private static readonly Action<ILogger, string, string, int, Exception?> IntegerColumnWarning =
        LoggerMessage.Define<string, string, int>(
            LogLevel.Warning,
            new EventId(1, "CsvIntegerColumn"),
            "'{Source}': the column '{Column}' holds only {Distinct} distinct integers and is modelled as a continuous number; if it is a class, set CsvDataOptions.LabelColumn to it");

    private readonly TensorDataSource _inner;

    private CsvDataSource(TensorDataSource inner, IReadOnlyList<string>? classNames)
    {
        _inner = inner;
        ClassNames = classNames;
    }

    /// <inheritdoc/>
    public TensorShape SampleShape => _inner.SampleShape;

    /// <inheritdoc/>
    public long Count => _inner.Count;

    /// <inheritdoc/>
    public int ClassCount => _inner.ClassCount;

    /// <inheritdoc/>
    public IReadOnlyList<string>? FeatureNames => _inner.FeatureNames;

    /// <inheritdoc/>
    public DataStandardization? Standardization => _inner.Standardization;

    /// <summary>The class names when labels were names (class i is <c>ClassNames[i]</c>); <see langword="null"/> for numeric or no labels.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>Reads a CSV file.</summary>
    /// <param name="path">The file; its first non-empty line is the header.</param>
    /// <param name="options">Columns, label and standardisation; defaults when <see langword="null"/>.</param>
    /// <returns>The data source (the caller owns and disposes it).</returns>
    /// <exception cref="FileNotFoundException">The file does not exist, or the path is a directory.</exception>
    /// <exception cref="InvalidDataException">The file has no rows, a named column is missing, or a value is not a number (the message gives line and column).</exception>
    public static CsvDataSource Load(string path, CsvDataOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw new FileNotFoundException($"'{path}' is a directory; expected the path of a CSV file.", path);
        }

        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, options, path);
    }

    /// <summary>Reads CSV text.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="options">Columns, label and standardisation; defaults when <see langword="null"/>.</param>
    /// <param name="sourceName">The name used in error messages.</param>
    /// <returns>The data source (the caller owns and disposes it).</returns>
    /// <exception cref="InvalidDataException">The text has no rows, a named column is missing, or a value is not a number.</exception>
    public static CsvDataSource Read(TextReader reader, CsvDataOptions? options, string sourceName = "CSV")
    {
        ArgumentNullException.ThrowIfNull(reader);
        options ??= new CsvDataOptions();
        var records = new RecordReader(reader, options.Delimiter, sourceName);
        var headerFields = records.Next();
        if (headerFields is null)
        {
            throw new InvalidDataException($"'{sourceName}' is empty: a header row is needed.");
        }

        string[] header = [.. headerFields.Select(h => h.Trim())];
        string delimiterHint = DelimiterHint(records.HeaderLine, options.Delimiter);

        int ColumnIndex(string name)
        {
            int i = Array.IndexOf(header, name);
            return i >= 0 ? i : throw new InvalidDataException($"'{sourceName}' has no column '{name}'; its columns are {string.Join(", ", header)}.{delimiterHint}");
        }

        int labelIndex = options.LabelColumn is null ? -1 : ColumnIndex(options.LabelColumn);
        var featureNames = options.Columns?.ToList() ?? header.Where((_, i) => i != labelIndex).ToList();
        if (featureNames.Count == 0)
        {
            throw new InvalidDataException($"'{sourceName}' has no feature column.");
        }

        int[] featureIndices = [.. featureNames.Select(ColumnIndex)];
        var values = new List<float>();
        var rawLabels = new List<string>();
        long rows = 0;
        while (records.Next() is { } fields)
        {
            int lineNumber = records.LineNumber;
            if (fields.Count != header.Length)
            {
                throw new InvalidDataException($"'{sourceName}' line {lineNumber} has {fields.Count} fields, but the header has {header.Length}.{delimiterHint}");
            }

            for (int f = 0; f < featureIndices.Length; f++)
            {
                string text = fields[featureIndices[f]].Trim();
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                {
                    throw new InvalidDataException($"'{sourceName}' line {lineNumber}, column '{featureNames[f]}': '{text}' is not a finite number.{delimiterHint}");
                }

                values.Add((float)v);
            }

            if (labelIndex >= 0)
            {
                rawLabels.Add(fields[labelIndex].Trim());
            }

            rows++;
        }

        if (rows == 0)
        {
            throw new InvalidDataException($"'{sourceName}' has a header but no data rows.");
        }

        if (options.Logger is { } logger && logger.IsEnabled(LogLevel.Warning))
        {
            WarnAboutIntegerColumns(logger, sourceName, featureNames, values);
        }

        var (labels, classNames) = labelIndex >= 0 ? ParseLabels(rawLabels, sourceName, options.LabelColumn!) : (null, null);
        using var scope = NewDisposeScope();
        var data = tensor(values.ToArray()).reshape(rows, featureNames.Count);
        DataStandardization? standardization = options.Standardization;
        if (standardization is null && options.Standardize)
        {
            standardization = DataStandardization.Fit(data, featureNames);
        }

        if (standardization is not null)
        {
            data = standardization.Standardize(data);
        }

        var labelTensor = labels is null ? null : tensor(labels);
        var inner = new TensorDataSource(data, labelTensor, classNames?.Count, standardization, featureNames);
        return new CsvDataSource(inner, classNames);
    }

    /// <inheritdoc/>
    public TrainingBatch ReadBatch(Tensor indices, Device device) => _inner.ReadBatch(indices, device);

    /// <summary>Releases the data.</summary>
    public void Dispose() => _inner.Dispose();

    private static (long[] Labels, IReadOnlyList<string>? Names) ParseLabels(List<string> raw, string source, string column)
    {
        if (raw.All(r => long.TryParse(r, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) && v >= 0))
        {
            return ([.. raw.Select(r => long.Parse(r, CultureInfo.InvariantCulture))], null);
        }

        if (raw.Any(string.IsNullOrEmpty))
        {
            throw new InvalidDataException($"'{source}': the label column '{column}' has empty values.");
        }

        var names = raw.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var index = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => (long)p.i, StringComparer.Ordinal);
        return ([.. raw.Select(r => index[r])], names);
    }

    private static string DelimiterHint(string headerLine, char delimiter)
    {
        foreach (var (candidate, name) in new[] { (';', "';'"), ('\t', "'\\t' (tab)"), (',', "','") })
        {
            if (candidate != delimiter && headerLine.Contains(candidate, StringComparison.Ordinal) && !headerLine.Contains(delimiter, StringComparison.Ordinal))
            {
                return $" The header line contains {name} but no '{delimiter}', the delimiter being used: if {name} separates the fields, set CsvDataOptions.Delimiter to it.";
            }
        }

        return string.Empty;
    }

    private static void WarnAboutIntegerColumns(ILogger logger, string source, List<string> featureNames, List<float> values)
    {
        int width = featureNames.Count;
        for (int f = 0; f < width; f++)
        {
            var distinct = new HashSet<float>();
            bool integers = true;
            for (int i = f; i < values.Count && integers && distinct.Count <= FewDistinctIntegers; i += width)
            {
                float v = values[i];
                integers = v == MathF.Round(v);
                distinct.Add(v);
            }

            if (integers && distinct.Count <= FewDistinctIntegers)
            {
                IntegerColumnWarning(logger, source, featureNames[f], distinct.Count, null);
            }
        }
    }

    /// <summary>Reads RFC 4180 records: fields split at the delimiter, quotes around fields, <c>""</c> for a quote and line
    /// breaks inside quotes; blank lines outside quotes are skipped.</summary>
    private sealed class RecordReader(TextReader reader, char delimiter, string source)
    {
        private int _line;

        /// <summary>The line on which the record last returned starts (from 1).</summary>
        public int LineNumber { get; private set; }

        /// <summary>The first line of the first record (the header), as read.</summary>
        public string HeaderLine { get; private set; } = string.Empty;

        public List<string>? Next()
        {
            string? line;
            do
            {
                line = reader.ReadLine();
                _line++;
            }
            while (line is not null && string.IsNullOrWhiteSpace(line));

            if (line is null)
            {
                return null;
            }

            LineNumber = _line;
            if (HeaderLine.Length == 0)
            {
                HeaderLine = line;
            }

            var fields = new List<string>();
            var current = new StringBuilder();
            bool quoted = false;
            while (true)
            {
                for (int i = 0; i < line.Length; i++)
                {
                    char c = line[i];
                    if (quoted)
                    {
                        if (c == '"')
                        {
                            if (i + 1 < line.Length && line[i + 1] == '"')
                            {
                                current.Append('"');
                                i++;
                            }
                            else
                            {
                                quoted = false;
                            }
                        }
                        else
                        {
                            current.Append(c);
                        }
                    }
                    else if (c == '"')
                    {
                        quoted = true;
                    }
                    else if (c == delimiter)
                    {
                        fields.Add(current.ToString());
                        current.Clear();
                    }
                    else
                    {
                        current.Append(c);
                    }
                }

                if (!quoted)
                {
                    break;
                }

                // A line break inside quotes belongs to the field.
                line = reader.ReadLine();
                if (line is null)
                {
                    throw new InvalidDataException($"'{source}' line {LineNumber} opens a quoted field that is never closed (a '\"' is missing before the end of the file).");
                }

                _line++;
                current.Append('\n');
            }

            fields.Add(current.ToString());
            return fields;
        }
    }
}
