using Generative.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

// Usage: Generative.CheckpointKillHelper <checkpoint-directory>
// Rewrites the checkpoint over and over (replacing it atomically), with every weight equal to the iteration number,
// and prints "saved N" after each complete write, until it is killed.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Generative.CheckpointKillHelper <checkpoint-directory>");
    return 2;
}

using var net = nn.Sequential(nn.Linear(1024, 1024), nn.Linear(1024, 1024), nn.Linear(1024, 1024));
var modules = new Dictionary<string, nn.Module> { ["net"] = net };
long first = 1;
try
{
    // Continue the numbering of a checkpoint left by an earlier (killed) run.
    first = ModelCheckpoint.ReadConfig(args[0]).Step + 1;
}
catch (DirectoryNotFoundException)
{
}

for (long n = first; ; n++)
{
    using (no_grad())
    {
        foreach (var p in net.parameters())
        {
            p.fill_(n);
        }
    }

    ModelCheckpoint.Save(args[0], modules, "kill-test", step: n);
    Console.WriteLine($"saved {n}");
    Console.Out.Flush();
}
