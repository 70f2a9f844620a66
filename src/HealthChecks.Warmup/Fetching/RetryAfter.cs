using System.Globalization;

namespace HealthChecks.Warmup.Fetching;

/// <summary>The Retry-After header, read as both transports read it.</summary>
internal static class RetryAfter
{
    /// <summary>
    /// A Retry-After header's wait: delay-seconds, or an HTTP date from now (RFC 9110 §10.2.3);
    /// <see langword="null"/> when absent or unreadable.
    /// </summary>
    public static TimeSpan? Parse(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        value = value.Trim();
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(Math.Min(seconds, (long)TimeSpan.FromDays(1).TotalSeconds));
        }
        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var date))
        {
            var wait = date - now;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }
}
