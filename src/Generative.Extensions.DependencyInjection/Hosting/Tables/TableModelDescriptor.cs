using Generative.Tabular;

namespace Generative.Hosting;

/// <summary>What an application needs to know about a registered tabular model to offer it: the synthesizer, the
/// columns it generates (names, kinds, nullability, categories, bounds) and the request limit.</summary>
/// <param name="Name">The name the model is registered under.</param>
/// <param name="Synthesizer">The synthesizer's registered name (<c>copula</c>, …).</param>
/// <param name="Schema">The schema of the rows it generates (that of the table it was fitted to).</param>
/// <param name="MaxCount">The most rows one request may ask for.</param>
public sealed record TableModelDescriptor(string Name, string Synthesizer, TableSchema Schema, int MaxCount);
