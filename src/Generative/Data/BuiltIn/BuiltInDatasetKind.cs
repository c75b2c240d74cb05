namespace Generative.Data.BuiltIn;

/// <summary>What kind of samples a <see cref="BuiltInDataset"/> holds, so that callers can pick the metrics that apply.</summary>
public enum BuiltInDatasetKind
{
    /// <summary>Points in the plane, shape <c>[2]</c> (ring, grid, swiss roll, two moons, checkerboard).</summary>
    Plane,

    /// <summary>Small grey or multi-channel images, shape <c>[C, 8, 8]</c> (digits, stacked digits).</summary>
    Image,

    /// <summary>Rows of a table of real-valued columns with a class label (wine, breast cancer).</summary>
    Table,
}
