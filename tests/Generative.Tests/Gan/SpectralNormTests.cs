using Generative.Gan;
using Generative.TestSupport;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.Tests.Gan;

/// <summary>
/// SpectralNorm against PyTorch 1.13's torch.nn.utils.spectral_norm (numbers from reference/spectral_norm_reference.py,
/// float32, compared within 1e-5 absolute) and against the power-iteration formula computed here in float64.
/// </summary>
[Collection("Sequential")]
public sealed class SpectralNormTests
{
    private const double Atol = 1e-5;

    // Printed by reference/spectral_norm_reference.py.
    private static readonly double[] InitU = [-0.118443318, 0.634307146, 0.763953984];
    private static readonly double[] InitV = [-0.496974081, 0.75405699, -0.399074495, -0.158601314];
    private static readonly double[] Iter1U = [0.462457418, -0.734100103, 0.497222394];
    private static readonly double[] Iter1V = [0.590036273, 0.0780243203, -0.50572288, -0.624510765];
    private static readonly double[] Iter1Weight = [0.401714414, 0.434094459, 0.0673700497, -0.361294091, -0.457786113, -0.133391693, 0.313642412, 0.472315133, 0.196743503, -0.259713233, -0.477390796, -0.256157488];
    private static readonly double[] Iter1Y = [1.11568749, -1.01969457, 0.355888605, -0.719694495, 0.94960171, -0.383165061];
    private static readonly double[] Iter3U = [0.536509395, -0.731834829, 0.420208931];
    private static readonly double[] Iter3V = [0.62305063, 0.204440653, -0.402131081, -0.638985395];
    private static readonly double[] Iter3Weight = [0.397055179, 0.429059654, 0.0665886626, -0.357103646, -0.452476531, -0.131844565, 0.310004681, 0.466837049, 0.194461599, -0.256700963, -0.471853852, -0.253186464];
    private static readonly double[] EvalY = [1.10390723, -1.01018739, 0.355240405, -0.710187316, 0.936268151, -0.375241458];
    private static readonly double[] ConvU = [0.418680519, 0.728053689, 0.542811513];
    private static readonly double[] ConvV = [-0.00356680807, 0.280625075, 0.306811541, 0.0509168766, -0.251790524, -0.323002845, -0.0972478688, 0.217916355, 0.33272931, 0.141632468, -0.179680631, -0.335796148, -0.183182254, 0.137848556, 0.332142055, 0.221065655, -0.0932574719, -0.321840137];
    private static readonly double[] ConvOut = [-1.07235932, -0.695814073, 0.536985576, 1.01034796, 0.937992752, 0.309206367, -1.10121965, -1.47118914, 0.143104523, 0.938559592, 1.53302324, 1.10312986, -0.481327295, -1.09678066, -1.15732074, -0.481740177, -1.02350259, 0.257409573, 1.12974262, 0.415241241, 0.865193129, -0.773120165, -1.44251668, -0.52160114, 0.42015928, 1.4270283, 0.948535621, 0.207383588, -0.823578537, -1.19688344, -0.420195162, 0.0355773717, -0.279312551, 1.03575766, 0.954990208, -0.461966455, 0.204610169, -1.33021462, -0.80381614, 0.782345116, 0.411771953, 0.946021676, -0.280355453, -0.829252064, -0.606318176, -0.483863682, 0.602397025, 0.528724909];

    private static Tensor Fixed(params long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        return arange(1, n + 1, dtype: ScalarType.Float32).sin().reshape(shape);
    }

    private static void Close(Tensor actual, double[] expected, double atol, string what) =>
        Tolerance.AssertClose((IReadOnlyList<double>)Values(actual), expected, atol, 0, what);

    private static double[] Values(Tensor t) => t.detach().cpu().to_type(ScalarType.Float64).flatten().data<double>().ToArray();

    private static SpectralNorm FixedLinear(Generator? generator = null)
    {
        using var lin = nn.Linear(4, 3);
        using (no_grad())
        {
            lin.weight.copy_(Fixed(3, 4));
            lin.bias!.copy_(tensor(new[] { 0.1f, -0.2f, 0.3f }));
        }

        return SpectralNorm.FromLinear(lin, generator: generator);
    }

    private static void SetU(SpectralNorm sn, params float[] u)
    {
        using var noGrad = no_grad();
        sn.U.copy_(tensor(u));
    }

    [Fact]
    public void InitialVectorsAreDrawnFromTheGeneratorAsPyTorchDoes()
    {
        using var scope = NewDisposeScope();
        using var sn = FixedLinear(new Generator(7));
        Close(sn.U, InitU, Atol, what: "weight_u");
        Close(sn.V, InitV, Atol, what: "weight_v");
    }

    [Fact]
    public void StateDictHasPyTorchNamesAndLoadsPyTorchValues()
    {
        using var scope = NewDisposeScope();
        using var sn = FixedLinear(new Generator(1));
        sn.state_dict().Keys.Should().Equal("bias", "weight_orig", "weight_u", "weight_v");

        // Load the state PyTorch holds after three iterations (by name) into a fresh wrapper: eval output must match.
        using var other = SpectralNorm.FromLinear(nn.Linear(4, 3), generator: new Generator(2));
        var state = new Dictionary<string, Tensor>
        {
            ["weight_orig"] = Fixed(3, 4),
            ["bias"] = tensor(new[] { 0.1f, -0.2f, 0.3f }),
            ["weight_u"] = tensor(Iter3U.Select(v => (float)v).ToArray()),
            ["weight_v"] = tensor(Iter3V.Select(v => (float)v).ToArray()),
        };
        other.load_state_dict(state);
        other.eval();
        Close(other.call(Fixed(2, 4)), EvalY, Atol, what: "eval output after loading PyTorch's state");
    }

    [Fact]
    public void TrainingForwardPassesMatchPyTorch()
    {
        using var scope = NewDisposeScope();
        using var sn = FixedLinear(new Generator(7));
        SetU(sn, 0.6f, 0f, 0.8f);
        sn.train();
        var x = Fixed(2, 4);
        var y = sn.call(x);
        Close(sn.U, Iter1U, Atol, what: "u after 1 iteration");
        Close(sn.V, Iter1V, Atol, what: "v after 1 iteration");
        Close(y, Iter1Y, Atol, what: "output after 1 iteration");
        sn.eval();
        Close(sn.ComputeWeight(), Iter1Weight, Atol, what: "normalised weight after 1 iteration");
        sn.train();
        sn.call(x);
        sn.call(x);
        Close(sn.U, Iter3U, Atol, what: "u after 3 iterations");
        Close(sn.V, Iter3V, Atol, what: "v after 3 iterations");
        sn.eval();
        Close(sn.ComputeWeight(), Iter3Weight, Atol, what: "normalised weight after 3 iterations");
    }

    [Fact]
    public void OneIterationFromFixedUFollowsThePowerIterationFormula()
    {
        using var scope = NewDisposeScope();
        using var sn = FixedLinear(new Generator(3));
        SetU(sn, 0.6f, 0f, 0.8f);
        double[,] w = new double[3, 4];
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                w[i, j] = (float)Math.Sin(1 + i * 4 + j);
            }
        }

        double[] u0 = [0.6, 0, 0.8];
        // v = normalize(Wᵀu), u = normalize(Wv), σ = uᵀWv.
        double[] v = Normalize(Enumerable.Range(0, 4).Select(j => Enumerable.Range(0, 3).Sum(i => w[i, j] * u0[i])).ToArray());
        double[] wv = Enumerable.Range(0, 3).Select(i => Enumerable.Range(0, 4).Sum(j => w[i, j] * v[j])).ToArray();
        double[] u = Normalize(wv);
        double sigma = Enumerable.Range(0, 3).Sum(i => u[i] * wv[i]);
        double[] expectedWeight = Enumerable.Range(0, 12).Select(k => w[k / 4, k % 4] / sigma).ToArray();

        sn.train();
        using var weight = sn.ComputeWeight();
        Close(sn.V, v, 1e-6, what: "v = normalize(Wᵀu)");
        Close(sn.U, u, 1e-6, what: "u = normalize(Wv)");
        Close(weight, expectedWeight, 1e-6, what: "W / (uᵀWv)");
    }

    private static double[] Normalize(double[] x)
    {
        double norm = Math.Max(Math.Sqrt(x.Sum(a => a * a)), 1e-12);
        return x.Select(a => a / norm).ToArray();
    }

    [Fact]
    public void EvaluationModeDoesNotUpdateTheVectors()
    {
        using var scope = NewDisposeScope();
        using var sn = FixedLinear(new Generator(5));
        SetU(sn, 0.6f, 0f, 0.8f);
        sn.eval();
        var uBefore = Values(sn.U);
        var vBefore = Values(sn.V);
        for (int i = 0; i < 3; i++)
        {
            sn.call(Fixed(2, 4));
        }

        Values(sn.U).Should().Equal(uBefore);
        Values(sn.V).Should().Equal(vBefore);
        sn.train();
        sn.call(Fixed(2, 4));
        Values(sn.U).Should().NotEqual(uBefore, "training mode runs the power iteration");
    }

    [Fact]
    public void ConvolutionMatchesPyTorch()
    {
        using var scope = NewDisposeScope();
        using var conv = nn.Conv2d(2, 3, 3, padding: 1);
        using (no_grad())
        {
            conv.weight.copy_(Fixed(3, 2, 3, 3));
            conv.bias!.zero_();
        }

        using var sn = SpectralNorm.FromConv2d(conv, generator: new Generator(11));
        sn.state_dict().Keys.Should().Equal("bias", "weight_orig", "weight_u", "weight_v");
        SetU(sn, 0.6f, 0f, 0.8f);
        sn.train();
        var output = sn.call(Fixed(1, 2, 4, 4));
        Close(sn.U, ConvU, Atol, what: "conv u");
        Close(sn.V, ConvV, Atol, what: "conv v");
        Close(output, ConvOut, Atol, what: "conv output");
    }

    [Fact]
    public void LargestSingularValueOfTheNormalisedWeightConvergesToOne()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(42);
        using var lin = nn.Linear(8, 16);
        using (no_grad())
        {
            lin.weight.copy_(randn(16, 8, generator: g) * 3);
        }

        using var sn = SpectralNorm.FromLinear(lin, powerIterations: 5, generator: g);
        sn.train();
        for (int i = 0; i < 20; i++)
        {
            sn.call(zeros(1, 8));
        }

        sn.eval();
        double before = linalg.svdvals(lin.weight.detach()).max().item<float>();
        double sigmaMax = linalg.svdvals(sn.ComputeWeight().detach()).max().item<float>();
        before.Should().BeGreaterThan(2, "the test weight starts far from norm 1");
        sigmaMax.Should().BeApproximately(1.0, 1e-3);
    }

    [Fact]
    public void GradientsReachWeightOrigThroughSigma()
    {
        using var scope = NewDisposeScope();
        using var sn = FixedLinear(new Generator(9));
        sn.train();
        var y = sn.call(Fixed(2, 4));
        // Calling twice before backward (critic(real), critic(fake)) must not break the first graph.
        var y2 = sn.call(Fixed(2, 4) * 2);
        (y.sum() + y2.sum()).backward();
        sn.WeightOrig.grad.Should().NotBeNull();
        Values(sn.WeightOrig.grad!).Should().Contain(v => Math.Abs(v) > 1e-6);
    }

    private sealed class CustomCritic : nn.Module<Tensor, Tensor>
    {
        private nn.Module<Tensor, Tensor> first = nn.Linear(2, 4);
        private readonly Sequential rest = nn.Sequential(nn.ReLU(), nn.Linear(4, 4), nn.ReLU());
        private readonly ModuleList<nn.Module<Tensor, Tensor>> heads = nn.ModuleList<nn.Module<Tensor, Tensor>>(nn.Linear(4, 1));

        public CustomCritic()
            : base(nameof(CustomCritic))
        {
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => heads[0].call(rest.call(first.call(input)));
    }

    private sealed class RigidCritic : nn.Module<Tensor, Tensor>
    {
        private readonly Linear layer = nn.Linear(2, 1);

        public RigidCritic()
            : base(nameof(RigidCritic))
        {
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => layer.call(input);
    }

    [Fact]
    public void ApplyToAllWrapsLayersInFieldsSequentialsAndModuleLists()
    {
        using var scope = NewDisposeScope();
        using var critic = new CustomCritic();
        SpectralNorm.ApplyToAll(critic, generator: new Generator(1)).Should().Be(3);
        var names = critic.state_dict().Keys.ToList();
        names.Should().Contain(["first.weight_orig", "first.weight_u", "first.weight_v", "rest.1.weight_orig", "heads.0.weight_orig", "heads.0.weight_v"]);
        names.Should().NotContain(n => n.EndsWith(".weight", StringComparison.Ordinal));
        critic.named_modules().Select(m => m.module).OfType<SpectralNorm>().Should().HaveCount(3);
        critic.call(zeros(5, 2)).shape.Should().Equal(5, 1);
        SpectralNorm.ApplyToAll(critic).Should().Be(0, "already wrapped layers are left alone");
    }

    [Fact]
    public void ApplyToAllExplainsWhenAFieldCannotHoldTheWrapper()
    {
        using var critic = new RigidCritic();
        var act = () => SpectralNorm.ApplyToAll(critic);
        act.Should().Throw<ArgumentException>().WithMessage("*'layer'*Linear*Module<Tensor, Tensor>*");
    }

    [Fact]
    public void InvalidArgumentsAreRejected()
    {
        using var lin = nn.Linear(2, 2);
        FluentActions.Invoking(() => SpectralNorm.FromLinear(lin, powerIterations: 0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("powerIterations");
        FluentActions.Invoking(() => SpectralNorm.FromLinear(lin, epsilon: 0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("epsilon");
    }
}
