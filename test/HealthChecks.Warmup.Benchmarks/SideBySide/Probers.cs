using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace HealthChecks.Warmup.Benchmarks.SideBySide;

/// <summary>The median and 99th percentile of one endpoint's latency over one window, in milliseconds, and how many requests were timed.</summary>
internal readonly record struct Latency(double P50, double P99, int Requests)
{
    /// <summary>The nearest-rank percentiles of <paramref name="milliseconds"/>.</summary>
    public static Latency Of(IReadOnlyCollection<double> milliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfZero(milliseconds.Count);
        var sorted = milliseconds.Order().ToArray();
        double Rank(double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];
        return new Latency(Rank(0.50), Rank(0.99), sorted.Length);
    }
}

/// <summary><c>/health/ready</c> and <c>/health/live</c>, probed the same way at the same time.</summary>
internal sealed record ProbeWindow(string Probes, string Window, Latency Ready, Latency Live);

/// <summary>The two ways the benchmark probes a warming site.</summary>
internal static class Probers
{
    public const string Flood = "wrk, 50 connections each";
    public const string OneAtATime = "one request at a time each";

    /// <summary>wrk with 50 connections for two seconds: a flood that keeps both cores busy.</summary>
    public static async Task<Latency> WrkAsync(string url)
    {
        var text = await SideBySideRunner.RunToolAsync("wrk", ["-t1", "-c50", "-d2s", "--latency", url]);
        double Percentile(string p) => Milliseconds(Regex.Match(text, $@"^\s+{p}%\s+(\S+)", RegexOptions.Multiline).Groups[1].Value);
        var requests = Regex.Match(text, @"(\d+) requests in");
        return new Latency(Percentile("50"), Percentile("99"), requests.Success ? int.Parse(requests.Groups[1].Value, CultureInfo.InvariantCulture) : 0);
    }

    /// <summary>
    /// One request after another for <paramref name="duration"/>, each timed from send to the last byte,
    /// as a kubelet or a load balancer probes (they wait seconds between probes; this does not).
    /// wrk is not used for this: with one connection its latency figures do not add up to its run time.
    /// </summary>
    public static async Task<Latency> OneAtATimeAsync(string url, TimeSpan duration)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var latencies = new List<double>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            var sent = Stopwatch.GetTimestamp();
            using (var response = await client.GetAsync(url, HttpCompletionOption.ResponseContentRead))
            {
                latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            }
        }
        return Latency.Of(latencies);
    }

    /// <summary>wrk's latency ("850.00us", "2.31ms", "1.02s") in milliseconds.</summary>
    private static double Milliseconds(string latency)
    {
        var match = Regex.Match(latency, @"^([\d.]+)(us|ms|s)$");
        if (!match.Success)
        {
            return double.NaN;
        }
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }
}
