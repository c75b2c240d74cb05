using Generative.Comparison;
using Generative.DenoisingGan;
using Generative.Training;

namespace Generative.Tests.Comparison;

public sealed class DenoisingGanContenderTests
{
    [Fact]
    public void The_ddgan_contenders_run_with_T_network_evaluations_per_sample()
    {
        using var data = ComparisonData.FromBuiltIn("ring", trainCount: 512, seed: 0);
        var options = new ComparisonOptions
        {
            Budget = new ComparisonBudget(200),
            SampleCount = 400,
            Seeds = [0],
            Contenders = ContenderRegistry.Default.Create(["ddgan", "ddgan-2"]),
        };
        using var result = new ComparisonRunner(data, options).Run();

        result.Contenders.Select(c => c.Name).Should().Equal("ddgan-4", "ddgan-2");
        result.Contenders.Select(c => c.NetworkEvaluationsPerSample).Should().Equal(4, 2);
        result.Contenders.Should().OnlyContain(c => c.Family.Key == "ddgan" && c.TrainSteps.Mean == 200);
    }

    [Fact]
    public void Steps_out_of_range_and_data_the_contender_cannot_model_are_refused()
    {
        var zero = () => new DenoisingGanContender(0);
        zero.Should().Throw<ArgumentOutOfRangeException>();
        new DenoisingGanContender(8).Samplers.Single().Should().Match<ContenderSampler>(s => s.Name == "ddgan-8" && s.NetworkEvaluationsPerSample == 8);
        using var labelled = ComparisonData.FromBuiltIn("wine", trainCount: 200, seed: 0);
        var options = new ComparisonOptions { Budget = new ComparisonBudget(2), SampleCount = 100, Seeds = [0], TimedTurns = 1, Contenders = [new DenoisingGanContender(2)] };
        var run = () => new ComparisonRunner(labelled, options).Run().Dispose();
        run.Should().Throw<NotSupportedException>().WithMessage("*unconditional, but the data have 3 classes*");
    }

    [Fact]
    public void The_process_option_reaches_the_trained_model_with_the_contenders_step_count()
    {
        using var data = ComparisonData.FromBuiltIn("ring", trainCount: 256, seed: 0);
        var contender = new DenoisingGanContender(2) { Process = new DenoisingGanProcessOptions { Steps = 7, BetaMin = 0.5, BetaMax = 5 } };
        using var trained = contender.Train(new ContenderTrainingRequest(data, new ComparisonBudget(3), 0, null, CancellationToken.None));

        var process = trained.Model.Should().BeOfType<DenoisingGanModel>().Subject.Process.Options;
        process.Should().Be(new DenoisingGanProcessOptions { Steps = 2, BetaMin = 0.5, BetaMax = 5 });
    }

    [Fact]
    public void A_process_with_bad_options_is_refused_naming_them()
    {
        using var data = ComparisonData.FromBuiltIn("ring", trainCount: 256, seed: 0);
        var contender = new DenoisingGanContender(2) { Process = new DenoisingGanProcessOptions { BetaMin = 5, BetaMax = 1 } };
        var train = () => contender.Train(new ContenderTrainingRequest(data, new ComparisonBudget(3), 0, null, CancellationToken.None)).Dispose();
        train.Should().Throw<ArgumentException>().WithMessage("*BetaMax*");
    }

    [Fact]
    public void The_learning_rate_schedule_reaches_the_trainer_and_defaults_to_constant_rates()
    {
        using var data = ComparisonData.FromBuiltIn("ring", trainCount: 256, seed: 0);
        var request = new ContenderTrainingRequest(data, new ComparisonBudget(4), 0, null, CancellationToken.None);
        using var constant = new DenoisingGanContender(2).Train(request);
        using var explicitConstant = new DenoisingGanContender(2) { LearningRateSchedule = LearningRateSchedule.Constant }.Train(request);
        using var cosine = new DenoisingGanContender(2) { LearningRateSchedule = LearningRateSchedule.WarmupCosine(0) }.Train(request);

        using var a = constant.Model.Sample(64, new TorchSharp.torch.Generator(5));
        using var b = explicitConstant.Model.Sample(64, new TorchSharp.torch.Generator(5));
        using var c = cosine.Model.Sample(64, new TorchSharp.torch.Generator(5));
        a.allclose(b, rtol: 0, atol: 0).Should().BeTrue("the default is constant rates");
        a.allclose(c, rtol: 0, atol: 1e-6).Should().BeFalse("a decaying schedule changes the updates");
    }
}
