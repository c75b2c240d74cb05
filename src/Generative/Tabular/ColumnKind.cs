namespace Generative.Tabular;

/// <summary>What a table column holds, which decides how it is read, transformed for a model and written back.</summary>
public enum ColumnKind
{
    /// <summary>Real numbers (a <see cref="double"/> per cell), such as a length or a price.</summary>
    Continuous,

    /// <summary>Whole numbers (a <see cref="long"/> per cell), such as an age or a count; generated values are rounded
    /// and kept within the observed bounds.</summary>
    Integer,

    /// <summary>Text labels from a finite set (a <see cref="string"/> per cell), such as a country or a status.</summary>
    Categorical,

    /// <summary>True or false (a <see cref="bool"/> per cell).</summary>
    Boolean,

    /// <summary>Dates and times (a <see cref="System.DateTime"/> per cell).</summary>
    DateTime,

    /// <summary>A unique key (text per cell), such as an order number: not learned; generated rows get fresh unique values.</summary>
    Id,
}
