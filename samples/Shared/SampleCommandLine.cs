using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Generative.Samples;

/// <summary>
/// What the samples' command lines share (System.CommandLine underneath): options whose bad values are reported with
/// the option's name, and one way out for a bad command line — the error, a pointer to <c>--help</c>, exit code 2.
/// </summary>
internal static class SampleCommandLine
{
    /// <summary>The line printed after an error instead of the whole usage.</summary>
    public const string HelpHint = "run with --help for the options";

    /// <summary>The exit code of a bad command line.</summary>
    public const int UsageExitCode = 2;

    /// <summary>An option taking a whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Option<long> WholeNumber(string name, string description, long defaultValue, long min, long max) => new(name)
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : defaultValue.ToString(CultureInfo.InvariantCulture);
            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) && n >= min && n <= max)
            {
                return n;
            }

            result.AddError($"{name}: '{text}' is not a whole number from {min} to {max}.");
            return defaultValue;
        },
    };

    /// <summary>An option taking one of <paramref name="choices"/> (case-insensitive; the value is returned in lower case).</summary>
    public static Option<string> OneOf(string name, string description, string defaultValue, params string[] choices) => new(name)
    {
        Description = description,
        HelpName = string.Join('|', choices),
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : defaultValue;
            string value = text.Trim().ToLowerInvariant();
            if (choices.Contains(value, StringComparer.Ordinal))
            {
                return value;
            }

            result.AddError($"{name}: '{text}' is not one of {string.Join(", ", choices)}.");
            return defaultValue;
        },
    };

    /// <summary>An option taking a text (a folder or file path).</summary>
    public static Option<string> Text(string name, string helpName, string description, string defaultValue) => new(name)
    {
        Description = description,
        HelpName = helpName,
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary>
    /// The positional form of earlier versions (<c>500 1000 ddpm</c>): leading values that are not options are rewritten
    /// to the options they stood for, in order, so that their errors name the option too. Values beyond
    /// <paramref name="positionalOptions"/> are left as they are, for the parser to report.
    /// </summary>
    public static IReadOnlyList<string> FromPositional(IReadOnlyList<string> args, params string[] positionalOptions)
    {
        int count = Math.Min(args.TakeWhile(a => !a.StartsWith('-')).Count(), positionalOptions.Length);
        if (count == 0)
        {
            return args;
        }

        var rewritten = new List<string>(args.Count + count);
        for (int i = 0; i < count; i++)
        {
            rewritten.Add(positionalOptions[i]);
            rewritten.Add(args[i]);
        }

        rewritten.AddRange(args.Skip(count));
        return rewritten;
    }

    /// <summary>
    /// Parses <paramref name="args"/>: <c>--help</c> prints the options (exit 0); a bad command line prints its errors and
    /// <see cref="HelpHint"/> to <paramref name="error"/> (exit <see cref="UsageExitCode"/>); otherwise <paramref name="run"/>
    /// gets the result and its return value is the exit code. Exceptions of <paramref name="run"/> propagate.
    /// </summary>
    public static int Invoke(RootCommand command, IReadOnlyList<string> args, TextWriter output, TextWriter error, Func<ParseResult, int> run)
    {
        var parsed = command.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction)
        {
            foreach (var e in parsed.Errors)
            {
                error.WriteLine("error: " + e.Message);
            }

            error.WriteLine(HelpHint);
            return UsageExitCode;
        }

        command.SetAction(run);
        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }
}
