using System.Security.Cryptography;
using Generative.Data.BuiltIn;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.BuiltInData;

/// <summary>
/// Shapes, labels and hashes of the built-in data sets. The expected counts and sums come from
/// reference/datasets_reference.py (numpy on the same files); sums are compared within 1e-3 relative (float32 storage).
/// </summary>
public sealed class BuiltInDataTests
{
    [Theory]
    [InlineData("Generative.Data.BuiltIn.Resources.digits.csv.gz", "46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a")]
    [InlineData("Generative.Data.BuiltIn.Resources.wine_data.csv", "10e8a802908b34f86e5da8ce962f3c806694bc98450a18f61851af59f324bede")]
    [InlineData("Generative.Data.BuiltIn.Resources.breast_cancer.csv", "fed3eb72d0575ef6192293f5093c6e801b1476b577d0386bf4455504522172ed")]
    public void Embedded_files_match_the_hashes_in_SOURCES_md(string resource, string sha256)
    {
        using var stream = EmbeddedData.Open(resource);
        Convert.ToHexStringLower(SHA256.HashData(stream)).Should().Be(sha256);
    }

    [Fact]
    public void Digits_have_the_documented_shape_scale_and_labels()
    {
        using var digits = Digits.Load();
        digits.Name.Should().Be("digits");
        digits.Kind.Should().Be(BuiltInDatasetKind.Image);
        digits.Samples.shape.Should().Equal(1797, 1, 8, 8);
        digits.Samples.dtype.Should().Be(ScalarType.Float32);
        digits.SampleShape.Should().Be(new TensorShape(1, 8, 8));
        digits.Samples.min().item<float>().Should().Be(-1f);
        digits.Samples.max().item<float>().Should().Be(1f);
        digits.Samples.to_type(ScalarType.Float64).sum().item<double>().Should().BeApproximately(-44793.25, 1e-6);
        digits.Samples[0, 0, 0, 2].item<float>().Should().Be((float)Digits.ScalePixel(5));
        torch.bincount(digits.Labels!).data<long>().ToArray().Should().Equal(178, 182, 177, 183, 181, 182, 181, 179, 174, 180);
        digits.ClassNames.Should().HaveCount(10);
        digits.FeatureNames.Should().HaveCount(64).And.Contain("pixel_7_7");
        Digits.UnscalePixel(Digits.ScalePixel(11)).Should().Be(11);
    }

    [Fact]
    public void Stacked_digits_stack_three_digits_and_label_them_100a_10b_c()
    {
        using var digits = Digits.Load();
        using var stacked = Digits.LoadStacked(500, new Generator(3));
        stacked.Samples.shape.Should().Equal(500, 3, 8, 8);
        stacked.ClassNames.Should().HaveCount(1000);
        var labels = stacked.Labels!.data<long>().ToArray();
        labels.Should().OnlyContain(l => l >= 0 && l < 1000);
        labels.Distinct().Count().Should().BeGreaterThan(350, "500 draws from 1000 near-uniform classes hit ≈ 393 distinct ones");

        // Each channel is one of the digits, and its label is the channel's digit.
        using var scope = NewDisposeScope();
        var flatDigits = digits.Samples.reshape(1797, 64);
        for (int i = 0; i < 20; i++)
        {
            for (int ch = 0; ch < 3; ch++)
            {
                var channel = stacked.Samples[i, ch].reshape(1, 64);
                var match = flatDigits.eq(channel).all(1).nonzero().reshape(-1);
                match.shape[0].Should().BeGreaterThan(0);
                long digit = labels[i] / (long)Math.Pow(10, 2 - ch) % 10;
                digits.Labels!.index_select(0, match).eq(digit).any().item<bool>().Should().BeTrue();
            }
        }
    }

    [Fact]
    public void Tables_have_column_names_and_class_labels()
    {
        using var wine = Tables.LoadWine();
        wine.Samples.shape.Should().Equal(178, 13);
        wine.Kind.Should().Be(BuiltInDatasetKind.Table);
        wine.FeatureNames[0].Should().Be("alcohol");
        wine.FeatureNames[12].Should().Be("proline");
        wine.ClassNames.Should().Equal("class_0", "class_1", "class_2");
        torch.bincount(wine.Labels!).data<long>().ToArray().Should().Equal(59, 71, 48);
        wine.Samples[.., 0].to_type(ScalarType.Float64).sum().item<double>().Should().BeApproximately(2314.11, 1e-3);
        wine.Samples[.., 12].to_type(ScalarType.Float64).sum().item<double>().Should().BeApproximately(132947.0, 1e-3);

        using var cancer = Tables.LoadBreastCancer();
        cancer.Samples.shape.Should().Equal(569, 30);
        cancer.FeatureNames[0].Should().Be("mean radius");
        cancer.FeatureNames[10].Should().Be("radius error");
        cancer.FeatureNames[29].Should().Be("worst fractal dimension");
        cancer.ClassNames.Should().Equal("malignant", "benign");
        torch.bincount(cancer.Labels!).data<long>().ToArray().Should().Equal(212, 357);
        cancer.Samples[.., 2].to_type(ScalarType.Float64).sum().item<double>().Should().BeApproximately(52330.38, 52330.38 * 1e-6);
        cancer.Samples[.., 29].to_type(ScalarType.Float64).sum().item<double>().Should().BeApproximately(47.76517, 1e-4);
    }

    [Fact]
    public void Ring_and_grid_follow_the_PacGAN_protocol()
    {
        using var ring = Mixtures.Ring(8000, new Generator(1));
        ring.ModeCentres!.shape.Should().Equal(8, 2);
        ring.ModeStandardDeviation.Should().Be(0.01);
        ring.ModeCentres.norm(1).data<float>().ToArray().Should().OnlyContain(r => Math.Abs(r - 1) < 1e-6);
        CheckMixture(ring, 8);

        using var grid = Mixtures.Grid(8000, new Generator(2));
        grid.ModeCentres!.shape.Should().Equal(25, 2);
        grid.ModeStandardDeviation.Should().Be(0.05);
        grid.ModeCentres[7].data<float>().ToArray().Should().Equal(-2f, 0f); // mode 5·1 + 2
        CheckMixture(grid, 25);
    }

    [Fact]
    public void Same_seed_same_samples_different_seed_different_samples()
    {
        foreach (string name in new[] { "ring", "grid", "swissroll", "moons", "checkerboard", "stacked-digits" })
        {
            using var a = BuiltInDatasets.Load(name, 300, seed: 4);
            using var b = BuiltInDatasets.Load(name, 300, seed: 4);
            using var c = BuiltInDatasets.Load(name, 300, seed: 5);
            a.Samples.eq(b.Samples).all().item<bool>().Should().BeTrue(name);
            a.Samples.eq(c.Samples).all().item<bool>().Should().BeFalse(name);
            a.Count.Should().Be(300);
        }
    }

    [Fact]
    public void Moons_checkerboard_and_swiss_roll_lie_where_documented()
    {
        using var scope = NewDisposeScope();
        using var moons = Mixtures.Moons(2000, new Generator(1), noise: 0);
        var upper = moons.Samples.index_select(0, moons.Labels!.eq(0).nonzero().reshape(-1));
        upper.norm(1).sub(1).abs().max().item<float>().Should().BeLessThan(1e-5f);
        var lower = moons.Samples.index_select(0, moons.Labels!.eq(1).nonzero().reshape(-1));
        (lower - torch.tensor(new[] { 1f, 0.5f })).norm(1).sub(1).abs().max().item<float>().Should().BeLessThan(1e-5f);

        using var board = Mixtures.Checkerboard(4000, new Generator(2));
        var cell = (board.Samples + 4).div(2).floor().to_type(ScalarType.Int64);
        cell.min().item<long>().Should().BeGreaterThanOrEqualTo(0);
        cell.max().item<long>().Should().BeLessThanOrEqualTo(3);
        (cell[.., 0] + cell[.., 1]).remainder(2).eq(0).all().item<bool>().Should().BeTrue();
        torch.bincount(board.Labels!).shape[0].Should().Be(8);

        using var roll = Mixtures.SwissRoll(2000, new Generator(3), noise: 0);
        var radius = roll.Samples.norm(1) * 5; // r = t ∈ [1.5π, 4.5π]
        radius.min().item<float>().Should().BeGreaterThanOrEqualTo((float)(1.5 * Math.PI) - 1e-3f);
        radius.max().item<float>().Should().BeLessThanOrEqualTo((float)(4.5 * Math.PI) + 1e-3f);
        roll.Labels.Should().BeNull();
    }

    [Fact]
    public void Lookup_by_name_knows_every_name_and_lists_them_on_error()
    {
        BuiltInDatasets.Names.Should().Equal("ring", "grid", "swissroll", "moons", "checkerboard", "digits", "stacked-digits", "wine", "breast-cancer");
        foreach (string name in BuiltInDatasets.Names)
        {
            using var data = BuiltInDatasets.Load(name, 50);
            data.Name.Should().Be(name);
        }

        using (var upper = BuiltInDatasets.Load("GRID", 10))
        {
            upper.Name.Should().Be("grid");
        }

        var act = () => BuiltInDatasets.Load("mnist");
        act.Should().Throw<ArgumentException>().WithParameterName("name")
            .WithMessage("*'mnist'*ring, grid, swissroll, moons, checkerboard, digits, stacked-digits, wine, breast-cancer*");
        BuiltInDatasets.Contains("wine").Should().BeTrue();
        BuiltInDatasets.Contains("iris").Should().BeFalse();
    }

    [Fact]
    public void Dataset_constructor_rejects_inconsistent_parts_and_disposes_its_tensors()
    {
        var samples = torch.zeros(4, 2);
        var wrongNames = () => new BuiltInDataset("x", BuiltInDatasetKind.Plane, samples, null, ["x"], null);
        wrongNames.Should().Throw<ArgumentException>().WithParameterName("featureNames").WithMessage("*2 feature names*got 1*");
        var wrongLabels = () => new BuiltInDataset("x", BuiltInDatasetKind.Plane, samples, torch.zeros(3, dtype: ScalarType.Int64), ["x", "y"], ["a"]);
        wrongLabels.Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("*[4]*[3]*");
        var noSigma = () => new BuiltInDataset("x", BuiltInDatasetKind.Plane, samples, null, ["x", "y"], null, torch.zeros(2, 2));
        noSigma.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("modeStandardDeviation");

        var data = new BuiltInDataset("x", BuiltInDatasetKind.Plane, samples, null, ["x", "y"], null);
        data.Dispose();
        samples.IsInvalid.Should().BeTrue();
        data.Dispose(); // idempotent
    }

    private static void CheckMixture(BuiltInDataset data, int modes)
    {
        using var scope = NewDisposeScope();
        data.Kind.Should().Be(BuiltInDatasetKind.Plane);
        data.Samples.shape.Should().Equal(8000, 2);
        var counts = torch.bincount(data.Labels!, minlength: modes).data<long>().ToArray();
        counts.Should().HaveCount(modes).And.OnlyContain(c => c > 8000 / modes * 0.8);
        // (x − μ_label)/σ is standard normal: mean of its squared norm ≈ 2 (χ²₂), within 5 standard errors.
        var z = (data.Samples - data.ModeCentres!.index_select(0, data.Labels!)) / data.ModeStandardDeviation!.Value;
        z.square().sum(1).mean().item<float>().Should().BeApproximately(2f, 5 * 2f / MathF.Sqrt(8000));
    }
}
