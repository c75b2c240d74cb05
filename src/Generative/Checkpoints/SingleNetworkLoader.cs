using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Checkpoints;

/// <summary>
/// The part of loading a model that every family whose model is one network shares (GAN, flow, denoising GAN): the
/// optional feature names, and the network itself — declared tensors checked against the weights file's header and the
/// load budget before anything is allocated, weights copied in, moved to the device, handed to the model's constructor,
/// and disposed again if anything on the way refuses it.
/// </summary>
internal static class SingleNetworkLoader
{
    /// <summary>The optional <c>featureNames</c> of a model's options: one name per element of a sample.</summary>
    /// <exception cref="CheckpointFormatException">The list is not one name per element.</exception>
    public static IReadOnlyList<string>? FeatureNames(ConfigValue options, TensorShape sampleShape)
    {
        var names = options["featureNames"];
        if (!names.Exists)
        {
            return null;
        }

        var featureNames = names.Strings(ConfigLimits.MaxFeatureNames);
        return featureNames.Count == sampleShape.ElementCount
            ? featureNames
            : throw names.Fail($"must hold one name per feature of samples shaped {sampleShape}");
    }

    /// <summary>Builds the model around the network stored under <paramref name="moduleName"/> in the folder's weights.</summary>
    /// <typeparam name="TNetwork">The network's interface.</typeparam>
    /// <typeparam name="TModel">The model.</typeparam>
    /// <param name="folder">The resolved checkpoint folder.</param>
    /// <param name="configFile">Its config.json (for messages).</param>
    /// <param name="config">The config read from it.</param>
    /// <param name="plan">The network description's plan.</param>
    /// <param name="moduleName">The module whose weights to load (the weights' name prefix).</param>
    /// <param name="optionsPath">Where the network is described in config.json (for messages), e.g. <c>options.network</c>.</param>
    /// <param name="module">The network's module.</param>
    /// <param name="device">The device to move it to, or <see langword="null"/> to keep it on the CPU.</param>
    /// <param name="description">What the file describes, for messages (<c>"flow model"</c>).</param>
    /// <param name="build">Builds the model around the loaded network.</param>
    /// <exception cref="CheckpointFormatException">The module is not listed, its tensors do not match the description, or the network or model refuses what the file describes.</exception>
    public static TModel Load<TNetwork, TModel>(
        string folder, string configFile, CheckpointConfig config, NetworkPlan<TNetwork> plan, string moduleName, string optionsPath,
        Func<TNetwork, nn.Module> module, Device? device, string description, Func<TNetwork, TModel> build)
        where TNetwork : class
    {
        if (!config.Modules.Contains(moduleName))
        {
            throw new CheckpointFormatException($"'{configFile}': 'modules' does not list \"{moduleName}\".");
        }

        string weightsFile = Path.Combine(folder, ModelCheckpoint.ModelFileName);
        string prefix = moduleName + ".";
        ExpectedTensors.Check(plan.Declare, SafeTensors.ReadHeader(weightsFile), weightsFile, prefix, configFile, optionsPath, new LoadBudget(ModelCheckpoint.MaxLoadBytes));
        using var weights = SafeTensors.Load(weightsFile, n => n.StartsWith(prefix, StringComparison.Ordinal));
        TNetwork? network = null;
        try
        {
            network = plan.Create(null);
            ModelCheckpoint.CopyInto(weights.Tensors, new Dictionary<string, nn.Module>(StringComparer.Ordinal) { [moduleName] = module(network) }, weightsFile);
            if (device is not null)
            {
                module(network).to(device);
            }

            return build(network);
        }
        catch (Exception e)
        {
            if (network is not null)
            {
                module(network).Dispose();
            }

            if (e is ArgumentException or InvalidOperationException or FormatException or NotSupportedException)
            {
                throw new CheckpointFormatException($"'{configFile}' describes a {description} that cannot be built: {e.Message}", e);
            }

            throw;
        }
    }
}
