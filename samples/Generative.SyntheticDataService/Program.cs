namespace Generative.SyntheticDataService;

/// <summary>Entry point: <c>dotnet run --project samples/Generative.SyntheticDataService</c>.</summary>
public static class Program
{
    /// <summary>Builds and runs the service until it is stopped (Ctrl+C).</summary>
    public static async Task Main(string[] args)
    {
        await using var app = SyntheticDataServiceApp.Build(args);
        await app.RunAsync();
    }
}
