namespace Generative.Hosting;

/// <summary>What one sample of a model looks like, which decides the output formats that fit it.</summary>
public enum SampleKind
{
    /// <summary>A row of a table: a rank-1 sample with feature (column) names. Fits JSON and CSV.</summary>
    Table,

    /// <summary>A vector without feature names (a point in the plane, say). Fits JSON and CSV (columns <c>x0</c>, <c>x1</c>, …).</summary>
    Vector,

    /// <summary>An image: <c>[C, H, W]</c> with C = 1 (grey), 3 (RGB) or 4 (RGBA), or <c>[H, W]</c>. Fits JSON (flattened) and PNG.</summary>
    Image,

    /// <summary>Any other shape. Fits JSON (flattened) only.</summary>
    Other,
}
