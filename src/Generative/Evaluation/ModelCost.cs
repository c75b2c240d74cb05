using TorchSharp;

namespace Generative.Evaluation;

/// <summary>Cost figures of a model that do not depend on the trainer: parameter counts.</summary>
public static class ModelCost
{
    /// <summary>The number of scalar parameters of <paramref name="module"/> and its submodules (buffers excluded).</summary>
    /// <param name="module">The module; not modified.</param>
    /// <param name="trainableOnly">Count only parameters that require gradients.</param>
    public static long ParameterCount(torch.nn.Module module, bool trainableOnly = false)
    {
        ArgumentNullException.ThrowIfNull(module);
        long total = 0;
        foreach (var parameter in module.parameters())
        {
            if (!trainableOnly || parameter.requires_grad)
            {
                total += parameter.numel();
            }
        }

        return total;
    }
}
