using Microsoft.AspNetCore.Builder;

namespace HealthChecks.Warmup.Benchmarks.Site;

/// <summary>
/// A site the benchmark serves, under the host every site shares (<see cref="BenchSite"/>: how it gets
/// ready, the health endpoints, what it served, its memory): the app it starts from, what it maps, and
/// its URL list — what the floor replays and every crawler's URL set is compared with.
/// </summary>
internal interface IBenchSite
{
    /// <summary>The number of pages: the warm-up's URL limit is set from it.</summary>
    int Pages { get; }

    /// <summary>The builder the site's app starts from, with the site's services.</summary>
    WebApplicationBuilder CreateBuilder();

    /// <summary>The site's middleware and endpoints, after the host's own.</summary>
    void Map(WebApplication app);

    /// <summary>Every URL of the site as a path with its query, as a complete crawler finds it, from the running app's services.</summary>
    IEnumerable<string> AllPaths(IServiceProvider services);
}

/// <summary>What <c>serve</c> is started with: <c>--pages N --port P --mode M [--record-seen 0|1] [--runs N]</c>.</summary>
internal sealed record ServeArguments(int Pages, int Port, ReadyMode Mode, bool RecordSeen = true, int Runs = 3)
{
    public static ServeArguments Parse(string[] args)
    {
        int Option(string name, int fallback)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
        }
        var modeAt = Array.IndexOf(args, "--mode");
        var mode = modeAt >= 0 && modeAt + 1 < args.Length ? Enum.Parse<ReadyMode>(args[modeAt + 1]) : ReadyMode.InProcess;
        return new ServeArguments(Option("--pages", 2000), Option("--port", 5000), mode, Option("--record-seen", 1) == 1, Option("--runs", 3));
    }
}
