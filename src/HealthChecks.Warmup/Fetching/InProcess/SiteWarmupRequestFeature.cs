namespace HealthChecks.Warmup.Fetching.InProcess;

/// <summary>
/// Marks a request as the warm-up's own. Only the in-process fetcher creates it, on a feature
/// collection it builds itself: no header, query or remote request can put it on a request.
/// </summary>
internal sealed class SiteWarmupRequestFeature
{
    private readonly List<string> _reached = [];

    /// <summary>Whether the request reached one of the app's health checks of the warm-up (a health endpoint).</summary>
    public bool ReachedHealthCheck
    {
        get
        {
            lock (_reached)
            {
                return _reached.Count > 0;
            }
        }
    }

    /// <summary>The registrations whose warm-up check the request reached (a health endpoint runs its checks side by side).</summary>
    public IReadOnlyList<string> ReachedChecks
    {
        get
        {
            lock (_reached)
            {
                return _reached.Count == 0 ? [] : [.. _reached];
            }
        }
    }

    /// <summary>Records that the check of <paramref name="registration"/> answered this request.</summary>
    public void Reached(string registration)
    {
        lock (_reached)
        {
            _reached.Add(registration);
        }
    }
}
