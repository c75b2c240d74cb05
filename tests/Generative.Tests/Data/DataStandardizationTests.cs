using Generative.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Data;

public sealed class DataStandardizationTests
{
    [Fact]
    public void Fit_computes_population_statistics_and_maps_constant_features_to_zero()
    {
        using var data = tensor(new double[,] { { 1, 10, 5 }, { 3, 30, 5 }, { 5, 20, 5 } });
        var s = DataStandardization.Fit(data, ["a", "b", "c"]);
        // mean (3, 20, 5); population std (√(8/3), √(200/3), 0 → 1).
        s.Mean.Should().Equal(3, 20, 5);
        s.Std[0].Should().BeApproximately(Math.Sqrt(8.0 / 3), 1e-12);
        s.Std[1].Should().BeApproximately(Math.Sqrt(200.0 / 3), 1e-12);
        s.Std[2].Should().Be(1);
        using var z = s.Standardize(data.to_type(ScalarType.Float32));
        z.dtype.Should().Be(ScalarType.Float32);
        z[2, 2].item<float>().Should().Be(0);
        z[0, 0].item<float>().Should().BeApproximately((float)(-2 / Math.Sqrt(8.0 / 3)), 1e-6f);
        using var back = s.Unstandardize(z);
        Generative.TestSupport.Tolerance.AssertClose(back, data, atol: 1e-5, what: "round trip");
    }

    [Fact]
    public void Json_round_trips_exactly()
    {
        var s = new DataStandardization([0.1, -2.5e-7, 12345.678901234567], [1.0 / 3, 2, 1e-9], ["x", "y", "z"]);
        var back = DataStandardization.FromJson(s.ToJson());
        back.Mean.Should().Equal(s.Mean);
        back.Std.Should().Equal(s.Std);
        back.FeatureNames.Should().Equal("x", "y", "z");
    }

    [Fact]
    public void Bad_statistics_and_json_are_rejected()
    {
        FluentActions.Invoking(() => new DataStandardization([0.0], [0.0])).Should().Throw<ArgumentException>().WithMessage("*std of feature 0*");
        FluentActions.Invoking(() => new DataStandardization([0.0, 1], [1.0])).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => DataStandardization.FromJson("{\"mean\": [1]")).Should().Throw<InvalidDataException>().WithMessage("*not valid JSON*");
        FluentActions.Invoking(() => DataStandardization.FromJson("{\"mean\": [1], \"std\": [-1]}")).Should().Throw<InvalidDataException>();
        var s = new DataStandardization([0.0, 0], [1.0, 1]);
        using var wrong = zeros(4, 3);
        s.Invoking(x => x.Standardize(wrong)).Should().Throw<ArgumentException>().WithMessage("*2 features*[4, 3]*");
    }
}
