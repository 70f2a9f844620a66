using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace HealthChecks.Warmup.Discovery;

/// <summary>
/// Reads the app's endpoints: the paths of every endpoint of the app's own code that answers GET and
/// needs no route value, and the sample paths given with <see cref="WarmupAttribute"/>.
/// </summary>
internal static class AppEndpoints
{
    /// <summary>The endpoints found: guesses to report (<paramref name="Discovered"/>) and the user's own word (<paramref name="Named"/>).</summary>
    /// <param name="Discovered">Parameterless GET endpoints of the app's own code.</param>
    /// <param name="Named">Sample paths given with <c>WithWarmup</c> or <c>[Warmup]</c>.</param>
    internal sealed record Found(List<string> Discovered, List<string> Named);

    /// <summary>The endpoints of <paramref name="dataSource"/>, the app's (none without routing).</summary>
    public static Found Read(EndpointDataSource? dataSource)
    {
        var found = new Found([], []);
        if (dataSource is null)
        {
            return found;
        }
        foreach (var endpoint in dataSource.Endpoints)
        {
            if (endpoint is not RouteEndpoint route)
            {
                continue;
            }
            var metadata = route.Metadata;
            if (metadata.GetMetadata<ExcludeFromWarmupAttribute>() is not null
                || metadata.GetMetadata<ISuppressMatchingMetadata>()?.SuppressMatching == true)
            {
                continue;
            }
            foreach (var sample in metadata.GetOrderedMetadata<WarmupAttribute>())
            {
                found.Named.AddRange(sample.Paths);
            }
            if (AppCode.Serves(route) && AnswersGet(metadata) && TryPath(route.RoutePattern, out var path))
            {
                found.Discovered.Add(path);
            }
        }
        return found;
    }

    private static bool AnswersGet(EndpointMetadataCollection metadata) =>
        metadata.GetMetadata<IHttpMethodMetadata>() is not { HttpMethods.Count: > 0 } methods
        || methods.HttpMethods.Any(m => string.Equals(m, "GET", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The path of a route that needs no value: literals as written, parameters from the route's
    /// required values (MVC's controller and action, a Razor Page's page) or defaults; an optional
    /// parameter without one ends the path. <see langword="false"/> when a value is missing.
    /// </summary>
    internal static bool TryPath(RoutePattern pattern, out string path)
    {
        path = "";
        var segments = new List<string>();
        var ended = false;
        foreach (var segment in pattern.PathSegments)
        {
            var text = new StringBuilder();
            foreach (var part in segment.Parts)
            {
                switch (part)
                {
                    case RoutePatternLiteralPart literal when !ended:
                        text.Append(literal.Content);
                        break;
                    case RoutePatternSeparatorPart separator when !ended:
                        text.Append(separator.Content);
                        break;
                    case RoutePatternParameterPart parameter:
                        var value = Value(pattern, parameter);
                        if (value is null)
                        {
                            if (!parameter.IsOptional && !parameter.IsCatchAll)
                            {
                                return false;
                            }
                            ended = true;
                        }
                        else if (ended)
                        {
                            return false;
                        }
                        else
                        {
                            text.Append(Uri.EscapeDataString(value));
                        }
                        break;
                    default:
                        return false;
                }
            }
            if (text.Length > 0)
            {
                segments.Add(text.ToString());
            }
        }
        path = "/" + string.Join('/', segments);
        return true;
    }

    private static string? Value(RoutePattern pattern, RoutePatternParameterPart parameter)
    {
        if (pattern.RequiredValues.TryGetValue(parameter.Name, out var required)
            && required is not null && !ReferenceEquals(required, RoutePattern.RequiredValueAny))
        {
            return Convert.ToString(required, System.Globalization.CultureInfo.InvariantCulture) is { Length: > 0 } text ? text : null;
        }
        var fallback = parameter.Default ?? (pattern.Defaults.TryGetValue(parameter.Name, out var d) ? d : null);
        return fallback is null ? null : Convert.ToString(fallback, System.Globalization.CultureInfo.InvariantCulture);
    }
}
