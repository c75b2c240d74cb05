namespace Generative.Testing;

/// <summary>
/// Thrown by a contract check (<see cref="SamplerContract"/>, <see cref="NoiseScheduleContract"/>,
/// <see cref="NetworkContract"/>) when the type under test breaks the contract; the message lists every violation found,
/// not only the first.
/// </summary>
public sealed class ContractViolationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="subject">What was checked (a type name).</param>
    /// <param name="violations">Each violation, one sentence each.</param>
    public ContractViolationException(string subject, IReadOnlyList<string> violations)
        : base($"{subject} breaks {violations.Count} rule(s) of its contract:" + Environment.NewLine
            + string.Join(Environment.NewLine, violations.Select(v => " - " + v)))
    {
        Subject = subject;
        Violations = violations;
    }

    /// <summary>What was checked.</summary>
    public string Subject { get; }

    /// <summary>Each violation found.</summary>
    public IReadOnlyList<string> Violations { get; }
}
