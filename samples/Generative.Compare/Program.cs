using System.Diagnostics;
using Generative;
using Generative.Comparison;
using Generative.Compare;
using Spectre.Console;

// The main job: dotnet run --project samples/Generative.Compare -c Release [-- options]   (--help lists them)
return CommandLine.Invoke(args, Console.Out, Console.Error, options => Compare(options, args));

static int Compare(CommandLine options, string[] args)
{
    // The command times the library as an application gets it by default: no heap trims and no forced collections
    // (NativeMemoryPolicy.Off). An opt-in sampling trim lands its cost (the call and the re-faulted pages) on whichever
    // timed turn follows, and moved DDIM-50 / DDPM-1000 from about 20x to 18x here (docs/performance.md, "Memory").
    bool isTable;
    try
    {
        isTable = TableData.IsTable(options);
    }
    catch (Exception e) when (e is ArgumentException or IOException or FormatException or InvalidDataException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"error: cannot use the data set '{options.Dataset}': {e.Message}");
        return 2;
    }

    if (isTable)
    {
        return TableCommand.Run(options, args, Console.Out, Console.Error);
    }

    ComparisonData data;
    try
    {
        data = DataLoading.Load(options);
    }
    catch (Exception e) when (e is ArgumentException or IOException or FormatException or InvalidDataException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"error: cannot use the data set '{options.Dataset}': {e.Message}");
        return 2;
    }

    if (Console.IsOutputRedirected)
    {
        // A log file or a pipe: lay the results table out wide instead of folding it into 80 columns.
        AnsiConsole.Profile.Width = 200;
    }

    using var cancellation = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        cancellation.Cancel();
    };

    TorchSharp.torch.set_num_threads(options.Threads);
    using (data)
    {
        var budget = options.Budget ?? CommandLine.DefaultBudget(data);
        if (options.CurveEvery is long every)
        {
            return LearningCurve.Run(options, data, budget, every, cancellation.Token);
        }

        var comparisonOptions = new ComparisonOptions
        {
            Budget = budget,
            Seeds = options.Seeds,
            SampleCount = options.Samples,
            SampleEfficiencyFractions = options.Fractions,
            Contenders = options.Contenders is null ? null : ContenderRegistry.Default.Create(options.Contenders),
        };
        var runner = new ComparisonRunner(data, comparisonOptions);
        AnsiConsole.MarkupLine(
            $"[bold]Comparing[/] {string.Join(", ", runner.Contenders.SelectMany(c => c.Samplers.Count == 1 ? [c.Name] : c.Samplers.Select(s => s.Name)))} " +
            $"on [bold]{Markup.Escape(data.Name)}[/] ({data.Count} training samples, data seed {options.DataSeed}), budget {budget}, seeds {string.Join(",", options.Seeds)}, {options.Samples} samples each.");

        ComparisonResult result;
        var clock = Stopwatch.StartNew();
        try
        {
            result = options.Quiet || Console.IsOutputRedirected
                ? runner.Run(new PlainProgress(), cancellation.Token)
                : RunWithProgressBars(runner, options, cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("Cancelled.");
            return 130;
        }

        using (result)
        {
            ConsoleReport.Print(result, data.Kind);
            string folder = Path.GetFullPath(options.Output);
            ReportWriter.Write(result, data, folder, "dotnet run --project samples/Generative.Compare -c Release" + (args.Length > 0 ? " -- " + string.Join(' ', args) : string.Empty));
            if (options.Json is not null)
            {
                string jsonPath = Path.GetFullPath(options.Json);
                Directory.CreateDirectory(Path.GetDirectoryName(jsonPath)!);
                File.WriteAllText(jsonPath, result.ToJson());
                AnsiConsole.MarkupLine($"JSON: [link]{Markup.Escape(jsonPath)}[/]");
            }

            AnsiConsole.MarkupLine($"Report: [link]{Markup.Escape(Path.Combine(folder, "report.md"))}[/] (and report.html). Total {clock.Elapsed.TotalSeconds:F0} s.");
        }
    }

    return 0;
}

static ComparisonResult RunWithProgressBars(ComparisonRunner runner, CommandLine options, CancellationToken token)
{
    ComparisonResult? result = null;
    AnsiConsole.Progress()
        .AutoClear(false)
        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
        .Start(ctx =>
        {
            var tasks = new Dictionary<string, ProgressTask>();

            // A task is done when the next one starts, or when the run is: it shows 100 % and keeps its final time.
            // (StopTime, not IsFinished: a task whose training reached its last step counts as finished while it still samples.)
            void FinishAll()
            {
                foreach (var t in tasks.Values.Where(t => t.StopTime is null))
                {
                    t.Value = t.MaxValue;
                    t.StopTask();
                }
            }

            var progress = new SynchronousProgress(p =>
            {
                if (p.Phase == "done")
                {
                    FinishAll();
                    return;
                }

                string key = $"{p.Contender} seed {p.Seed}" + (p.Fraction < 1 ? $" ({p.Fraction:P0} of data)" : string.Empty);
                if (!tasks.TryGetValue(key, out var task))
                {
                    FinishAll();
                    task = ctx.AddTask(Markup.Escape(key), maxValue: p.TotalSteps ?? options.Budget?.Duration?.TotalSeconds ?? 1);
                    tasks[key] = task;
                }

                if (p.Phase == "training")
                {
                    // A step budget counts steps; a duration budget counts seconds (Spectre caps the value at the maximum).
                    task.Value = p.TotalSteps is not null ? p.Step : task.ElapsedTime?.TotalSeconds ?? 0;
                    task.Description = Markup.Escape(p.Loss is { } loss ? $"{key}: training, loss {loss:G4}" : $"{key}: training");
                }
                else
                {
                    task.Description = Markup.Escape($"{key}: {p.Phase}");
                }
            });
            result = runner.Run(progress, token);
            FinishAll();
        });
    return result!;
}

internal sealed class SynchronousProgress(Action<ComparisonProgress> report) : IProgress<ComparisonProgress>
{
    public void Report(ComparisonProgress value) => report(value);
}

internal sealed class PlainProgress : IProgress<ComparisonProgress>
{
    private string _last = string.Empty;
    private long _lastStep = -1;

    public void Report(ComparisonProgress value)
    {
        string key = $"{value.Phase} {value.Contender} seed {value.Seed}" + (value.Fraction < 1 ? $" fraction {value.Fraction}" : string.Empty);
        if (value.Phase == "training")
        {
            if (key != _last || value.Step - _lastStep >= 5000)
            {
                Console.WriteLine($"  {key}: step {value.Step}{(value.TotalSteps is { } t ? "/" + t : string.Empty)}{(value.Loss is { } loss ? $", loss {loss:G4}" : string.Empty)}");
                _lastStep = value.Step;
            }
        }
        else if (key != _last && value.Phase != "done")
        {
            Console.WriteLine($"  {key}");
        }

        _last = key;
    }
}
