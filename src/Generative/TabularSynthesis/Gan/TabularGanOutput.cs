using Generative.Tabular;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.TabularSynthesis;

/// <summary>
/// How a <see cref="TabularGan"/>'s generator output becomes a row (Xu et al. 2019, §4.4): tanh for the α of each
/// <c>mode-specific</c> number (a Gaussian block followed by its <see cref="BlockRole.Mode"/> group), the identity for any
/// other Gaussian or cyclic block, and a Gumbel-softmax with temperature τ for every one-hot group (categories, modes,
/// missing indicators); and the generator's conditional loss, the cross-entropy between the conditioned group's logits
/// and the condition. Immutable.
/// </summary>
internal sealed class TabularGanOutput
{
    private readonly (int Offset, int Width, Activation Kind)[] _segments;

    internal TabularGanOutput(TableLayout layout)
    {
        var blocks = layout.Blocks;
        _segments = new (int, int, Activation)[blocks.Count];
        for (int i = 0; i < blocks.Count; i++)
        {
            var b = blocks[i];
            bool alpha = b.Kind == BlockKind.Gaussian && i + 1 < blocks.Count && blocks[i + 1].Role == BlockRole.Mode && blocks[i + 1].Column == b.Column;
            var kind = b.Kind == BlockKind.OneHot ? Activation.GumbelSoftmax : alpha ? Activation.Tanh : Activation.Identity;
            _segments[i] = (b.Offset, b.Width, kind);
        }
    }

    private enum Activation
    {
        Identity,
        Tanh,
        GumbelSoftmax,
    }

    /// <summary>The row <c>[N, Width]</c> from the generator's raw output, drawing the Gumbel noise from the generator.</summary>
    internal Tensor Activate(Tensor raw, double temperature, Generator generator)
    {
        using var scope = NewDisposeScope();
        var pieces = new Tensor[_segments.Length];
        for (int i = 0; i < _segments.Length; i++)
        {
            var (offset, width, kind) = _segments[i];
            var part = raw.narrow(1, offset, width);
            pieces[i] = kind switch
            {
                Activation.Tanh => part.tanh(),
                Activation.GumbelSoftmax => GumbelSoftmax(part, temperature, generator),
                _ => part,
            };
        }

        return (pieces.Length == 0 ? raw.alias() : cat(pieces, 1)).MoveToOuterDisposeScope();
    }

    /// <summary>softmax((logits + g) / τ) with g = −log(−log U), U ~ U(0, 1) from the generator (Jang et al. 2017).</summary>
    internal static Tensor GumbelSoftmax(Tensor logits, double temperature, Generator generator)
    {
        using var scope = NewDisposeScope();
        var u = rand(logits.shape, dtype: logits.dtype, device: logits.device, generator: generator).ClampInPlace(1e-10, 1 - 1e-7);
        var gumbel = u.log().neg().log().neg();
        return nn.functional.softmax(logits.Plus(gumbel).DividedBy(temperature), 1).MoveToOuterDisposeScope();
    }

    /// <summary>The generator's conditional loss: for each row, the cross-entropy between the logits of the group its
    /// condition picked and the picked slot, summed over rows and divided by N (CTGAN's cond_loss).</summary>
    internal static Tensor ConditionalLoss(Tensor raw, ConditionalVector conditions, int[] groups, int[] slots)
    {
        using var scope = NewDisposeScope();
        long n = raw.shape[0];
        var total = zeros([], raw.dtype, raw.device);
        for (int g = 0; g < conditions.Groups.Length; g++)
        {
            var mask = new float[n];
            var target = new long[n];
            bool any = false;
            for (int i = 0; i < n; i++)
            {
                if (groups[i] == g)
                {
                    mask[i] = 1;
                    target[i] = slots[i];
                    any = true;
                }
            }

            if (!any)
            {
                continue;
            }

            var block = conditions.Groups[g];
            var logits = raw.narrow(1, block.Offset, block.Width);
            var entropy = nn.functional.cross_entropy(logits, tensor(target), reduction: nn.Reduction.None);
            total = total.Plus(entropy.mul(tensor(mask).to(raw.dtype)).sum());
        }

        return total.DividedBy(n).MoveToOuterDisposeScope();
    }
}
