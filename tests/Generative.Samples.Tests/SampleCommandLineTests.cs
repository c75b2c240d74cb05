using Generative.Samples.Digits;
using Generative.Samples.TabularSynthesis;

namespace Generative.Samples.Tests;

/// <summary>The command lines of the digits and tabular samples: options, the older positional form, bad values, help. Nothing trains.</summary>
public sealed class SampleCommandLineTests
{
    [Theory]
    [InlineData("--diffusion-steps", "abc")]
    [InlineData("--gan-steps", "1e3")]
    [InlineData("--sampler-steps", "0")]
    [InlineData("--sampler-steps", "1001")]
    [InlineData("--images", "-5")]
    [InlineData("--classifier-epochs", "ten")]
    [InlineData("--seed", "99999999999999999999")]
    [InlineData("--sampler", "euler")]
    public void Digits_bad_value_exits_2_with_a_message_naming_the_option(string option, string value)
    {
        var (code, output, error, settings) = RunDigits(option, value);

        code.Should().Be(2);
        settings.Should().BeNull("nothing runs after a bad command line");
        output.Should().BeEmpty();
        error.Should().Contain($"{option}: '{value}'").And.Contain("run with --help for the options");
        error.Should().NotContain("Usage", "an error prints the error, not the whole usage");
    }

    [Fact]
    public void Digits_bad_positional_value_names_the_option_it_stands_for()
    {
        var (code, _, error, settings) = RunDigits("500", "many");

        code.Should().Be(2);
        settings.Should().BeNull();
        error.Should().Contain("--gan-steps: 'many' is not a whole number");
    }

    [Fact]
    public void Digits_options_reach_the_settings()
    {
        var (code, _, error, settings) = RunDigits(
            "--diffusion-steps", "20000", "--gan-steps", "30000", "--sampler", "DDIM", "--sampler-steps", "50",
            "--images", "40", "--classifier-epochs", "0", "--output", "out dir", "--seed", "7");

        error.Should().BeEmpty();
        code.Should().Be(0);
        settings.Should().Be(new DigitsSettings(20_000, 30_000, "ddim", 50, 40, 0, "out dir", 7));
    }

    [Fact]
    public void Digits_positional_form_of_the_readme_still_works()
    {
        var (code, _, _, settings) = RunDigits("500", "1000", "ddpm", "250", "digits-output");
        code.Should().Be(0);
        settings.Should().Be(new DigitsSettings());

        (code, _, _, settings) = RunDigits("20000", "20000");
        code.Should().Be(0);
        settings.Should().Be(new DigitsSettings() with { DiffusionSteps = 20_000, GanSteps = 20_000 });

        (code, _, _, settings) = RunDigits();
        code.Should().Be(0);
        settings.Should().Be(new DigitsSettings());
    }

    [Fact]
    public void Digits_too_many_positional_values_exit_2()
    {
        var (code, _, error, settings) = RunDigits("500", "1000", "ddpm", "250", "out", "extra");

        code.Should().Be(2);
        settings.Should().BeNull();
        error.Should().Contain("'extra'");
    }

    [Fact]
    public void Digits_help_lists_the_options_and_runs_nothing()
    {
        var (code, output, error, settings) = RunDigits("--help");

        code.Should().Be(0);
        settings.Should().BeNull();
        error.Should().BeEmpty();
        output.Should().Contain("--diffusion-steps").And.Contain("--sampler").And.Contain("--output").And.Contain("[default: 500]");
    }

    [Theory]
    [InlineData("--diffusion-steps", "-1")]
    [InlineData("--gan-steps", "2,000")]
    [InlineData("--synthetic-per-real", "0")]
    [InlineData("--seed", "x")]
    public void Tabular_bad_value_exits_2_with_a_message_naming_the_option(string option, string value)
    {
        var (code, output, error, settings) = RunTabular(option, value);

        code.Should().Be(2);
        settings.Should().BeNull();
        output.Should().BeEmpty();
        error.Should().Contain($"{option}: '{value}'").And.Contain("run with --help for the options");
    }

    [Fact]
    public void Tabular_positional_form_of_the_docs_still_works_and_zero_skips_a_model()
    {
        // docs/scaling.md ran "-- 2000 0 /tmp/tab-out" before the options existed.
        var (code, _, _, settings) = RunTabular("2000", "0", "/tmp/tab-out");

        code.Should().Be(0);
        settings.Should().Be(new TabularSettings(DiffusionSteps: 2000, GanSteps: 0, OutputDirectory: "/tmp/tab-out"));
    }

    [Fact]
    public void Tabular_options_reach_the_settings()
    {
        var (code, _, _, settings) = RunTabular("--gan-steps", "0", "--synthetic-per-real", "5", "--seed", "3", "--output", "o");

        code.Should().Be(0);
        settings.Should().Be(new TabularSettings(DiffusionSteps: 2000, GanSteps: 0, SyntheticPerReal: 5, OutputDirectory: "o", Seed: 3));
    }

    [Fact]
    public void Tabular_help_lists_the_options_and_runs_nothing()
    {
        var (code, output, _, settings) = RunTabular("-h");

        code.Should().Be(0);
        settings.Should().BeNull();
        output.Should().Contain("--diffusion-steps").And.Contain("--gan-steps").And.Contain("--synthetic-per-real");
    }

    private static (int Code, string Output, string Error, DigitsSettings? Settings) RunDigits(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        DigitsSettings? settings = null;
        int code = DigitsCommand.Run(args, output, error, s => settings = s);
        return (code, output.ToString(), error.ToString(), settings);
    }

    private static (int Code, string Output, string Error, TabularSettings? Settings) RunTabular(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        TabularSettings? settings = null;
        int code = TabularCommand.Run(args, output, error, s => settings = s);
        return (code, output.ToString(), error.ToString(), settings);
    }
}
