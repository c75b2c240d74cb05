namespace Generative.Tabular;

/// <summary>
/// Input that cannot become a table: names the row, the column and the value (whichever apply) and says what was
/// expected. Nothing is loaded when it is thrown.
/// </summary>
public sealed class TableFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The whole message (naming what is known of row, column and value).</param>
    /// <param name="row">The 1-based data row (not counting a header), or <see langword="null"/>.</param>
    /// <param name="column">The column's name, or <see langword="null"/>.</param>
    /// <param name="value">The offending value as text, or <see langword="null"/>.</param>
    /// <param name="innerException">The parser's own exception, if any.</param>
    public TableFormatException(string message, long? row = null, string? column = null, string? value = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Row = row;
        Column = column;
        Value = value;
    }

    /// <summary>Creates the exception with a message only.</summary>
    /// <param name="message">The message.</param>
    public TableFormatException(string message)
        : this(message, null, null, null, null)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public TableFormatException(string message, Exception innerException)
        : this(message, null, null, null, innerException)
    {
    }

    /// <summary>Creates the exception with the default message.</summary>
    public TableFormatException()
        : this("The input is not a valid table.")
    {
    }

    /// <summary>The 1-based data row (not counting a header), or <see langword="null"/> when the problem is not in one row.</summary>
    public long? Row { get; }

    /// <summary>The column's name, or <see langword="null"/>.</summary>
    public string? Column { get; }

    /// <summary>The offending value as text, or <see langword="null"/>.</summary>
    public string? Value { get; }
}
