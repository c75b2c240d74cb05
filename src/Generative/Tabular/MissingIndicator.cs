namespace Generative.Tabular;

/// <summary>The <c>present</c>/<c>missing</c> one-hot group of a nullable numeric or date column.</summary>
internal static class MissingIndicator
{
    internal const int Width = 2;

    internal static TransformBlock Block(string column, int offset) =>
        new(column, BlockKind.OneHot, BlockRole.Missing, offset, Width, ["present", "missing"]);

    internal static void Write(Span<double> output, int at, bool missing)
    {
        output[at] = missing ? 0 : 1;
        output[at + 1] = missing ? 1 : 0;
    }

    /// <summary>Missing when the "missing" slot is the larger (ties: present).</summary>
    internal static bool Read(ReadOnlySpan<double> input, int at) => input[at + 1] > input[at];
}
