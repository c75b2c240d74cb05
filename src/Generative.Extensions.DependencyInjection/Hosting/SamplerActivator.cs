using System.Reflection;
using Generative.Diffusion;

namespace Generative.Hosting;

/// <summary>Makes samplers registered by type (<c>AddSampler&lt;TSampler&gt;</c>) from a <see cref="SamplerContext"/> and the container's services.</summary>
internal static class SamplerActivator
{
    /// <summary>The activator of a sampler type: its public constructor with the most parameters, each filled from the
    /// context, the services or its default value.</summary>
    /// <exception cref="ArgumentException">The type has no public constructor.</exception>
    public static Func<IServiceProvider, SamplerContext, ISampler> For(Type samplerType)
    {
        var constructors = samplerType.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .OrderByDescending(c => c.GetParameters().Length)
            .ToArray();
        if (samplerType.IsAbstract || constructors.Length == 0)
        {
            throw new ArgumentException($"The sampler type {samplerType.Name} has no public constructor; register a factory with AddSampler(name, factory) instead.", nameof(samplerType));
        }

        return (services, context) =>
        {
            List<string>? missing = null;
            foreach (var constructor in constructors)
            {
                var parameters = constructor.GetParameters();
                var arguments = new object?[parameters.Length];
                bool filled = true;
                for (int i = 0; i < parameters.Length && filled; i++)
                {
                    filled = TryFill(parameters[i], services, context, out arguments[i]);
                    if (!filled)
                    {
                        (missing ??= []).Add($"{parameters[i].ParameterType.Name} {parameters[i].Name}");
                    }
                }

                if (filled)
                {
                    return (ISampler)constructor.Invoke(arguments);
                }
            }

            throw new InvalidOperationException(
                $"No public constructor of the sampler type {samplerType.Name} can be called: nothing provides {string.Join(", ", missing!.Distinct())}. " +
                "Register the missing services, or register a factory with AddSampler(name, factory).");
        };
    }

    private static bool TryFill(ParameterInfo parameter, IServiceProvider services, SamplerContext context, out object? value)
    {
        var type = parameter.ParameterType;
        value = type == typeof(INoiseSchedule) ? context.Schedule
            : type == typeof(PredictionType) ? context.PredictionType
            : type == typeof(SamplerContext) ? context
            : type == typeof(SamplingOptions) ? context.Options
            : type == typeof(DiffusionModelOptions) ? context.Model
            : services.GetService(type);
        if (value is not null)
        {
            return true;
        }

        if (parameter.HasDefaultValue)
        {
            value = parameter.DefaultValue;
            return true;
        }

        return false;
    }
}
