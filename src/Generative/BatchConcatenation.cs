using static TorchSharp.torch;

namespace Generative;

/// <summary>Joins the batches of a streamed sampling call into one tensor, releasing the parts.</summary>
internal static class BatchConcatenation
{
    /// <summary>Concatenates <paramref name="batches"/> along dimension 0; a single batch is returned as it is.</summary>
    /// <param name="batches">The batches, each owned by the caller until joined.</param>
    /// <returns>One tensor the caller owns; the parts are disposed (also when enumeration throws).</returns>
    public static Tensor Concatenate(IEnumerable<Tensor> batches)
    {
        var parts = new List<Tensor>();
        try
        {
            foreach (var batch in batches)
            {
                parts.Add(batch);
            }

            return parts.Count == 1 ? parts[0] : cat(parts, 0);
        }
        finally
        {
            if (parts.Count > 1)
            {
                foreach (var part in parts)
                {
                    part.Dispose();
                }
            }
        }
    }
}
