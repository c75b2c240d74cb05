using System.Data;
using System.Globalization;
using System.Reflection;
using Sylvan.Data.Csv;

namespace Generative.Tabular;

public sealed partial class Table
{
    /// <summary>The table as CSV text (RFC 4180 quoting where a field needs it; numbers in their shortest round-trip
    /// form, dates ISO 8601).</summary>
    /// <param name="options">Delimiter, header, culture, missing marker; <see langword="null"/> for the defaults.</param>
    /// <returns>The text.</returns>
    public string ToCsv(TableWriteOptions? options = null)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        WriteCsv(writer, options);
        return writer.ToString();
    }

    /// <summary>Writes the table as CSV (see <see cref="ToCsv"/>).</summary>
    /// <param name="writer">Where to; not disposed.</param>
    /// <param name="options">Delimiter, header, culture, missing marker; <see langword="null"/> for the defaults.</param>
    public void WriteCsv(TextWriter writer, TableWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        options ??= new TableWriteOptions();
        using var text = new DataTable { Locale = CultureInfo.InvariantCulture };
        foreach (var column in Columns)
        {
            text.Columns.Add(column.Name, typeof(string));
        }

        var row = new object[Columns.Count];
        for (int r = 0; r < RowCount; r++)
        {
            for (int c = 0; c < Columns.Count; c++)
            {
                row[c] = Columns[c].Format(r, options.Culture) ?? options.MissingValue;
            }

            text.Rows.Add(row);
        }

        var csvOptions = new CsvDataWriterOptions
        {
            Delimiter = options.Delimiter,
            WriteHeaders = options.WriteHeader,
            Culture = options.Culture,
            NewLine = "\n",
        };
        using var csv = CsvDataWriter.Create(writer, csvOptions);
        using var reader = text.CreateDataReader();
        csv.Write(reader);
        writer.Flush();
    }

    /// <summary>Writes the table to a CSV file (through a temporary file: never half written).</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Delimiter, header, culture, missing marker; <see langword="null"/> for the defaults.</param>
    public void SaveCsv(string path, TableWriteOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        TableSchema.WriteAtomically(path, ToCsv(options));
    }

    /// <summary>The table as a <see cref="DataTable"/>: columns of type <see cref="double"/> (continuous),
    /// <see cref="long"/> (integer), <see cref="string"/> (categorical, id), <see cref="bool"/> and
    /// <see cref="DateTime"/>; missing cells are <see cref="DBNull"/>.</summary>
    /// <returns>A new data table; the caller disposes it.</returns>
    public DataTable ToDataTable()
    {
        var table = new DataTable { Locale = CultureInfo.InvariantCulture };
        foreach (var column in Columns)
        {
            var type = column.Kind switch
            {
                ColumnKind.Continuous => typeof(double),
                ColumnKind.Integer => typeof(long),
                ColumnKind.Boolean => typeof(bool),
                ColumnKind.DateTime => typeof(DateTime),
                _ => typeof(string),
            };
            table.Columns.Add(new DataColumn(column.Name, type) { AllowDBNull = column.Nullable });
        }

        var row = new object[Columns.Count];
        for (int r = 0; r < RowCount; r++)
        {
            for (int c = 0; c < Columns.Count; c++)
            {
                row[c] = Columns[c].GetValue(r) ?? DBNull.Value;
            }

            table.Rows.Add(row);
        }

        return table;
    }

    /// <summary>
    /// The rows as records of your own type: each column goes to the public property of the same name (case-insensitive),
    /// converted to its type (numbers to any numeric type that holds them exactly enough, text to enums by name,
    /// dates to <see cref="DateOnly"/> or <see cref="DateTimeOffset"/>). The type needs a parameterless constructor and
    /// settable properties, or a constructor whose parameters are named as columns (positional records).
    /// </summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <returns>A record per row.</returns>
    /// <exception cref="InvalidOperationException">A property or parameter has no column, or a missing cell goes to a
    /// non-nullable one, or a value does not fit (the message names row, column and value).</exception>
    public IReadOnlyList<T> ToRecords<T>() => RecordWriter.Write<T>(this);

    /// <summary>Builds records from a table's rows.</summary>
    private static class RecordWriter
    {
        internal static IReadOnlyList<T> Write<T>(Table table)
        {
            var type = typeof(T);
            var constructor = type.GetConstructor(Type.EmptyTypes);
            var result = new List<T>(table.RowCount);
            if (constructor is not null)
            {
                var setters = RecordMapping.Properties(type).Select(p => p.Property).Where(p => p.CanWrite).ToArray();
                var columns = setters.Select(p => Column(table, p.Name, type)).ToArray();
                for (int r = 0; r < table.RowCount; r++)
                {
                    object record = constructor.Invoke(null);
                    for (int i = 0; i < setters.Length; i++)
                    {
                        setters[i].SetValue(record, Convert(columns[i], r, setters[i].PropertyType, setters[i].Name));
                    }

                    result.Add((T)record);
                }

                return result;
            }

            var positional = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault()
                ?? throw new InvalidOperationException($"{type.Name} has no public constructor.");
            var parameters = positional.GetParameters();
            var sources = parameters.Select(p => Column(table, p.Name!, type)).ToArray();
            var arguments = new object?[parameters.Length];
            for (int r = 0; r < table.RowCount; r++)
            {
                for (int i = 0; i < parameters.Length; i++)
                {
                    arguments[i] = Convert(sources[i], r, parameters[i].ParameterType, parameters[i].Name!);
                }

                result.Add((T)positional.Invoke(arguments));
            }

            return result;
        }

        private static TableColumn Column(Table table, string name, Type type) =>
            table.Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException(
                $"{type.Name}.{name} has no column of that name in the table; its columns: {string.Join(", ", table.Columns.Select(c => c.Name))}.");

        private static object? Convert(TableColumn column, int row, Type target, string member)
        {
            var underlying = Nullable.GetUnderlyingType(target);
            if (column.IsMissing(row))
            {
                return target.IsValueType && underlying is null
                    ? throw new InvalidOperationException($"Row {row + 1}, column '{column.Name}' is missing, but {member} ({target.Name}) cannot hold null; make it nullable.")
                    : null;
            }

            var type = underlying ?? target;
            object value = column.GetValue(row)!;
            try
            {
                if (type == typeof(string))
                {
                    return column.Format(row, CultureInfo.InvariantCulture);
                }

                if (type.IsEnum)
                {
                    return Enum.Parse(type, column.Format(row, CultureInfo.InvariantCulture)!.Trim(), ignoreCase: true);
                }

                return value switch
                {
                    DateTime t when type == typeof(DateOnly) => DateOnly.FromDateTime(t),
                    DateTime t when type == typeof(DateTimeOffset) => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)),
                    string s when type == typeof(Guid) => Guid.Parse(s),
                    _ => System.Convert.ChangeType(value, type, CultureInfo.InvariantCulture),
                };
            }
            catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException or ArgumentException)
            {
                throw new InvalidOperationException(
                    $"Row {row + 1}, column '{column.Name}': {TableText.Quote(column.Format(row, CultureInfo.InvariantCulture))} does not fit {member} ({type.Name}): {e.Message}", e);
            }
        }
    }
}
