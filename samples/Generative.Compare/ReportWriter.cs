using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Generative.Comparison;

namespace Generative.Compare;

/// <summary>Writes the report folder: report.md, report.html (self-contained), results.json and the pictures.</summary>
internal static class ReportWriter
{
    public static void Write(ComparisonResult result, ComparisonData data, string folder, string command)
    {
        Directory.CreateDirectory(folder);
        var pictures = new List<(string Title, string File)>();
        foreach (var artifact in result.Artifacts)
        {
            string file = $"samples-{Slug(artifact.Contender)}.png";
            string path = Path.Combine(folder, file);
            if (data.Kind is ComparisonDataKind.Digits or ComparisonDataKind.StackedDigits)
            {
                Pictures.ImageGrid(path, artifact.Samples);
            }
            else
            {
                Pictures.Scatter(path, $"{artifact.Contender} on {result.Dataset}", data, artifact.Samples);
            }

            pictures.Add(($"{artifact.Contender} (seed {artifact.Seed})", file));
        }

        if (data.Kind is ComparisonDataKind.Digits or ComparisonDataKind.StackedDigits)
        {
            Pictures.ImageGrid(Path.Combine(folder, "samples-real.png"), data.TrainSamples);
            pictures.Insert(0, ("real data", "samples-real.png"));
        }

        var curves = result.Artifacts
            .GroupBy(a => result.Contenders.First(c => c.Name == a.Contender).Trainer)
            .Select(g =>
            {
                var history = g.First().LossHistory;
                string key = history.ContainsKey("loss") ? "loss" : history.ContainsKey("critic") ? "critic" : history.Keys.FirstOrDefault() ?? "loss";
                IReadOnlyList<(long, double)> points = history.TryGetValue(key, out var p) ? p.Select(x => (x.Step, x.Value)).ToList() : [];
                return ($"{g.Key} ({key})", points);
            })
            .ToList();
        Pictures.LossCurves(Path.Combine(folder, "losses.png"), curves);
        var (qualityKey, qualityTitle) = data.Kind switch
        {
            ComparisonDataKind.Mixture => ("highQualityFraction", "fraction of high-quality samples (higher is better)"),
            ComparisonDataKind.Table => ("tstrAccuracy", "train-on-synthetic / test-on-real accuracy (higher is better)"),
            _ => ("frechetDistance", "Fréchet distance (lower is better)"),
        };
        Pictures.SpeedVersusQuality(Path.Combine(folder, "speed-vs-quality.png"), result.Contenders, qualityKey, qualityTitle);
        File.WriteAllText(Path.Combine(folder, "results.json"), result.ToJson());

        string markdown = Markdown(result, data, command, pictures);
        File.WriteAllText(Path.Combine(folder, "report.md"), markdown);
        File.WriteAllText(Path.Combine(folder, "report.html"), Html(result, data, command, pictures, folder));
    }

    private static string Markdown(ComparisonResult result, ComparisonData data, string command, List<(string Title, string File)> pictures)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# GANs versus diffusion on {result.Dataset}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Command: `{command}`");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}. " +
            $"Training samples: {result.TrainCount}; budget per contender: {result.Budget}; seeds: {string.Join(", ", result.Seeds)}; " +
            $"{result.SampleCount} samples per contender; total time {result.TotalTime.TotalSeconds:F0} s.");
        if (result.ClassifierAccuracy is { } accuracy)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Image metrics use the features of a digit classifier with held-out accuracy {accuracy:P1}.");
        }

        md.AppendLine();
        var columns = ConsoleReport.MetricColumns(data.Kind);
        md.Append("| contender | family | sampler | NFE/sample | params | train s | steps | samples/s |");
        foreach (var (_, title) in columns)
        {
            md.Append(CultureInfo.InvariantCulture, $" {title} |");
        }

        md.AppendLine(" loss variance | divergences |");
        md.Append("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |");
        md.AppendLine(string.Concat(Enumerable.Repeat(" ---: |", columns.Count + 2)));
        foreach (var row in result.Contenders)
        {
            md.Append(CultureInfo.InvariantCulture,
                $"| {row.Name} | {row.Family.ToString().ToLowerInvariant()} | {row.Sampler} | {row.NetworkEvaluationsPerSample} | {row.ParameterCount:N0} | {ConsoleReport.Format(row.TrainSeconds, "trainSeconds", true)} | {row.TrainSteps.Mean:N0} | {row.SamplesPerSecond.Mean:N0} |");
            foreach (var (key, _) in columns)
            {
                md.Append(CultureInfo.InvariantCulture, $" {(row.Metrics.TryGetValue(key, out var m) ? ConsoleReport.Format(m, key, true) : "—")} |");
            }

            md.AppendLine(CultureInfo.InvariantCulture, $" {ConsoleReport.Format(row.LossVariance, "lossVariance", false)} | {row.DivergenceEvents.Mean:0.#} |");
        }

        md.AppendLine();
        md.AppendLine("Values are means over the seeds (± sample standard deviation with several seeds). NFE: network evaluations per sample. " +
            "Loss variance: variance of the primary loss (the denoising loss; the critic's loss for a GAN) over the last 100 logged steps. " +
            "Divergences: non-finite steps handled by the trainer plus loss spikes. See docs/metrics.md for every metric's definition.");
        if (result.SampleEfficiency.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Sample efficiency");
            md.AppendLine();
            md.Append("| contender | fraction | training samples |");
            foreach (var (_, title) in columns)
            {
                md.Append(CultureInfo.InvariantCulture, $" {title} |");
            }

            md.AppendLine();
            md.Append("| --- | ---: | ---: |");
            md.AppendLine(string.Concat(Enumerable.Repeat(" ---: |", columns.Count)));
            foreach (var point in result.SampleEfficiency.OrderBy(p => p.Contender, StringComparer.Ordinal).ThenBy(p => p.Fraction))
            {
                md.Append(CultureInfo.InvariantCulture, $"| {point.Contender} | {point.Fraction:0.##} | {point.TrainCount} |");
                foreach (var (key, _) in columns)
                {
                    md.Append(CultureInfo.InvariantCulture, $" {(point.Metrics.TryGetValue(key, out var m) ? ConsoleReport.Format(m, key, true) : "—")} |");
                }

                md.AppendLine();
            }
        }

        md.AppendLine();
        md.AppendLine("## Samples");
        md.AppendLine();
        foreach (var (title, file) in pictures)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"### {title}");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"![{title}]({file})");
            md.AppendLine();
        }

        md.AppendLine("## Training losses");
        md.AppendLine();
        md.AppendLine("![losses](losses.png)");
        md.AppendLine();
        md.AppendLine("## Sampling speed versus quality");
        md.AppendLine();
        md.AppendLine("![speed versus quality](speed-vs-quality.png)");
        return md.ToString();
    }

    private static string Html(ComparisonResult result, ComparisonData data, string command, List<(string Title, string File)> pictures, string folder)
    {
        string markdown = Markdown(result, data, command, pictures);
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>GANs versus diffusion</title>");
        html.AppendLine("<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child{text-align:left}img{max-width:100%}code{background:#f4f4f4}</style></head><body>");
        bool inTable = false;
        foreach (string raw in markdown.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.StartsWith('|'))
            {
                if (line.Contains("---", StringComparison.Ordinal))
                {
                    continue;
                }

                string[] cells = line.Trim('|').Split('|');
                html.Append(inTable ? "<tr>" : "<table><tr>");
                string tag = inTable ? "td" : "th";
                foreach (string cell in cells)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<{tag}>{WebUtility.HtmlEncode(cell.Trim())}</{tag}>");
                }

                html.AppendLine("</tr>");
                inTable = true;
                continue;
            }

            if (inTable)
            {
                html.AppendLine("</table>");
                inTable = false;
            }

            if (line.StartsWith("![", StringComparison.Ordinal))
            {
                string file = line[(line.LastIndexOf("](", StringComparison.Ordinal) + 2)..^1];
                string base64 = Convert.ToBase64String(File.ReadAllBytes(Path.Combine(folder, file)));
                html.AppendLine(CultureInfo.InvariantCulture, $"<p><img alt=\"{WebUtility.HtmlEncode(file)}\" src=\"data:image/png;base64,{base64}\"></p>");
            }
            else if (line.StartsWith("### ", StringComparison.Ordinal))
            {
                html.AppendLine(CultureInfo.InvariantCulture, $"<h3>{WebUtility.HtmlEncode(line[4..])}</h3>");
            }
            else if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                html.AppendLine(CultureInfo.InvariantCulture, $"<h2>{WebUtility.HtmlEncode(line[3..])}</h2>");
            }
            else if (line.StartsWith("# ", StringComparison.Ordinal))
            {
                html.AppendLine(CultureInfo.InvariantCulture, $"<h1>{WebUtility.HtmlEncode(line[2..])}</h1>");
            }
            else if (line.Length > 0)
            {
                html.AppendLine(CultureInfo.InvariantCulture, $"<p>{WebUtility.HtmlEncode(line).Replace("`", string.Empty, StringComparison.Ordinal)}</p>");
            }
        }

        if (inTable)
        {
            html.AppendLine("</table>");
        }

        html.AppendLine("</body></html>");
        return html.ToString();
    }

    private static string Slug(string name) =>
        new(name.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray());
}
