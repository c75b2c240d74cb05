using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Generative.SyntheticDataService.Tests;

[Collection(ServiceCollection.Name)]
public sealed class LoadTests(ServiceFixture service)
{
    [Fact]
    public async Task Three_hundred_concurrent_requests_all_succeed_and_equal_seeds_give_equal_bodies()
    {
        const int requests = 300;
        string[] models = ["wine", "moons", "digits"];
        string[] formats = ["json", "csv", "png"];

        // Warm up, then take a managed-memory baseline.
        await service.Client.PostAsync("/models/wine/samples", new StringContent("""{ "count": 1 }""", Encoding.UTF8, "application/json"));
        long baseline = GC.GetTotalMemory(forceFullCollection: true);

        var bodies = new ConcurrentDictionary<string, ConcurrentBag<string>>();
        var failures = new ConcurrentQueue<string>();
        using var gate = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, requests).Select(async i =>
        {
            string model = models[i % 3];
            string format = model switch { "digits" => i % 2 == 0 ? "png" : "json", _ => formats[(i / 3) % 2] };
            int seed = i % 25;
            string key = $"{model}/{format}/{seed}";
            await gate.WaitAsync();
            using var response = await service.Client.PostAsync(
                $"/models/{model}/samples",
                new StringContent($$"""{ "count": 16, "seed": {{seed}}, "format": "{{format}}" }""", Encoding.UTF8, "application/json"));
            byte[] body = await response.Content.ReadAsByteArrayAsync();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                failures.Enqueue($"{key}: {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
                return;
            }

            bodies.GetOrAdd(key, _ => []).Add(Convert.ToBase64String(body));
        }).ToList();
        gate.Release(requests); // all requests leave together
        await Task.WhenAll(tasks);

        failures.Should().BeEmpty();
        bodies.Values.Sum(b => b.Count).Should().Be(requests);
        bodies.Should().OnlyContain(pair => pair.Value.Distinct().Count() == 1, "the same model, format and seed give the same bytes");
        bodies.Keys.Select(k => k.Split('/')[0]).Distinct().Should().HaveCount(3);

        var health = await service.Client.GetAsync("/health");
        health.StatusCode.Should().Be(HttpStatusCode.OK);

        // Memory settles: after a full collection the managed heap is back near its baseline (a loose leak guard: 64 MB).
        long after = GC.GetTotalMemory(forceFullCollection: true);
        (after - baseline).Should().BeLessThan(64L << 20);
    }
}
