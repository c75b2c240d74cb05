using System.Globalization;

namespace Generative.Tabular;

/// <summary>
/// One named, typed column of a <see cref="Table"/>: a value per row of the type its <see cref="Kind"/> gives, or
/// missing. Immutable.
/// </summary>
/// <remarks>
/// Values by kind: <see cref="ColumnKind.Continuous"/> a finite <see cref="double"/> (<see cref="GetDouble"/>);
/// <see cref="ColumnKind.Integer"/> a <see cref="long"/> (<see cref="GetInt64"/>, or <see cref="GetDouble"/>);
/// <see cref="ColumnKind.Categorical"/> and <see cref="ColumnKind.Id"/> a <see cref="string"/> (<see cref="GetString"/>);
/// <see cref="ColumnKind.Boolean"/> a <see cref="bool"/> (<see cref="GetBoolean"/>); <see cref="ColumnKind.DateTime"/>
/// a <see cref="System.DateTime"/> (<see cref="GetDateTime"/>). A getter of another kind, or of a missing cell, throws.
/// Thread-safety: immutable, safe to read from many threads.
/// </remarks>
public sealed class TableColumn
{
    private readonly double[]? _doubles;
    private readonly long[]? _longs;
    private readonly string?[]? _strings;
    private readonly bool[] _missing;

    private TableColumn(string name, ColumnKind kind, bool? nullable, double[]? doubles, long[]? longs, string?[]? strings, bool[] missing)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Kind = kind;
        _doubles = doubles;
        _longs = longs;
        _strings = strings;
        _missing = missing;
        Count = missing.Length;
        MissingCount = missing.Count(m => m);
        if (nullable == false && MissingCount > 0)
        {
            int first = Array.IndexOf(missing, true);
            throw new ArgumentException($"Column '{name}' is declared not nullable but row {first + 1} is missing ({MissingCount} missing in all).", nameof(nullable));
        }

        Nullable = nullable ?? MissingCount > 0;
    }

    /// <summary>The column's name (unique within its table, case-sensitive).</summary>
    public string Name { get; }

    /// <summary>What the column holds.</summary>
    public ColumnKind Kind { get; }

    /// <summary>The number of rows.</summary>
    public int Count { get; }

    /// <summary>Whether cells may be missing (declared, or because some are).</summary>
    public bool Nullable { get; }

    /// <summary>How many cells are missing.</summary>
    public int MissingCount { get; }

    /// <summary>A continuous column.</summary>
    /// <param name="name">The name.</param>
    /// <param name="values">A finite value per row; <see langword="null"/> for missing.</param>
    /// <param name="nullable">Declared nullability; <see langword="null"/>: nullable when a value is missing.</param>
    /// <returns>The column.</returns>
    /// <exception cref="ArgumentException">A value is not finite, or one is missing in a column declared not nullable.</exception>
    public static TableColumn Continuous(string name, IEnumerable<double?> values, bool? nullable = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        var list = values.ToArray();
        var data = new double[list.Length];
        var missing = new bool[list.Length];
        for (int i = 0; i < list.Length; i++)
        {
            if (list[i] is double v)
            {
                if (!double.IsFinite(v))
                {
                    throw new ArgumentException($"Column '{name}', row {i + 1}: {v.ToString(CultureInfo.InvariantCulture)} is not a finite number; use null for a missing value.", nameof(values));
                }

                data[i] = v;
            }
            else
            {
                missing[i] = true;
            }
        }

        return new TableColumn(name, ColumnKind.Continuous, nullable, data, null, null, missing);
    }

    /// <summary>An integer column.</summary>
    /// <param name="name">The name.</param>
    /// <param name="values">A value per row; <see langword="null"/> for missing.</param>
    /// <param name="nullable">Declared nullability; <see langword="null"/>: nullable when a value is missing.</param>
    /// <returns>The column.</returns>
    public static TableColumn Integer(string name, IEnumerable<long?> values, bool? nullable = null) =>
        FromLongs(name, ColumnKind.Integer, values, nullable);

    /// <summary>A Boolean column.</summary>
    /// <param name="name">The name.</param>
    /// <param name="values">A value per row; <see langword="null"/> for missing.</param>
    /// <param name="nullable">Declared nullability; <see langword="null"/>: nullable when a value is missing.</param>
    /// <returns>The column.</returns>
    public static TableColumn Boolean(string name, IEnumerable<bool?> values, bool? nullable = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        return FromLongs(name, ColumnKind.Boolean, values.Select(v => v is bool b ? (long?)(b ? 1 : 0) : null), nullable);
    }

    /// <summary>A date-and-time column (the values' <see cref="DateTimeKind"/> is not kept).</summary>
    /// <param name="name">The name.</param>
    /// <param name="values">A value per row; <see langword="null"/> for missing.</param>
    /// <param name="nullable">Declared nullability; <see langword="null"/>: nullable when a value is missing.</param>
    /// <returns>The column.</returns>
    public static TableColumn DateTime(string name, IEnumerable<DateTime?> values, bool? nullable = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        return FromLongs(name, ColumnKind.DateTime, values.Select(v => v?.Ticks), nullable);
    }

    /// <summary>A categorical column.</summary>
    /// <param name="name">The name.</param>
    /// <param name="values">A label per row, kept exactly (white space included); <see langword="null"/> for missing.</param>
    /// <param name="nullable">Declared nullability; <see langword="null"/>: nullable when a value is missing.</param>
    /// <returns>The column.</returns>
    public static TableColumn Categorical(string name, IEnumerable<string?> values, bool? nullable = null) =>
        FromStrings(name, ColumnKind.Categorical, values, nullable);

    /// <summary>An id (unique key) column.</summary>
    /// <param name="name">The name.</param>
    /// <param name="values">A key per row; <see langword="null"/> for missing.</param>
    /// <param name="nullable">Declared nullability; <see langword="null"/>: nullable when a value is missing.</param>
    /// <returns>The column.</returns>
    public static TableColumn Id(string name, IEnumerable<string?> values, bool? nullable = null) =>
        FromStrings(name, ColumnKind.Id, values, nullable);

    /// <summary>Whether a cell is missing.</summary>
    /// <param name="row">The 0-based row.</param>
    /// <returns><see langword="true"/> if it is.</returns>
    public bool IsMissing(int row) => _missing[row];

    /// <summary>A continuous or integer cell as a <see cref="double"/>.</summary>
    /// <param name="row">The 0-based row.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The column is of another kind, or the cell is missing.</exception>
    public double GetDouble(int row)
    {
        Present(row);
        return Kind switch
        {
            ColumnKind.Continuous => _doubles![row],
            ColumnKind.Integer => _longs![row],
            _ => throw WrongKind("a number", "Continuous or Integer"),
        };
    }

    /// <summary>An integer cell.</summary>
    /// <param name="row">The 0-based row.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The column is of another kind, or the cell is missing.</exception>
    public long GetInt64(int row) => Long(row, ColumnKind.Integer);

    /// <summary>A Boolean cell.</summary>
    /// <param name="row">The 0-based row.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The column is of another kind, or the cell is missing.</exception>
    public bool GetBoolean(int row) => Long(row, ColumnKind.Boolean) != 0;

    /// <summary>A date-and-time cell.</summary>
    /// <param name="row">The 0-based row.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The column is of another kind, or the cell is missing.</exception>
    public DateTime GetDateTime(int row) => new(Long(row, ColumnKind.DateTime));

    /// <summary>A categorical or id cell.</summary>
    /// <param name="row">The 0-based row.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The column is of another kind, or the cell is missing.</exception>
    public string GetString(int row)
    {
        Present(row);
        return Kind is ColumnKind.Categorical or ColumnKind.Id ? _strings![row]! : throw WrongKind("text", "Categorical or Id");
    }

    /// <summary>A cell as an object of its kind's type (<see cref="double"/>, <see cref="long"/>, <see cref="string"/>,
    /// <see cref="bool"/>, <see cref="System.DateTime"/>), or <see langword="null"/> when missing.</summary>
    /// <param name="row">The 0-based row.</param>
    /// <returns>The value.</returns>
    public object? GetValue(int row)
    {
        if (_missing[row])
        {
            return null;
        }

        return Kind switch
        {
            ColumnKind.Continuous => _doubles![row],
            ColumnKind.Integer => _longs![row],
            ColumnKind.Boolean => _longs![row] != 0,
            ColumnKind.DateTime => new DateTime(_longs![row]),
            _ => _strings![row],
        };
    }

    /// <summary>The same values under another name.</summary>
    /// <param name="name">The new name.</param>
    /// <returns>The renamed column.</returns>
    public TableColumn WithName(string name) => new(name, Kind, Nullable, _doubles, _longs, _strings, _missing);

    /// <summary>The column's values as text in the invariant culture (round-trippable), <see langword="null"/> for missing.</summary>
    internal string? Format(int row, IFormatProvider culture)
    {
        if (_missing[row])
        {
            return null;
        }

        return Kind switch
        {
            ColumnKind.Continuous => _doubles![row].ToString("R", culture),
            ColumnKind.Integer => _longs![row].ToString(culture),
            ColumnKind.Boolean => _longs![row] != 0 ? "true" : "false",
            ColumnKind.DateTime => TableText.FormatDate(new DateTime(_longs![row])),
            _ => _strings![row],
        };
    }

    /// <summary>Row values of a column that stores longs (integer, Boolean, date-time ticks); 0 where missing.</summary>
    internal long RawLong(int row) => _longs![row];

    internal static TableColumn FromLongs(string name, ColumnKind kind, IEnumerable<long?> values, bool? nullable)
    {
        ArgumentNullException.ThrowIfNull(values);
        var list = values.ToArray();
        var data = new long[list.Length];
        var missing = new bool[list.Length];
        for (int i = 0; i < list.Length; i++)
        {
            if (list[i] is long v)
            {
                data[i] = v;
            }
            else
            {
                missing[i] = true;
            }
        }

        return new TableColumn(name, kind, nullable, null, data, null, missing);
    }

    private static TableColumn FromStrings(string name, ColumnKind kind, IEnumerable<string?> values, bool? nullable)
    {
        ArgumentNullException.ThrowIfNull(values);
        var data = values.ToArray();
        return new TableColumn(name, kind, nullable, null, null, data, [.. data.Select(v => v is null)]);
    }

    private long Long(int row, ColumnKind kind)
    {
        Present(row);
        return Kind == kind ? _longs![row] : throw WrongKind(kind.ToString(), kind.ToString());
    }

    private void Present(int row)
    {
        if (_missing[row])
        {
            throw new InvalidOperationException($"Column '{Name}', row {row + 1} is missing; check IsMissing first.");
        }
    }

    private InvalidOperationException WrongKind(string what, string kinds) =>
        new($"Column '{Name}' is {Kind}, not {kinds}: it has no {what} values.");
}
