using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace Generative.Comparison;

/// <summary>Writes a comparison's report folder: report.md, report.html (self-contained), results.json and the pictures.</summary>
public static class ReportWriter
{
    /// <summary>Writes the report of <paramref name="result"/> into <paramref name="folder"/> (created if missing; files of the same names are replaced).</summary>
    /// <param name="result">The comparison's result.</param>
    /// <param name="data">The data the contenders were trained on (the pictures show it beside their samples).</param>
    /// <param name="folder">The report folder.</param>
    /// <param name="command">The command line that produced the result, quoted in the report so that a reader can rerun it.</param>
    public static void Write(ComparisonResult result, ComparisonData data, string folder, string command)
    {
        Directory.CreateDirectory(folder);
        bool images = data.Kind is ComparisonDataKind.Digits or ComparisonDataKind.StackedDigits;
        bool table = !images && UsesTablePictures(data);
        var pictures = new List<Picture>();
        if (images)
        {
            Pictures.ImageGrid(Path.Combine(folder, "samples-real.png"), data.TrainSamples);
            pictures.Add(new Picture("real data", [("real data", "samples-real.png")]));
        }

        // The runner keeps the first seed's samples; should several seeds' be kept, the seed goes into the file names so
        // that none overwrites another.
        bool severalSeeds = result.Artifacts.Select(a => a.Seed).Distinct().Count() > 1;
        foreach (var artifact in result.Artifacts)
        {
            string slug = Slug(artifact.Contender) + (severalSeeds ? $"-seed-{artifact.Seed}" : string.Empty);
            string title = $"{artifact.Contender} (seed {artifact.Seed})";
            if (images)
            {
                string file = $"samples-{slug}.png";
                Pictures.ImageGrid(Path.Combine(folder, file), artifact.Samples);
                pictures.Add(new Picture(title, [(title, file)]));
            }
            else if (table)
            {
                string columns = $"columns-{slug}.png", correlations = $"correlations-{slug}.png";
                string name = $"{artifact.Contender} on {result.Dataset}";
                Pictures.ColumnHistograms(Path.Combine(folder, columns), name, data.ReferenceSamples, artifact.Samples, data.FeatureNames);
                Pictures.CorrelationMaps(Path.Combine(folder, correlations), name, data.ReferenceSamples, artifact.Samples, artifact.Contender);
                pictures.Add(new Picture(title, [($"{title}: column histograms", columns), ($"{title}: correlations", correlations)]));
            }
            else
            {
                string file = $"samples-{slug}.png";
                Pictures.Scatter(Path.Combine(folder, file), $"{artifact.Contender} on {result.Dataset}", data, artifact.Samples);
                pictures.Add(new Picture(title, [(title, file)]));
            }
        }

        Pictures.LossCurves(Path.Combine(folder, "losses.png"), LossPanels(result));
        var (qualityKey, qualityTitle) = data.Kind switch
        {
            ComparisonDataKind.Mixture => ("highQualityFraction", "high-quality samples (higher is better)"),
            ComparisonDataKind.Table => ("tstrAccuracy", "train-on-synthetic / test-on-real accuracy (higher is better)"),
            _ => ("frechetDistance", "Fréchet distance (lower is better)"),
        };
        Pictures.SpeedVersusQuality(Path.Combine(folder, "speed-vs-quality.png"), result.Contenders, qualityKey, qualityTitle);
        Pictures.Frontier(Path.Combine(folder, "frontier.png"), result.Contenders, qualityKey, qualityTitle);
        File.WriteAllText(Path.Combine(folder, "results.json"), result.ToJson());

        string markdown = Markdown(result, data, command, pictures, table);
        File.WriteAllText(Path.Combine(folder, "report.md"), markdown);
        File.WriteAllText(Path.Combine(folder, "report.html"), Html(markdown, folder));
    }

    /// <summary>
    /// Whether the samples are shown as per-column histograms and correlation maps: labelled tables, and vectors of more
    /// than two columns (a scatter of two of them would hide the rest). 2-D points keep the scatter over the real data.
    /// </summary>
    internal static bool UsesTablePictures(ComparisonData data) =>
        data.Kind == ComparisonDataKind.Table
        || (data.Kind is ComparisonDataKind.Vectors or ComparisonDataKind.Mixture && data.SampleShape.Rank == 1 && data.SampleShape[0] > 2);

    // One panel per trainer (the diffusion samplers share one trained model), one curve per seed.
    internal static List<LossPanel> LossPanels(ComparisonResult result)
    {
        var trainerOf = result.Contenders.ToDictionary(c => c.Name, c => c.Trainer, StringComparer.Ordinal);
        return result.Artifacts
            .GroupBy(a => trainerOf.TryGetValue(a.Contender, out var t) ? t : a.Contender, StringComparer.Ordinal)
            .Select(g =>
            {
                var bySeed = g.GroupBy(a => a.Seed).Select(s => s.First()).ToList();
                var history = bySeed[0].LossHistory;
                string key = history.ContainsKey("loss") ? "loss" : history.ContainsKey("critic") ? "critic" : history.Keys.FirstOrDefault() ?? "loss";
                var curves = bySeed
                    .Select(a => ($"seed {a.Seed}", (IReadOnlyList<(long Step, double Value)>)(a.LossHistory.TryGetValue(key, out var p) ? p.Select(x => (x.Step, x.Value)).ToList() : [])))
                    .ToList();
                return new LossPanel($"{g.Key} ({key})", curves);
            })
            .ToList();
    }

    private static string Markdown(ComparisonResult result, ComparisonData data, string command, List<Picture> pictures, bool table)
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
        var columns = MetricFormat.MetricColumns(data.Kind);
        md.Append("| contender | family | sampler | NFE/sample | params | train s | steps | updates | train NFE | samples/s |");
        foreach (var (_, title) in columns)
        {
            md.Append(CultureInfo.InvariantCulture, $" {title} |");
        }

        md.AppendLine(" loss variance | divergences |");
        md.Append("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        md.AppendLine(string.Concat(Enumerable.Repeat(" ---: |", columns.Count + 2)));
        foreach (var row in result.Contenders)
        {
            md.Append(CultureInfo.InvariantCulture,
                $"| {row.Name} | {row.Family.Key} | {row.Sampler} | {row.NetworkEvaluationsPerSample} | {row.ParameterCount:N0} | {MetricFormat.Format(row.TrainSeconds, "trainSeconds", true)} | {row.TrainSteps.Mean:N0} | {MetricFormat.FormatUpdates(row)} | {MetricFormat.FormatTrainingEvaluations(row)} | {MetricFormat.FormatRate(row)} |");
            foreach (var (key, _) in columns)
            {
                md.Append(CultureInfo.InvariantCulture, $" {(row.Metrics.TryGetValue(key, out var m) ? MetricFormat.Format(m, key, true) : "—")} |");
            }

            md.AppendLine(CultureInfo.InvariantCulture, $" {MetricFormat.Format(row.LossVariance, "lossVariance", false)} | {row.DivergenceEvents.Mean:0.#} |");
        }

        md.AppendLine();
        md.AppendLine("Values are means over the seeds (± sample standard deviation with several seeds). NFE/sample: network evaluations per sample. " +
            "Steps: training steps (a GAN step is a critic update); updates: optimiser updates per network; train NFE: network evaluations of training, " +
            "forward plus backward passes of every network over one batch (a GAN's gradient penalty counts 1 forward and 2 backward passes of the critic; see TrainingCost). " +
            "Samples/s: the median rate of the timed sampling batches (every row's batches drawn in turns, after the same one-batch warm-up), " +
            "with the lowest and highest batch in brackets. " +
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
                    md.Append(CultureInfo.InvariantCulture, $" {(point.Metrics.TryGetValue(key, out var m) ? MetricFormat.Format(m, key, true) : "—")} |");
                }

                md.AppendLine();
            }
        }

        md.AppendLine();
        md.AppendLine("## Samples");
        md.AppendLine();
        if (table)
        {
            md.AppendLine("For each contender: every column's histogram, real rows (grey) against synthetic ones (blue) on shared bins that span the real values " +
                "(the share of synthetic values beyond them is printed in the panel), then the correlations between columns of the real rows, " +
                "of the synthetic rows and their difference, on one colour scale from −1 to 1.");
            md.AppendLine();
        }

        foreach (var picture in pictures)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"### {picture.Title}");
            md.AppendLine();
            foreach (var (alt, file) in picture.Files)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"![{alt}]({file})");
                md.AppendLine();
            }
        }

        md.AppendLine("## Training losses");
        md.AppendLine();
        md.AppendLine("One panel per trainer, each on its own scale (the diffusion samplers share one trained model).");
        md.AppendLine();
        md.AppendLine("![losses](losses.png)");
        md.AppendLine();
        md.AppendLine("## Sampling speed versus quality");
        md.AppendLine();
        md.AppendLine("![speed versus quality](speed-vs-quality.png)");
        md.AppendLine();
        md.AppendLine("## Speed–quality frontier");
        md.AppendLine();
        md.AppendLine("Quality (and the modes captured, where the data have modes) against the network evaluations per sample (NFE, log scale), " +
            "one point per row, the rows of one trained model joined in NFE order. NFE counts every call of a network per sample: " +
            "1 for a GAN's generator, the steps of a diffusion sampler, steps × evaluations per step for a flow solver " +
            "(Heun and midpoint evaluate twice per step, also on the last step: Heun-4 is 8).");
        md.AppendLine();
        md.AppendLine("![speed-quality frontier](frontier.png)");
        return md.ToString();
    }

    private static string Html(string markdown, string folder)
    {
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

    /// <summary>A heading of the report's samples section and its pictures (alternative text and file name).</summary>
    private sealed record Picture(string Title, IReadOnlyList<(string Alt, string File)> Files);
}
