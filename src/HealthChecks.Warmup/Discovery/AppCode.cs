using System.Reflection;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.StaticAssets;

namespace HealthChecks.Warmup.Discovery;

/// <summary>
/// Tells the endpoints the app's own code serves from the framework's plumbing, by endpoint metadata
/// and by whose code handles the request, never by path or display name. The app's own: MVC actions
/// and Razor Pages (an <see cref="ActionDescriptor"/>), routable Razor components
/// (<see cref="ComponentTypeMetadata"/>), and minimal APIs or request delegates whose handler is not
/// ASP.NET Core's. Not the app's own: static assets (<see cref="StaticAssetDescriptor"/>: a page's
/// references warm the assets its visitors load) and every endpoint that ASP.NET Core's code handles
/// (health checks, SignalR hubs and their negotiation, Blazor's circuit, disconnect and redirect
/// endpoints, whatever a future version adds).
/// </summary>
internal static class AppCode
{
    // ASP.NET Core's and .NET's strong-name keys: no code but Microsoft's carries them.
    private static readonly string[] s_frameworkKeys = ["adb9793829ddae60", "b03f5f7f11d50a3a", "cc7b13ffcd2ddd51", "7cec85d7bea7798e", "31bf3856ad364e35"];

    public static bool Serves(Endpoint endpoint)
    {
        var metadata = endpoint.Metadata;
        if (metadata.GetMetadata<StaticAssetDescriptor>() is not null)
        {
            return false;
        }
        if (metadata.GetMetadata<ActionDescriptor>() is not null || metadata.GetMetadata<ComponentTypeMetadata>() is not null)
        {
            return true;
        }
        var handler = metadata.GetMetadata<MethodInfo>() ?? endpoint.RequestDelegate?.Method;
        return handler?.DeclaringType?.Assembly is { } assembly && !IsFramework(assembly);
    }

    internal static bool IsFramework(Assembly assembly)
    {
        var token = assembly.GetName().GetPublicKeyToken();
        return token is { Length: 8 } && s_frameworkKeys.Contains(Convert.ToHexStringLower(token));
    }
}
