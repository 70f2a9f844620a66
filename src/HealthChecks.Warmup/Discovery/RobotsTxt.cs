namespace HealthChecks.Warmup.Discovery;

/// <summary>
/// Reads robots.txt: its <c>Sitemap:</c> lines, and the <c>Disallow:</c> path prefixes of the groups
/// for all user agents (<c>User-agent: *</c>).
/// </summary>
internal static class RobotsTxt
{
    public static void Read(string text, List<string> sitemaps, List<string> disallowed)
    {
        var inStarGroup = false;
        var lastWasAgent = false;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine;
            var comment = line.IndexOf('#', StringComparison.Ordinal);
            if (comment >= 0)
            {
                line = line[..comment];
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }
            var field = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (field.Equals("sitemap", StringComparison.OrdinalIgnoreCase))
            {
                if (value.Length > 0)
                {
                    sitemaps.Add(value);
                }
                continue;
            }
            if (field.Equals("user-agent", StringComparison.OrdinalIgnoreCase))
            {
                // Consecutive User-agent lines open one group.
                inStarGroup = (lastWasAgent && inStarGroup) || value == "*";
                lastWasAgent = true;
                continue;
            }
            lastWasAgent = false;
            if (inStarGroup && field.Equals("disallow", StringComparison.OrdinalIgnoreCase) && value.StartsWith('/'))
            {
                disallowed.Add(value);
            }
        }
    }
}
