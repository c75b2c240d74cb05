// The code of docs/hosting.md's "Loading files you did not write", kept here so that it compiles and runs in the test
// suite; HostingSnippetTests requires the doc's block to be this method's body, verbatim.
using Generative.Checkpoints;
using Generative.Diffusion;
using Microsoft.Extensions.Logging;

namespace Generative.Tests.Checkpoints.Untrusted;

internal static class HostingSnippets
{
    public static DiffusionModel? LoadUntrusted(string directory, ILogger logger)
    {
        // <snippet>
        // Once, at start-up: allow models of up to 4 GiB of weights (the default is 1 GiB).
        ModelCheckpoint.MaxLoadBytes = 4L << 30;

        try
        {
            // A model directory, or a training root: a corrupt newest step-* checkpoint is skipped with a warning.
            var model = DiffusionModel.Load(directory, logger: logger);
            logger.LogInformation("Loaded samples shaped {Shape} from {Directory}", model.SampleShape, directory);
            return model;
        }
        catch (CheckpointFormatException e)
        {
            // The message names the file, the key and the value; nothing was loaded.
            logger.LogError(e, "Refused the model in {Directory}", directory);
            return null;
        }
        // </snippet>
    }
}
