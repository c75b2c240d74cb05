using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>
/// Spectral normalisation (Miyato et al. 2018, "Spectral Normalization for Generative Adversarial Networks",
/// arXiv:1802.05957) of a linear or 2-D convolution layer: the layer's weight is divided by an estimate of its largest
/// singular value σ(W), obtained by power iteration, before every forward pass. Bounds the layer's Lipschitz constant
/// by 1, which stabilises GAN critics.
/// </summary>
/// <remarks>
/// <para>Semantics and names follow PyTorch's <c>torch.nn.utils.spectral_norm</c> (with <c>dim = 0</c>), so state
/// dictionaries round-trip with PyTorch: the parameters are <c>weight_orig</c> (the un-normalised weight) and
/// <c>bias</c>; the persistent buffers are <c>weight_u</c> [out] and <c>weight_v</c> [in·kh·kw], the current left and
/// right singular-vector estimates. The weight is viewed as the matrix W = <c>weight_orig.reshape(out, -1)</c>.</para>
/// <para>In training mode each forward pass first runs <see cref="PowerIterations"/> steps of
/// v ← normalize(Wᵀu), u ← normalize(Wv) (no gradient; <c>normalize(x) = x / max(‖x‖₂, ε)</c>), updating the buffers
/// in place; then σ = uᵀWv and the layer uses W / σ (gradients flow through σ into <c>weight_orig</c>). In evaluation
/// mode the stored u and v are used unchanged.</para>
/// <para>The initial u and v are drawn, in that order, as standard normal vectors from the generator given (PyTorch
/// draws them from its global generator the same way) and normalised.</para>
/// <para>Ownership: the wrapper copies the layer's weight and bias; it does not dispose the layer it was built from
/// (<see cref="ApplyToAll"/> does, because it replaces the layer). Thread-safety: as any module; forward passes in
/// evaluation mode may run concurrently.</para>
/// </remarks>
public sealed class SpectralNorm : nn.Module<Tensor, Tensor>
{
    /// <summary>PyTorch's default number of power iterations per training forward pass: 1.</summary>
    public const int DefaultPowerIterations = 1;

    /// <summary>PyTorch's default ε in the vector normalisation: 1e-12.</summary>
    public const double DefaultEpsilon = 1e-12;

    // Declaration order = registration order = state-dict order, as in PyTorch: bias, weight_orig, weight_u, weight_v.
    [ComponentName(Name = "bias")]
    private Parameter? _bias;

    [ComponentName(Name = "weight_orig")]
    private Parameter _weightOrig;

    [ComponentName(Name = "weight_u")]
    private Tensor _u;

    [ComponentName(Name = "weight_v")]
    private Tensor _v;

    private readonly bool _isConvolution;
    private readonly long[] _stride;
    private readonly long[]? _padding;
    private readonly Padding? _paddingType;
    private readonly long[] _dilation;
    private readonly long _groups;

    private SpectralNorm(string name, Tensor weight, Tensor? bias, int powerIterations, double epsilon, Generator? generator)
        : base(name)
    {
        if (powerIterations < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(powerIterations), powerIterations, "The number of power iterations must be at least 1 (as in PyTorch).");
        }

        if (!(epsilon > 0) || !double.IsFinite(epsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be a positive finite number.");
        }

        PowerIterations = powerIterations;
        Epsilon = epsilon;
        using (no_grad())
        {
            _weightOrig = new Parameter(weight.detach().clone());
            _bias = bias is null ? null : new Parameter(bias.detach().clone());
            long h = weight.shape[0];
            long w = weight.numel() / h;
            using var u0 = randn(new[] { h }, dtype: weight.dtype, device: weight.device, generator: generator);
            using var v0 = randn(new[] { w }, dtype: weight.dtype, device: weight.device, generator: generator);
            _u = nn.functional.normalize(u0, dim: 0, eps: epsilon).DetachFromDisposeScope();
            _v = nn.functional.normalize(v0, dim: 0, eps: epsilon).DetachFromDisposeScope();
        }

        _stride = [];
        _dilation = [];
        _groups = 1;
        RegisterComponents();
    }

    private SpectralNorm(Conv2d conv, int powerIterations, double epsilon, Generator? generator)
        : this(nameof(SpectralNorm), conv.weight, conv.bias, powerIterations, epsilon, generator)
    {
        if (conv.padding_mode != PaddingModes.Zeros)
        {
            throw new ArgumentException($"Only zero padding is supported; the convolution uses {conv.padding_mode}.", nameof(conv));
        }

        _isConvolution = true;
        _stride = (long[])conv.stride.Clone();
        _padding = conv.padding is null ? null : (long[])conv.padding.Clone();
        _paddingType = conv.padding_type;
        _dilation = (long[])conv.dilation.Clone();
        _groups = conv.groups;
    }

    /// <summary>The number of power iterations per forward pass in training mode.</summary>
    public int PowerIterations { get; }

    /// <summary>ε in <c>normalize(x) = x / max(‖x‖₂, ε)</c>.</summary>
    public double Epsilon { get; }

    /// <summary>The un-normalised weight (PyTorch's <c>weight_orig</c>), <c>[out, in]</c> or <c>[out, in/groups, kh, kw]</c>.</summary>
    public Parameter WeightOrig => _weightOrig;

    /// <summary>The bias <c>[out]</c>, or <see langword="null"/>.</summary>
    public Parameter? Bias => _bias;

    /// <summary>The left singular-vector estimate u (PyTorch's <c>weight_u</c> buffer), <c>[out]</c>. Owned by the module.</summary>
    public Tensor U => _u;

    /// <summary>The right singular-vector estimate v (PyTorch's <c>weight_v</c> buffer), <c>[in·kh·kw]</c>. Owned by the module.</summary>
    public Tensor V => _v;

    /// <summary>Wraps a linear layer.</summary>
    /// <param name="linear">The layer; its weight and bias are copied.</param>
    /// <param name="powerIterations">Power iterations per training forward pass, at least 1; default 1.</param>
    /// <param name="epsilon">ε of the normalisation, positive; default 1e-12.</param>
    /// <param name="generator">Draws the initial u and v; <see langword="null"/> uses the global generator.</param>
    /// <returns>A new module that the caller owns.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="powerIterations"/> or <paramref name="epsilon"/> is out of range.</exception>
    public static SpectralNorm FromLinear(Linear linear, int powerIterations = DefaultPowerIterations, double epsilon = DefaultEpsilon, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(linear);
        return new SpectralNorm(nameof(SpectralNorm), linear.weight, linear.bias, powerIterations, epsilon, generator);
    }

    /// <summary>Wraps a 2-D convolution (zero padding only).</summary>
    /// <param name="convolution">The layer; its weight, bias, stride, padding, dilation and groups are copied.</param>
    /// <param name="powerIterations">Power iterations per training forward pass, at least 1; default 1.</param>
    /// <param name="epsilon">ε of the normalisation, positive; default 1e-12.</param>
    /// <param name="generator">Draws the initial u and v; <see langword="null"/> uses the global generator.</param>
    /// <returns>A new module that the caller owns.</returns>
    /// <exception cref="ArgumentException">The convolution pads with something other than zeros.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="powerIterations"/> or <paramref name="epsilon"/> is out of range.</exception>
    public static SpectralNorm FromConv2d(Conv2d convolution, int powerIterations = DefaultPowerIterations, double epsilon = DefaultEpsilon, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(convolution);
        return new SpectralNorm(convolution, powerIterations, epsilon, generator);
    }

    /// <summary>
    /// Replaces every <see cref="Linear"/> and <see cref="Conv2d"/> inside <paramref name="module"/> (recursively) by its
    /// spectrally normalised wrapper, and disposes the replaced layers. Layers can be replaced when they sit in a
    /// <see cref="Sequential"/>, in a <see cref="ModuleList{T}"/> whose element type accepts a <see cref="SpectralNorm"/>,
    /// or in a field of a custom module whose declared type accepts one (<c>Module&lt;Tensor, Tensor&gt;</c>,
    /// <c>nn.Module</c>, …).
    /// </summary>
    /// <param name="module">A critic (or any module) that is not yet spectrally normalised.</param>
    /// <param name="powerIterations">Power iterations per training forward pass, at least 1; default 1.</param>
    /// <param name="epsilon">ε of the normalisation; default 1e-12.</param>
    /// <param name="generator">Draws the initial u and v of every layer, in module order; <see langword="null"/> uses the global generator.</param>
    /// <returns>The number of layers wrapped.</returns>
    /// <exception cref="ArgumentException">The module itself is a Linear or Conv2d (wrap it with <see cref="FromLinear"/>),
    /// or a layer sits in a field typed <c>Linear</c>/<c>Conv2d</c> that cannot hold the wrapper; the message names it.</exception>
    /// <remarks>Parameter names change from <c>x.weight</c> to <c>x.weight_orig</c> (plus the <c>x.weight_u</c>, <c>x.weight_v</c>
    /// buffers), exactly as with PyTorch's <c>spectral_norm</c>; create optimisers after calling this.</remarks>
    public static int ApplyToAll(nn.Module module, int powerIterations = DefaultPowerIterations, double epsilon = DefaultEpsilon, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (module is Linear or Conv2d)
        {
            throw new ArgumentException("The module is itself a Linear or Conv2d layer: use SpectralNorm.FromLinear or FromConv2d and keep the returned module.", nameof(module));
        }

        return SpectralNormReplacer.Replace(module, "", powerIterations, epsilon, generator);
    }

    /// <summary>
    /// The normalised weight W / σ, with σ = uᵀWv, after running the power iteration if the module is in training mode.
    /// </summary>
    /// <returns>A tensor shaped like <see cref="WeightOrig"/>, in the graph of <c>weight_orig</c>; owned by the caller.</returns>
    public Tensor ComputeWeight()
    {
        using var scope = NewDisposeScope();
        long h = _weightOrig.shape[0];
        var matrix = _weightOrig.reshape(h, -1);
        Tensor u = _u;
        Tensor v = _v;
        if (training)
        {
            using (no_grad())
            {
                var detached = matrix.detach();
                for (int i = 0; i < PowerIterations; i++)
                {
                    _v.copy_(nn.functional.normalize(mv(detached.t(), _u), dim: 0, eps: Epsilon));
                    _u.copy_(nn.functional.normalize(mv(detached, _v), dim: 0, eps: Epsilon));
                }
            }

            // As PyTorch does: use copies, so that a later in-place update cannot invalidate this graph
            // (critic(real) and critic(fake) both back-propagate through the same layer).
            u = _u.clone();
            v = _v.clone();
        }

        var sigma = dot(u, mv(matrix, v));
        return (_weightOrig / sigma).MoveToOuterDisposeScope();
    }

    /// <summary>Applies the layer with the normalised weight.</summary>
    /// <param name="input">For a linear layer <c>[N, in]</c>; for a convolution <c>[N, C, H, W]</c>.</param>
    /// <returns>The layer's output, owned by the caller.</returns>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var weight = ComputeWeight();
        if (!_isConvolution)
        {
            return nn.functional.linear(input, weight, _bias);
        }

        return _paddingType.HasValue
            ? nn.functional.conv2d_padding(input, weight, _bias, _stride, _paddingType.Value, _dilation, _groups)
            : Nn.Convolutions.Conv2d(input, weight, _bias, _stride, _padding, _dilation, _groups);
    }
}
