using System.Data;
using System.Data.Common;
using System.Reflection;
using Sylvan.Data.Csv;

namespace Generative.Tabular;

public sealed partial class Table
{
    /// <summary>Reads a CSV file (RFC 4180: quoted fields may hold the delimiter, quotes and line breaks).</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Dialect, missing-value markers and kinds; <see langword="null"/> for the defaults.</param>
    /// <returns>The table, whose <see cref="Schema"/> says what was inferred and why.</returns>
    /// <exception cref="TableFormatException">The file is malformed, a row has the wrong number of fields, or a value
    /// does not fit its column (the message names row, column and value).</exception>
    public static Table LoadCsv(string path, TableReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var reader = new StreamReader(path);
        return ReadCsv(reader, options);
    }

    /// <summary>Reads CSV text (RFC 4180).</summary>
    /// <param name="reader">The text; not disposed.</param>
    /// <param name="options">Dialect, missing-value markers and kinds; <see langword="null"/> for the defaults.</param>
    /// <returns>The table.</returns>
    /// <exception cref="TableFormatException">As <see cref="LoadCsv"/>.</exception>
    public static Table ReadCsv(TextReader reader, TableReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        options ??= new TableReadOptions();
        var csvOptions = new CsvDataReaderOptions
        {
            HasHeaders = options.HasHeader,
            Delimiter = options.Delimiter,
            Culture = options.Culture,
            OwnsReader = false,
        };
        string[] names;
        List<object?>[] cells;
        long row = 0;
        try
        {
            using var csv = CsvDataReader.Create(reader, csvOptions);
            int fields = csv.FieldCount;
            names = options.HasHeader
                ? [.. Enumerable.Range(0, fields).Select(csv.GetName)]
                : [.. Enumerable.Range(1, fields).Select(i => "column" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
            cells = [.. names.Select(_ => new List<object?>())];
            while (csv.Read())
            {
                row++;
                if (csv.RowFieldCount != fields && !(csv.RowFieldCount == 1 && fields > 1 && csv.GetString(0).Length == 0))
                {
                    throw new TableFormatException(
                        $"Row {row} has {csv.RowFieldCount} fields; the {(options.HasHeader ? "header" : "first row")} has {fields}.", row, null, null);
                }

                if (csv.RowFieldCount != fields)
                {
                    row--; // a blank line
                    continue;
                }

                for (int i = 0; i < fields; i++)
                {
                    string text = csv.GetString(i);
                    cells[i].Add(options.IsMissing(text) ? null : text);
                }
            }
        }
        catch (CsvMissingHeadersException e)
        {
            throw new TableFormatException("The CSV is empty: it has no header row.", null, null, null, e);
        }
        catch (CsvFormatException e)
        {
            throw new TableFormatException($"The CSV is malformed at record {e.RowNumber} (field {e.FieldOrdinal + 1}): {e.Message}", e.RowNumber, null, null, e);
        }

        if (names.Length == 0)
        {
            throw new TableFormatException("The CSV has no columns.");
        }

        return Build(names, cells, options);
    }

    /// <summary>Reads every row of a data reader (its columns' .NET types give their kinds; text columns are inferred
    /// as CSV is). Null and <see cref="DBNull"/> are missing.</summary>
    /// <param name="reader">The reader, positioned before its first row; read to the end, not disposed.</param>
    /// <param name="options">Missing-value markers (for text) and kinds; <see langword="null"/> for the defaults.</param>
    /// <returns>The table.</returns>
    /// <exception cref="TableFormatException">A value does not fit its column.</exception>
    public static Table FromDataReader(IDataReader reader, TableReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        options ??= new TableReadOptions();
        int fields = reader.FieldCount;
        string[] names = [.. Enumerable.Range(0, fields).Select(reader.GetName)];
        var cells = names.Select(_ => new List<object?>()).ToArray();
        while (reader.Read())
        {
            for (int i = 0; i < fields; i++)
            {
                object value = reader.GetValue(i);
                cells[i].Add(value is DBNull || (value is string s && options.IsMissing(s)) ? null : value);
            }
        }

        return Build(names, cells, options);
    }

    /// <summary>Reads a <see cref="DataTable"/> (as <see cref="FromDataReader"/>).</summary>
    /// <param name="table">The table.</param>
    /// <param name="options">Missing-value markers (for text) and kinds; <see langword="null"/> for the defaults.</param>
    /// <returns>The table.</returns>
    public static Table FromDataTable(DataTable table, TableReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        using DbDataReader reader = table.CreateDataReader();
        return FromDataReader(reader, options);
    }

    /// <summary>
    /// Reads records of your own type: each public readable instance property is a column, in declaration order, of
    /// the kind its type gives (<see cref="double"/>, <see cref="float"/>, <see cref="decimal"/> continuous; integer
    /// types integer; <see cref="bool"/> Boolean; <see cref="DateTime"/>, <see cref="DateOnly"/>,
    /// <see cref="DateTimeOffset"/> date-time; <see cref="Guid"/> id; <see cref="string"/> and enums inferred as text).
    /// Nullable value types and properties declared <c>string?</c> are nullable columns (only their text is compared
    /// with the missing-value markers).
    /// </summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="records">The records (no null record).</param>
    /// <param name="options">Missing-value markers (for text) and kinds; <see langword="null"/> for the defaults.</param>
    /// <returns>The table.</returns>
    /// <exception cref="ArgumentException">The type has no readable property, or a record is null.</exception>
    public static Table FromRecords<T>(IEnumerable<T> records, TableReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        options ??= new TableReadOptions();
        var properties = RecordMapping.Properties(typeof(T));
        var cells = properties.Select(_ => new List<object?>()).ToArray();
        int index = 0;
        foreach (var record in records)
        {
            index++;
            if (record is null)
            {
                throw new ArgumentException($"Record {index} is null.", nameof(records));
            }

            for (int i = 0; i < properties.Length; i++)
            {
                object? value = properties[i].Property.GetValue(record);
                cells[i].Add(value switch
                {
                    string s when properties[i].Nullable && options.IsMissing(s) => null,
                    Enum e => e.ToString(),
                    _ => value,
                });
            }
        }

        var nullable = properties.Select(p => (bool?)(p.Nullable ? null : false)).ToArray();
        return Build([.. properties.Select(p => p.Property.Name)], cells, options, nullable);
    }

    private static Table Build(string[] names, List<object?>[] cells, TableReadOptions options, bool?[]? nullable = null)
    {
        string? duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null)
        {
            throw new TableFormatException($"Two columns are named '{duplicate}'; column names must be unique.", null, duplicate, null);
        }

        if (options.Schema is not null)
        {
            string? absent = options.Schema.Columns.Select(c => c.Name).FirstOrDefault(n => !names.Contains(n, StringComparer.Ordinal));
            if (absent is not null)
            {
                throw new TableFormatException(
                    $"The input has no column '{absent}', which the schema names; its columns: {string.Join(", ", names)}.", null, absent, null);
            }
        }

        string? unknown = options.Kinds.Keys.FirstOrDefault(k => !names.Contains(k, StringComparer.Ordinal));
        if (unknown is not null)
        {
            throw new ArgumentException($"Kinds names a column '{unknown}' that the input does not have; its columns: {string.Join(", ", names)}.", nameof(options));
        }

        var columns = new TableColumn[names.Length];
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++)
        {
            ColumnKind? kind = null;
            bool? columnNullable = nullable?[i];
            string? source = null;
            var fromSchema = options.Schema?.Columns.FirstOrDefault(c => c.Name == names[i]);
            if (fromSchema is not null)
            {
                kind = fromSchema.Kind;
                columnNullable = fromSchema.Nullable ? true : false;
                source = "from the schema";
            }

            if (options.Kinds.TryGetValue(names[i], out var set))
            {
                kind = set;
                source = "set in code";
            }

            object?[] column = [.. cells[i]];
            (columns[i], reasons[names[i]]) = ColumnBuilder.Build(names[i], column, kind, columnNullable, source, options);
        }

        return new Table(columns, reasons);
    }

    /// <summary>How a record type's properties map to columns.</summary>
    internal static class RecordMapping
    {
        private static readonly NullabilityInfoContext Nullability = new();

        internal static (PropertyInfo Property, bool Nullable)[] Properties(Type type)
        {
            var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
                .OrderBy(p => p.MetadataToken)
                .Select(p => (p, IsNullable(p)))
                .ToArray();
            return properties.Length > 0
                ? properties
                : throw new ArgumentException($"{type.Name} has no public readable property to make a column of.", nameof(type));
        }

        private static bool IsNullable(PropertyInfo p)
        {
            if (p.PropertyType.IsValueType)
            {
                return System.Nullable.GetUnderlyingType(p.PropertyType) is not null;
            }

            lock (Nullability)
            {
                return Nullability.Create(p).ReadState != NullabilityState.NotNull;
            }
        }
    }
}
