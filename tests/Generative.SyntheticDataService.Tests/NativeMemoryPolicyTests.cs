namespace Generative.SyntheticDataService.Tests;

/// <summary>The service opts in to the library's memory policy (off by default) from its configuration.</summary>
public sealed class NativeMemoryPolicyTests : IDisposable
{
    private readonly NativeMemoryPolicy _previous = NativeMemoryPolicy.Current;

    public void Dispose() => NativeMemoryPolicy.Current = _previous;

    [Fact]
    public async Task The_service_trims_when_sampling_pauses_for_two_seconds_and_collects_every_thousand_training_steps_by_default()
    {
        NativeMemoryPolicy.Current = NativeMemoryPolicy.Off;
        await using (var app = SyntheticDataServiceApp.Build(["--SyntheticDataService:ReadyModel:Enabled=false"]))
        {
        }

        NativeMemoryPolicy.Current.IdleTrimDelay.Should().Be(TimeSpan.FromSeconds(2));
        NativeMemoryPolicy.Current.SamplingTrimInterval.Should().BeNull("no trim inside a burst by default");
        NativeMemoryPolicy.Current.CollectEveryTrainingSteps.Should().Be(1000);
    }

    [Fact]
    public async Task Configuration_sets_the_interval_or_turns_trimming_off()
    {
        await using (var app = SyntheticDataServiceApp.Build(
            ["--SyntheticDataService:ReadyModel:Enabled=false", "--SyntheticDataService:NativeMemory:SamplingTrimIntervalSeconds=2.5", "--SyntheticDataService:NativeMemory:CollectEveryTrainingSteps=0"]))
        {
        }

        NativeMemoryPolicy.Current.SamplingTrimInterval.Should().Be(TimeSpan.FromSeconds(2.5));
        NativeMemoryPolicy.Current.CollectEveryTrainingSteps.Should().Be(0);

        await using (var app = SyntheticDataServiceApp.Build(["--SyntheticDataService:ReadyModel:Enabled=false", "--SyntheticDataService:NativeMemory:SamplingTrimIntervalSeconds="]))
        {
        }

        NativeMemoryPolicy.Current.SamplingTrimInterval.Should().BeNull("an empty value means never");

        await using (var app = SyntheticDataServiceApp.Build(["--SyntheticDataService:ReadyModel:Enabled=false", "--SyntheticDataService:NativeMemory:IdleTrimSeconds=0.5"]))
        {
        }

        NativeMemoryPolicy.Current.IdleTrimDelay.Should().Be(TimeSpan.FromSeconds(0.5));

        await using (var app = SyntheticDataServiceApp.Build(["--SyntheticDataService:ReadyModel:Enabled=false", "--SyntheticDataService:NativeMemory:IdleTrimSeconds="]))
        {
        }

        NativeMemoryPolicy.Current.IdleTrimDelay.Should().BeNull("an empty value means never");
    }

    [Theory]
    [InlineData("soon", "*SamplingTrimIntervalSeconds is 'soon'*")]
    [InlineData("-1", "SamplingTrimInterval must be between zero*")]
    public void An_invalid_interval_stops_the_start_up_with_a_clear_message(string value, string message)
    {
        var build = () => SyntheticDataServiceApp.Build(["--SyntheticDataService:ReadyModel:Enabled=false", "--SyntheticDataService:NativeMemory:SamplingTrimIntervalSeconds=" + value]);
        build.Should().Throw<Exception>().WithMessage(message);
    }

    [Theory]
    [InlineData("later", "*IdleTrimSeconds is 'later'*")]
    [InlineData("0", "IdleTrimDelay must be more than zero*")]
    public void An_invalid_idle_delay_stops_the_start_up_with_a_clear_message(string value, string message)
    {
        var build = () => SyntheticDataServiceApp.Build(["--SyntheticDataService:ReadyModel:Enabled=false", "--SyntheticDataService:NativeMemory:IdleTrimSeconds=" + value]);
        build.Should().Throw<Exception>().WithMessage(message);
    }
}
