using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Generative.Hosting;

/// <summary>Makes a relative <see cref="TableModelOptions.Directory"/> absolute, against the host's content root when
/// there is a host and the current directory otherwise.</summary>
internal sealed class TableModelPathResolver : IPostConfigureOptions<TableModelOptions>
{
    private readonly string _basePath;

    public TableModelPathResolver(IServiceProvider services)
    {
        var environment = (IHostEnvironment?)services.GetService(typeof(IHostEnvironment));
        _basePath = string.IsNullOrEmpty(environment?.ContentRootPath) ? System.IO.Directory.GetCurrentDirectory() : environment.ContentRootPath;
    }

    public void PostConfigure(string? name, TableModelOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.Directory))
        {
            options.Directory = Path.GetFullPath(options.Directory.Trim(), _basePath);
        }
    }
}
