using Generative.Tabular;

namespace Generative.Tests.Tabular;

/// <summary>Small tables with the kinds penguins and Adult lack, made from a seeded System.Random (test data only).</summary>
internal static class TabularFixtures
{
    /// <summary>
    /// Orders: an id, a start date and an end date 0–60 days later (start &lt;= end), an integer quantity 1–20, a
    /// Boolean that follows the quantity, a region and a channel whose combinations are restricted (east never
    /// phone), a continuous amount with two decimals that follows the duration, and a nullable discount (about 30 %
    /// missing).
    /// </summary>
    internal static Table Orders(int rows = 2_000, int seed = 7)
    {
        var random = new Random(seed);
        string[] regions = ["north", "south", "east", "west"];
        string[] channels = ["web", "store", "phone"];
        var ids = new List<string?>();
        var starts = new List<DateTime?>();
        var ends = new List<DateTime?>();
        var quantities = new List<long?>();
        var express = new List<bool?>();
        var region = new List<string?>();
        var channel = new List<string?>();
        var amount = new List<double?>();
        var discount = new List<double?>();
        for (int i = 0; i < rows; i++)
        {
            var start = new DateTime(2024, 1, 1).AddDays(random.Next(366));
            int days = random.Next(61);
            long quantity = 1 + random.Next(20);
            string r = regions[random.Next(4)];
            string c = r == "east" ? channels[random.Next(2)] : channels[random.Next(3)];
            ids.Add($"ORD-{i + 1:D5}");
            starts.Add(start);
            ends.Add(start.AddDays(days));
            quantities.Add(quantity);
            express.Add(quantity + random.Next(10) > 15);
            region.Add(r);
            channel.Add(c);
            amount.Add(Math.Round((quantity * 12.5) + (days * 0.75) + (random.NextDouble() * 20), 2));
            discount.Add(random.NextDouble() < 0.3 ? null : Math.Round(random.NextDouble() * 0.3, 2));
        }

        return new Table(
        [
            TableColumn.Id("order_id", ids),
            TableColumn.DateTime("start", starts),
            TableColumn.DateTime("end", ends),
            TableColumn.Integer("quantity", quantities),
            TableColumn.Boolean("express", express),
            TableColumn.Categorical("region", region),
            TableColumn.Categorical("channel", channel),
            TableColumn.Continuous("amount", amount),
            TableColumn.Continuous("discount", discount),
        ]);
    }

    /// <summary>Three strongly dependent columns: x ~ N(0, 1), y = x + N(0, 0.5²) with one decimal, and a category
    /// 'high'/'mid'/'low' by x + N(0, 0.7²) against ±0.5, plus an integer k = round(2x + N(0, 1)) + 10.</summary>
    internal static Table Dependent(int rows = 4_000, int seed = 11)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var x = new List<double?>();
        var y = new List<double?>();
        var c = new List<string?>();
        var k = new List<long?>();
        for (int i = 0; i < rows; i++)
        {
            double v = Normal();
            x.Add(Math.Round(v, 3));
            y.Add(Math.Round(v + (0.5 * Normal()), 1));
            double s = v + (0.7 * Normal());
            c.Add(s > 0.5 ? "high" : s < -0.5 ? "low" : "mid");
            k.Add((long)Math.Round((2 * v) + Normal()) + 10);
        }

        return new Table([TableColumn.Continuous("x", x), TableColumn.Continuous("y", y), TableColumn.Categorical("c", c), TableColumn.Integer("k", k)]);
    }
}
