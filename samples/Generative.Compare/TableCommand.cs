using System.Diagnostics;
using Generative.Tabular;
using Generative.TabularSynthesis;

namespace Generative.Compare;

/// <summary>The comparison command on a business table (<c>--dataset adult</c>, <c>penguins</c>, or a CSV file):
/// loads and splits the table, runs the tabular synthesizers (<see cref="TableComparison"/>) and writes the summary
/// (<see cref="TableSummary"/>).</summary>
internal static class TableCommand
{
    /// <summary>Runs the tabular comparison; the exit code (0, 2 for a bad data set or contender, 130 when cancelled).</summary>
    public static int Run(CommandLine options, IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        TableData data;
        IReadOnlyList<string> contenders;
        TableCondition? condition = null;
        var registry = TableSynthesizerRegistry.Default;
        try
        {
            data = TableData.Load(options.Dataset, options.Target);
            contenders = TableComparison.Contenders(options.Contenders, registry);
            if (options.Condition is not null)
            {
                condition = TableComparison.ParseCondition(options.Condition, data.Train.Schema);
            }
        }
        catch (Exception e) when (e is ArgumentException or IOException or FormatException or InvalidDataException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot compare on the table '{options.Dataset}': {e.Message.Split(" (Parameter", StringSplitOptions.None)[0]}");
            return 2;
        }

        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler cancel = (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += cancel;
        try
        {
            TorchSharp.torch.set_num_threads(options.Threads);
            output.WriteLine($"Comparing the tabular synthesizers {string.Join(", ", contenders)} on {data.Name} ({data.Train.RowCount} training rows, {data.Holdout.RowCount} held out), seeds {string.Join(",", options.Seeds)}.");
            string folder = Path.GetFullPath(options.Output);
            var clock = Stopwatch.StartNew();
            IReadOnlyList<TableRun> runs;
            try
            {
                runs = TableComparison.Run(data, contenders, options.Seeds, folder, registry, output, cancellation.Token, condition);
            }
            catch (OperationCanceledException)
            {
                error.WriteLine("Cancelled.");
                return 130;
            }

            string command = "dotnet run --project samples/Generative.Compare -c Release" + (args.Count > 0 ? " -- " + string.Join(' ', args) : string.Empty);
            output.WriteLine(TableSummary.Write(data, runs, options.Seeds, folder, command));
            if (options.Json is not null)
            {
                string jsonPath = Path.GetFullPath(options.Json);
                Directory.CreateDirectory(Path.GetDirectoryName(jsonPath)!);
                File.Copy(Path.Combine(folder, "summary.json"), jsonPath, overwrite: true);
            }

            output.WriteLine($"Summary: {Path.Combine(folder, "summary.md")} (and summary.json). Total {clock.Elapsed.TotalSeconds:F0} s.");
            return 0;
        }
        finally
        {
            Console.CancelKeyPress -= cancel;
        }
    }
}
