using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.FileProviders;

namespace HealthChecks.Warmup.Discovery;

/// <summary>
/// Reads the app's endpoints: the paths of every endpoint of the app's own code that answers GET and
/// needs no route value, the sample paths given with <see cref="WarmupAttribute"/>, and whether the app
/// maps anything at <c>/</c>.
/// </summary>
internal static class AppEndpoints
{
    /// <summary>The names <c>UseDefaultFiles</c> looks for in the web root, in its order.</summary>
    private static readonly string[] s_defaultDocuments = ["default.htm", "default.html", "index.htm", "index.html"];

    /// <summary>The endpoints found: guesses to report (<paramref name="Discovered"/>) and the user's own word (<paramref name="Named"/>).</summary>
    /// <param name="Discovered">Parameterless GET endpoints of the app's own code.</param>
    /// <param name="Named">Sample paths given with <c>WithWarmup</c> or <c>[Warmup]</c>.</param>
    /// <param name="NothingAtRoot">
    /// The app is known to serve nothing at <c>/</c>: it has GET endpoints of its own code, none of its
    /// endpoints matches <c>/</c>, and its web root has no default document (a web API). <see langword="false"/>
    /// when something may: without routing, or with no GET endpoint of its own, a middleware may answer it.
    /// </param>
    internal sealed record Found(List<string> Discovered, List<string> Named, bool NothingAtRoot = false);

    /// <summary>The endpoints of <paramref name="dataSource"/>, the app's (none without routing); <paramref name="webRoot"/> for its default documents.</summary>
    public static Found Read(EndpointDataSource? dataSource, IFileProvider? webRoot = null)
    {
        var found = new Found([], []);
        if (dataSource is null)
        {
            return found;
        }
        var ownGet = false;
        var root = false;
        foreach (var endpoint in dataSource.Endpoints)
        {
            if (endpoint is not RouteEndpoint route)
            {
                continue;
            }
            var metadata = route.Metadata;
            if (metadata.GetMetadata<ISuppressMatchingMetadata>()?.SuppressMatching == true)
            {
                continue;
            }
            var get = AnswersGet(metadata);
            var own = AppCode.Serves(route);
            root |= get && MatchesRoot(route.RoutePattern);
            ownGet |= get && own;
            if (metadata.GetMetadata<ExcludeFromWarmupAttribute>() is not null)
            {
                continue;
            }
            foreach (var sample in metadata.GetOrderedMetadata<WarmupAttribute>())
            {
                found.Named.AddRange(sample.Paths);
            }
            if (own && get && TryPath(route.RoutePattern, out var path))
            {
                found.Discovered.Add(path);
            }
        }
        var defaultDocument = webRoot is not null && s_defaultDocuments.Any(name => webRoot.GetFileInfo(name).Exists);
        return found with { NothingAtRoot = ownGet && !root && !defaultDocument };
    }

    /// <summary>Whether <paramref name="pattern"/> matches the empty path: every parameter optional, defaulted or a catch-all, no literal.</summary>
    internal static bool MatchesRoot(RoutePattern pattern) =>
        pattern.PathSegments.All(segment => segment.Parts.All(part => part is RoutePatternParameterPart parameter
            && (parameter.IsOptional || parameter.IsCatchAll || parameter.Default is not null || pattern.Defaults.ContainsKey(parameter.Name))));

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
