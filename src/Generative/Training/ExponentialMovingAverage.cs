using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Training;

/// <summary>
/// An exponential moving average of a module's parameters (shadow weights), used for sampling by both families: the
/// diffusion trainer keeps one of its denoiser, the GAN step one of its generator (DDPM and most GANs sample from EMA
/// weights). The one implementation of the library's EMA, with the same default decay and warm-up everywhere.
/// </summary>
/// <remarks>
/// <para>Update: <c>shadow ← d·shadow + (1 − d)·θ</c> for floating-point parameters, with <c>d = decay</c>, or with
/// warm-up <c>d = min(decay, (1 + n) / (10 + n))</c> for update n = 0, 1, … (<see cref="WarmupDecay"/>). Buffers
/// (running statistics, spectral-norm vectors) are copied, not averaged.</para>
/// <para>The shadow weights are either tensors owned by this object (detached from dispose scopes; <see cref="Dispose"/>
/// releases them), or, made with <see cref="Into"/>, the parameters and buffers of a second module of the
/// same architecture (not owned: the GAN's <c>generator_ema</c>, saved with the step's modules). Either way they are
/// updated in place under <c>no_grad</c>. The source module is not owned. As a callback it updates at the end of every
/// step; as <see cref="ICheckpointedState"/> its shadow weights go into checkpoints. Not thread-safe.</para>
/// </remarks>
public sealed class ExponentialMovingAverage : TrainingCallback, ICheckpointedState, IDisposable
{
    private readonly nn.Module _source;
    private readonly Dictionary<string, Tensor> _shadowParameters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tensor> _shadowBuffers = new(StringComparer.Ordinal);
    private readonly List<(Tensor Shadow, Tensor Source, int Weight)> _averaged = [];
    private readonly List<(Tensor Shadow, Tensor Source)> _copied = [];
    private readonly List<(ScalarType DType, Device Device)> _weightKinds = [];
    private readonly bool _ownsShadows;
    private Tensor[] _weights = [];
    private double _weightValue = double.NaN;
    private bool _disposed;

    /// <summary>Creates the average, starting from a copy of <paramref name="source"/>'s current weights.</summary>
    /// <param name="source">The module whose weights are averaged (not owned).</param>
    /// <param name="decay">The decay, in [0, 1); typical 0.999–0.9999.</param>
    /// <param name="useWarmup">Whether the decay ramps up as <c>(1 + n) / (10 + n)</c> early on.</param>
    /// <param name="stateKey">The checkpoint key; must be unique when several averages are used.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="decay"/> is outside [0, 1).</exception>
    public ExponentialMovingAverage(nn.Module source, double decay = DefaultDecay, bool useWarmup = true, string stateKey = "ema")
        : this(source, decay, useWarmup, stateKey, ownsShadows: true)
    {
        using (no_grad())
        {
            foreach (var (name, p) in source.named_parameters())
            {
                _shadowParameters[name] = p.detach().clone().DetachFromDisposeScope();
            }

            foreach (var (name, b) in source.named_buffers())
            {
                _shadowBuffers[name] = b.detach().clone().DetachFromDisposeScope();
            }
        }

        FindPairs(source);
    }

    /// <summary>Makes an average kept in the weights of <paramref name="target"/>, a module of the same architecture (a
    /// sampling copy of the network, saved with the other modules): its weights are first set to
    /// <paramref name="source"/>'s, then every update moves them towards the source's.</summary>
    /// <param name="source">The module whose weights are averaged (not owned).</param>
    /// <param name="target">The module that holds the average (not owned; its parameters stop requiring gradients).</param>
    /// <param name="decay">The decay, in [0, 1); typical 0.999–0.9999.</param>
    /// <param name="useWarmup">Whether the decay ramps up as <c>(1 + n) / (10 + n)</c> early on.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="decay"/> is outside [0, 1).</exception>
    /// <exception cref="ArgumentException">The target's parameters or buffers do not match the source's by name and shape.</exception>
    /// <returns>The average, whose shadow weights are the target's.</returns>
    public static ExponentialMovingAverage Into(nn.Module source, nn.Module target, double decay, bool useWarmup) =>
        new(source, target, decay, useWarmup);

    private ExponentialMovingAverage(nn.Module source, nn.Module target, double decay, bool useWarmup)
        : this(source, decay, useWarmup, "ema", ownsShadows: false)
    {
        ArgumentNullException.ThrowIfNull(target);
        var parameters = target.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter, StringComparer.Ordinal);
        var buffers = target.named_buffers().ToDictionary(b => b.name, b => b.buffer, StringComparer.Ordinal);
        Match(source.named_parameters().Select(p => (p.name, (Tensor)p.parameter)), parameters, _shadowParameters, "parameter");
        Match(source.named_buffers().Select(b => (b.name, b.buffer)), buffers, _shadowBuffers, "buffer");
        using (no_grad())
        {
            foreach (var (name, p) in source.named_parameters())
            {
                _shadowParameters[name].requires_grad_(false).copy_(p);
            }

            foreach (var (name, b) in source.named_buffers())
            {
                _shadowBuffers[name].copy_(b);
            }
        }

        FindPairs(source);

        void Match(IEnumerable<(string Name, Tensor Tensor)> sources, Dictionary<string, Tensor> targets, Dictionary<string, Tensor> shadows, string kind)
        {
            foreach (var (name, t) in sources)
            {
                if (!targets.TryGetValue(name, out var shadow) || !shadow.shape.SequenceEqual(t.shape) || shadow.dtype != t.dtype)
                {
                    throw new ArgumentException(
                        $"The EMA target has no {kind} '{name}' of {t.dtype} {TensorShape.Format(t.shape)}: it must have the source's architecture.", nameof(target));
                }

                shadows[name] = shadow;
            }
        }
    }

    private ExponentialMovingAverage(nn.Module source, double decay, bool useWarmup, string stateKey, bool ownsShadows)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(stateKey);
        if (!(decay >= 0 && decay < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "The EMA decay must be in [0, 1).");
        }

        _source = source;
        _ownsShadows = ownsShadows;
        Decay = decay;
        UseWarmup = useWarmup;
        StateKey = stateKey;
    }

    /// <summary>The decay both trainers use by default: 0.999.</summary>
    public const double DefaultDecay = 0.999;

    /// <summary>The decay of update <paramref name="updateIndex"/> (0 for the first) with warm-up:
    /// <c>min(decay, (1 + n) / (10 + n))</c>. Without warm-up an average that starts at the initial weights keeps
    /// e^(−n(1 − decay)) of them after n updates (37 % after 1,000 updates at 0.999).</summary>
    /// <param name="decay">The configured decay.</param>
    /// <param name="updateIndex">How many updates came before.</param>
    /// <returns>The decay of that update.</returns>
    public static double WarmupDecay(double decay, long updateIndex) => Math.Min(decay, (1.0 + updateIndex) / (10.0 + updateIndex));

    // The pairs an update walks, found once: floating-point parameters are averaged, the rest copied with the buffers.
    private void FindPairs(nn.Module source)
    {
        foreach (var (name, p) in source.named_parameters())
        {
            var shadow = _shadowParameters[name];
            if (!p.is_floating_point())
            {
                _copied.Add((shadow, p));
                continue;
            }

            // lerp_ needs its weight in the shadow's dtype and on its device: one weight tensor per kind.
            var kind = (shadow.dtype, shadow.device);
            int slot = _weightKinds.FindIndex(k => k.DType == kind.dtype && k.Device.type == kind.device.type && k.Device.index == kind.device.index);
            if (slot < 0)
            {
                slot = _weightKinds.Count;
                _weightKinds.Add(kind);
            }

            _averaged.Add((shadow, p, slot));
        }

        foreach (var (name, b) in source.named_buffers())
        {
            _copied.Add((_shadowBuffers[name], b));
        }
    }

    /// <summary>The configured decay.</summary>
    public double Decay { get; }

    /// <summary>Whether the decay warms up.</summary>
    public bool UseWarmup { get; }

    /// <summary>The number of updates done (the warm-up's n). The GAN step sets it from the training step, so that a
    /// resumed run continues the ramp without extra state.</summary>
    public long UpdateCount { get; internal set; }

    /// <inheritdoc/>
    public string StateKey { get; }

    /// <summary>The decay the next update will use.</summary>
    public double CurrentDecay => UseWarmup ? WarmupDecay(Decay, UpdateCount) : Decay;

    /// <summary>The shadow parameters by name (owned by this object: do not dispose; read-only use).</summary>
    public IReadOnlyDictionary<string, Tensor> ShadowParameters => _shadowParameters;

    /// <summary>Updates the shadow weights from the source module, in place.</summary>
    /// <remarks>One <c>lerp_</c> per floating-point parameter with a one-element weight tensor that is made again only
    /// when the decay changes (during the warm-up), and one <c>copy_</c> per other parameter and buffer; the pairs are
    /// found when the average is created, so an update walks no module tree and makes no other tensor.</remarks>
    public void Update()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        double weight = 1.0 - CurrentDecay;
        using (no_grad())
        {
            if (weight != _weightValue)
            {
                DisposeWeights();
                _weights = [.. _weightKinds.Select(k => tensor(weight, dtype: k.DType, device: k.Device).DetachFromDisposeScope())];
                _weightValue = weight;
            }

            foreach (var (shadow, source, slot) in _averaged)
            {
                shadow.lerp_(source, _weights[slot]);
            }

            foreach (var (shadow, source) in _copied)
            {
                shadow.copy_(source);
            }
        }

        UpdateCount++;
    }

    /// <summary>Copies the shadow weights into <paramref name="target"/> (a module of the same architecture, e.g. a sampling copy).</summary>
    /// <param name="target">The module to overwrite.</param>
    /// <exception cref="ArgumentException">The target's parameters or buffers do not match by name and shape.</exception>
    public void CopyTo(nn.Module target)
    {
        ArgumentNullException.ThrowIfNull(target);
        ObjectDisposedException.ThrowIf(_disposed, this);
        using (no_grad())
        {
            foreach (var (name, p) in target.named_parameters())
            {
                p.copy_(Shadow(_shadowParameters, name, p, nameof(target)));
            }

            foreach (var (name, b) in target.named_buffers())
            {
                b.copy_(Shadow(_shadowBuffers, name, b, nameof(target)));
            }
        }
    }

    /// <summary>
    /// Puts the shadow weights into the source module until the returned object is disposed, then puts the trained
    /// weights back: <c>using (ema.Apply()) { sample… }</c>.
    /// </summary>
    /// <returns>A handle that restores the trained weights when disposed.</returns>
    public IDisposable Apply()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var saved = new List<(Tensor Target, Tensor Copy)>();
        using (no_grad())
        {
            foreach (var (name, p) in _source.named_parameters())
            {
                saved.Add((p, p.detach().clone().DetachFromDisposeScope()));
                p.copy_(Shadow(_shadowParameters, name, p));
            }

            foreach (var (name, b) in _source.named_buffers())
            {
                saved.Add((b, b.detach().clone().DetachFromDisposeScope()));
                b.copy_(Shadow(_shadowBuffers, name, b));
            }
        }

        return new Restorer(saved);
    }

    /// <summary>Updates the average after every step.</summary>
    /// <param name="context">The callback context.</param>
    public override void OnStepEnd(TrainingCallbackContext context) => Update();

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, Tensor> GetState()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, t) in _shadowParameters)
        {
            state["param." + name] = t.detach().cpu().clone().DetachFromDisposeScope();
        }

        foreach (var (name, t) in _shadowBuffers)
        {
            state["buffer." + name] = t.detach().cpu().clone().DetachFromDisposeScope();
        }

        state["update_count"] = tensor(UpdateCount).DetachFromDisposeScope();
        return state;
    }

    /// <inheritdoc/>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ObjectDisposedException.ThrowIf(_disposed, this);

        // Everything is checked before anything is copied, so a refused state leaves the average as it was.
        if (!state.TryGetValue("update_count", out var count) || count.numel() != 1 || count.dtype != ScalarType.Int64)
        {
            throw new InvalidDataException($"The EMA state '{StateKey}' has no int64 'update_count'.");
        }

        long updateCount = count.item<long>();
        if (updateCount < 0)
        {
            throw new InvalidDataException($"The EMA state '{StateKey}' has a negative 'update_count' ({updateCount}).");
        }

        var copies = new List<(Tensor Shadow, Tensor Saved)>();
        Check(_shadowParameters, "param.");
        Check(_shadowBuffers, "buffer.");
        using (no_grad())
        using (NewDisposeScope())
        {
            foreach (var (shadow, saved) in copies)
            {
                shadow.copy_(saved);
            }
        }

        UpdateCount = updateCount;

        void Check(Dictionary<string, Tensor> shadows, string prefix)
        {
            using var scope = NewDisposeScope();
            foreach (var (name, shadow) in shadows)
            {
                if (!state.TryGetValue(prefix + name, out var saved))
                {
                    throw new InvalidDataException($"The EMA state '{StateKey}' has no tensor '{prefix + name}'.");
                }

                if (saved.dtype != shadow.dtype || !saved.shape.SequenceEqual(shadow.shape))
                {
                    throw new InvalidDataException(
                        $"The EMA tensor '{prefix + name}' is {saved.dtype} {TensorShape.Format(saved.shape)}, but the model expects {shadow.dtype} {TensorShape.Format(shadow.shape)}.");
                }

                if (saved.is_floating_point() && !saved.isfinite().all().item<bool>())
                {
                    throw new InvalidDataException($"The EMA tensor '{prefix + name}' holds non-finite values (NaN or ∞).");
                }

                copies.Add((shadow, saved));
            }
        }
    }

    /// <summary>Releases the shadow weights (not a target module's).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        DisposeWeights();
        if (!_ownsShadows)
        {
            return; // the target module's tensors stay its owner's
        }

        foreach (var t in _shadowParameters.Values.Concat(_shadowBuffers.Values))
        {
            t.Dispose();
        }
    }

    private void DisposeWeights()
    {
        foreach (var w in _weights)
        {
            w.Dispose();
        }

        _weights = [];
    }

    private static Tensor Shadow(Dictionary<string, Tensor> shadows, string name, Tensor like, string paramName = "source")
    {
        if (!shadows.TryGetValue(name, out var shadow) || !shadow.shape.SequenceEqual(like.shape))
        {
            throw new ArgumentException(
                $"The module's tensor '{name}' {TensorShape.Format(like.shape)} has no shadow of the same shape; the EMA was made for another architecture.", paramName);
        }

        return shadow;
    }

    private sealed class Restorer(List<(Tensor Target, Tensor Copy)> saved) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done)
            {
                return;
            }

            _done = true;
            using (no_grad())
            {
                foreach (var (target, copy) in saved)
                {
                    target.copy_(copy);
                    copy.Dispose();
                }
            }
        }
    }
}
