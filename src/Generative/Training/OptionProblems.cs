namespace Generative.Training;

/// <summary>Collects the problems of an options record, for its <c>Validate()</c> and for one exception listing them all.</summary>
internal sealed class OptionProblems(string record)
{
    private readonly List<string> _problems = [];

    public IReadOnlyList<string> Problems => _problems;

    /// <summary>Adds "<c>Record.Option</c> message" when <paramref name="holds"/> is false.</summary>
    public void Require(bool holds, string option, string message)
    {
        if (!holds)
        {
            _problems.Add($"{record}.{option} {message}");
        }
    }

    /// <summary>The rules every family's trainer options share: <c>Steps</c> at least 1, <c>BatchSize</c> at least 1 or
    /// unset, <c>EmaDecay</c> in [0, 1) or unset.</summary>
    public void RequireRun(long steps, int? batchSize, double? emaDecay)
    {
        Require(steps >= 1, "Steps", $"must be at least 1 (was {steps}).");
        Require(batchSize is null or >= 1, "BatchSize", $"must be at least 1, or null for the default (was {batchSize}).");
        Require(emaDecay is null || (emaDecay >= 0 && emaDecay < 1), "EmaDecay", $"must be in [0, 1), or null for no EMA (was {emaDecay}).");
    }

    /// <summary>Runs a nested record's throwing validation and keeps its message as a problem of <paramref name="option"/>.</summary>
    public void Nested(string option, Action validate)
    {
        try
        {
            validate();
        }
        catch (ArgumentException e)
        {
            _problems.Add($"{record}.{option}: {e.Message}");
        }
    }

    /// <summary>Throws one <see cref="ArgumentException"/> naming every problem, if there is any.</summary>
    public static void ThrowIfAny(IReadOnlyList<string> problems, string parameterName)
    {
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), parameterName);
        }
    }
}
