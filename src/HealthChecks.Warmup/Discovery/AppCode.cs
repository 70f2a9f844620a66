using System.Reflection;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.StaticAssets;

namespace HealthChecks.Warmup.Discovery;

/// <summary>
/// Tells the endpoints the app's own code serves from the framework's plumbing, by endpoint metadata
/// and by whose code handles the request, never by path or display name. The app's own: MVC actions
/// and Razor Pages (an <see cref="ActionDescriptor"/>) and routable Razor components
/// (<see cref="ComponentTypeMetadata"/>) whose type is not Microsoft's, and minimal APIs or request
/// delegates whose handler is not ASP.NET Core's. Not the app's own: static assets (<see cref="StaticAssetDescriptor"/>: a page's
/// references warm the assets its visitors load) and every endpoint that ASP.NET Core's code handles
/// (health checks, SignalR hubs and their negotiation, Blazor's circuit, disconnect and redirect
/// endpoints, whatever a future version adds), and the pages a Microsoft package ships (Identity's default
/// UI: the pages its layout links are warmed through the links; the rest, such as the second step of a
/// two-factor sign-in, throw when requested out of their flow).
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
        if (metadata.GetMetadata<ActionDescriptor>() is { } action)
        {
            // A page or controller a Microsoft package ships (Identity's default UI) is that package's code.
            return CodeOf(action) is not { } code || !IsFramework(code.Assembly);
        }
        if (metadata.GetMetadata<ComponentTypeMetadata>() is { } component)
        {
            return !IsFramework(component.Type.Assembly);
        }
        var handler = metadata.GetMetadata<MethodInfo>() ?? endpoint.RequestDelegate?.Method;
        return handler?.DeclaringType?.Assembly is { } assembly && !IsFramework(assembly);
    }

    /// <summary>The type whose code an action runs: a controller, a compiled Razor Page; none for a page not compiled yet.</summary>
    private static Type? CodeOf(ActionDescriptor action) => action switch
    {
        ControllerActionDescriptor controller => controller.ControllerTypeInfo,
        CompiledPageActionDescriptor page => page.PageTypeInfo ?? page.HandlerTypeInfo,
        _ => null,
    };

    internal static bool IsFramework(Assembly assembly)
    {
        var token = assembly.GetName().GetPublicKeyToken();
        return token is { Length: 8 } && s_frameworkKeys.Contains(Convert.ToHexStringLower(token));
    }
}
