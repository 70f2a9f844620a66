namespace HealthChecks.Warmup;

/// <summary>How the warm-up requests the site.</summary>
public enum WarmupTransport
{
    /// <summary>Through the app's own request pipeline, in-process, with no network.</summary>
    InProcess = 0,

    /// <summary>Over HTTP, through whatever stands in front of the app (proxies, CDNs).</summary>
    Http = 1,
}
