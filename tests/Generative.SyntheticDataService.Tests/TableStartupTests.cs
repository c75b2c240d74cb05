using Generative.Data.BuiltIn;
using Generative.Tabular;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace Generative.SyntheticDataService.Tests;

/// <summary>A tabular model that cannot be served stops the service at start, with a message naming the model and why.</summary>
public sealed class TableStartupTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "generative-table-startup-" + Guid.NewGuid().ToString("N"));

    public TableStartupTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static async Task<Exception> StartFails(params string[] settings)
    {
        await using var app = SyntheticDataServiceApp.Build(
            ["--urls=http://127.0.0.1:0", "--SyntheticDataService:ReadyModel:Enabled=false", "--Logging:LogLevel:Default=None", .. settings]);
        var start = async () => await app.StartAsync();
        return (await start.Should().ThrowAsync<Exception>()).Which;
    }

    [Fact]
    public async Task A_folder_that_does_not_exist_is_refused_naming_the_model_and_the_key()
    {
        string missing = Path.Combine(_root, "nowhere");
        var error = await StartFails($"--Generative:Tables:orders:Path={missing}");
        error.Should().BeOfType<OptionsValidationException>();
        error.Message.Should().Contain("Tabular model 'orders'").And.Contain("Generative:Tables:orders:Path").And.Contain("does not exist");
    }

    [Fact]
    public async Task A_folder_without_synthesizer_json_and_an_unknown_key_are_refused()
    {
        var error = await StartFails($"--Generative:Tables:orders:Path={_root}", "--Generative:Tables:orders:MaxRows=5");
        error.Message.Should().Contain("'Generative:Tables:orders:MaxRows' is not a known setting");
        error = await StartFails($"--Generative:Tables:orders:Path={_root}");
        error.Message.Should().Contain("holds no synthesizer.json");
    }

    [Fact]
    public async Task A_saved_model_naming_an_unregistered_synthesizer_stops_the_start_naming_the_model_folder_and_value()
    {
        string folder = Path.Combine(_root, "penguins");
        using (var generator = new torch.Generator(0))
        {
            GaussianCopula.Fit(Tables.LoadPenguins(), generator).Save(folder);
        }

        string header = Path.Combine(folder, TableSynthesizerFile.FileName);
        File.WriteAllText(header, File.ReadAllText(header).Replace("\"copula\"", "\"no-such-model\"", StringComparison.Ordinal));
        var error = await StartFails($"--Generative:Tables:penguins:Path={folder}");
        error.Should().BeOfType<InvalidOperationException>();
        error.Message.Should().Contain("Tabular model 'penguins' could not be loaded from").And.Contain("'no-such-model'");
    }

    [Fact]
    public void Tabular_and_other_models_share_one_namespace_of_names()
    {
        var act = () => SyntheticDataServiceApp.Build(
            ["--urls=http://127.0.0.1:0", "--SyntheticDataService:ReadyModel:Enabled=false", "--Generative:Tables:wine:Path=x"],
            builder => Microsoft.Extensions.DependencyInjection.GenerativeServiceCollectionExtensions.AddGenerative(builder.Services)
                .AddModel("WINE", _ => Generative.Extensions.DependencyInjection.Tests.FakeGenerativeModel.Table()));
        act.Should().Throw<ArgumentException>().WithMessage("*tabular model named 'wine' is already registered*");
    }
}
