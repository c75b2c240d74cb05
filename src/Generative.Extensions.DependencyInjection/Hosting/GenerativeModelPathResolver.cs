using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Generative.Hosting;

/// <summary>Makes a relative <see cref="GenerativeModelOptions.CheckpointPath"/> absolute, against the host's content
/// root when there is a host and the current directory otherwise.</summary>
internal sealed class GenerativeModelPathResolver : IPostConfigureOptions<GenerativeModelOptions>
{
    private readonly string _basePath;

    public GenerativeModelPathResolver(IServiceProvider services)
    {
        var environment = (IHostEnvironment?)services.GetService(typeof(IHostEnvironment));
        _basePath = string.IsNullOrEmpty(environment?.ContentRootPath)
            ? Directory.GetCurrentDirectory()
            : environment.ContentRootPath;
    }

    public void PostConfigure(string? name, GenerativeModelOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.CheckpointPath))
        {
            options.CheckpointPath = Path.GetFullPath(options.CheckpointPath.Trim(), _basePath);
        }
    }
}
