using Generative.Tabular;

namespace Generative.Hosting;

/// <summary>Rows drawn by <see cref="ITableDataGenerator"/>, with what is needed to reproduce them.</summary>
/// <param name="ModelName">The name of the model that drew them.</param>
/// <param name="Synthesizer">The synthesizer's registered name.</param>
/// <param name="Seed">The seed of the random generator: pass it back in <see cref="TableGenerationRequest.Seed"/> (with the
/// same condition) to draw the same rows.</param>
/// <param name="Condition">The condition every row satisfies (<see cref="TableCondition.None"/> for none).</param>
/// <param name="Rows">The rows: the model's columns, kinds and nullability.</param>
public sealed record GeneratedTable(string ModelName, string Synthesizer, long Seed, TableCondition Condition, Table Rows);
