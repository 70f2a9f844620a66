using System.Security.Cryptography;
using System.Text;

namespace HealthChecks.Warmup.Fetching.Http;

/// <summary>
/// How the app's own health checks recognise a request the app's warm-up sends to itself over HTTP:
/// a header with a secret made anew in every process. Only the warm-up of this process knows it, so a
/// warm-up that reaches a health endpoint of its own app never waits for itself. It grants nothing
/// else: <c>IsSiteWarmupRequest()</c> reads only the in-process request feature.
/// </summary>
internal static class OwnRequestMarker
{
    /// <summary>The request header that carries the secret.</summary>
    public const string Header = "X-Site-Warmup";

    /// <summary>The response header a health check of the warm-up sets on such a request.</summary>
    public const string ReachedHeader = "X-Site-Warmup-Health-Endpoint";

    public static string Secret { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static bool IsOwn(string? value) =>
        value is { Length: 32 } && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(value), Encoding.ASCII.GetBytes(Secret));
}
