using System.CommandLine;
using HealthChecks.Warmup.Model;

namespace HealthChecks.Warmup.Cli;

/// <summary>
/// <c>dotnet warmup URL [options]</c>: the command line, parsed with System.CommandLine. Exit codes:
/// 0 warm by the rules, 1 the rules failed it, 2 a usage error (one line, no stack trace).
/// </summary>
internal static class WarmupCommand
{
    public const int Warm = 0;
    public const int NotWarm = 1;
    public const int UsageError = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, bool interactive, CancellationToken cancellationToken = default)
    {
        var url = new Argument<string>("url") { Description = "The site to warm, e.g. https://staging.example.com/. Its origin bounds the crawl; its path is the entry page unless --entry is given." };
        var entries = new Option<string[]>("--entry") { Description = "An entry page path (repeatable), e.g. --entry / --entry /shop.", Arity = ArgumentArity.ZeroOrMore };
        var depth = new Option<int>("--depth") { Description = "Link hops followed from an entry page (0-100).", DefaultValueFactory = _ => 1 };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests at once (1-256).", DefaultValueFactory = _ => 8 };
        var timeout = new Option<string>("--timeout") { Description = "One request's time limit: 500ms, 30s, 2m.", DefaultValueFactory = _ => "30s" };
        var deadline = new Option<string>("--deadline") { Description = "The whole warm-up's time limit.", DefaultValueFactory = _ => "5m" };
        var maxUrls = new Option<int>("--max-urls") { Description = "The most URLs requested.", DefaultValueFactory = _ => 10_000 };
        var retries = new Option<int>("--retries") { Description = "Retries of a transient failure (5xx, 408, 429, time-out, connection error), 0-10.", DefaultValueFactory = _ => 2 };
        var ignore = new Option<bool>("--ignore-resource-server-errors") { Description = "A 5xx, exception or time-out below the entry pages does not fail the warm-up." };
        var exclude = new Option<string[]>("--exclude") { Description = "A path pattern never requested (repeatable; * and ?), besides sign-out paths, e.g. --exclude \"/health/*\".", Arity = ArgumentArity.ZeroOrMore };
        var headers = new Option<string[]>("--header") { Description = "A request header \"Name: value\" (repeatable).", Arity = ArgumentArity.ZeroOrMore };
        var json = new Option<string>("--json") { Description = "Write the full report (every URL) to this file." };
        var noSitemaps = new Option<bool>("--no-sitemaps") { Description = "Do not read robots.txt and sitemaps for more pages." };
        var noRepeat = new Option<bool>("--no-repeat") { Description = "Do not request one URL of each folder once more after the crawl (the repeat pass)." };
        var slowest = new Option<int>("--slowest") { Description = "How many of the slowest pages are requested once more to show their cold and warm times (0-100; 0: none).", DefaultValueFactory = _ => 5 };
        var verbose = new Option<bool>("--verbose") { Description = "Log every request and its outcome." };

        var root = new RootCommand("Warms a site over HTTP — its pages and every stylesheet, script, image and font they load — and exits 0 when it is warm.")
        {
            url, entries, depth, concurrency, timeout, deadline, maxUrls, retries, ignore, exclude, headers, noSitemaps, noRepeat, slowest, json, verbose,
        };

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            await error.WriteLineAsync($"error: {parsed.Errors[0].Message} (see --help)");
            return UsageError;
        }
        if (parsed.Action is not null && parsed.CommandResult.Command != root || args.Any(a => a is "--help" or "-h" or "-?" or "--version"))
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
        }

        if (!Uri.TryCreate(parsed.GetValue(url), UriKind.Absolute, out var site) || site.Scheme is not ("http" or "https") || site.UserInfo.Length > 0)
        {
            await error.WriteLineAsync($"error: '{parsed.GetValue(url)}' is not an absolute http or https URL.");
            return UsageError;
        }
        if (!DurationParser.TryParse(parsed.GetValue(timeout), out var requestTimeout) || !DurationParser.TryParse(parsed.GetValue(deadline), out var overall))
        {
            await error.WriteLineAsync("error: --timeout and --deadline take a duration such as 500ms, 30s or 2m.");
            return UsageError;
        }
        var requestHeaders = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in parsed.GetValue(headers) ?? [])
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                await error.WriteLineAsync($"error: --header \"{header}\" is not \"Name: value\".");
                return UsageError;
            }
            requestHeaders[header[..colon].Trim()] = header[(colon + 1)..].Trim();
        }

        var entryPaths = parsed.GetValue(entries) is { Length: > 0 } given ? given : [site.PathAndQuery];
        var options = new SiteWarmupOptions
        {
            Transport = WarmupTransport.Http,
            BaseAddress = site,
            EntryPaths = [.. entryPaths],
            MaxDepth = parsed.GetValue(depth),
            MaxConcurrency = parsed.GetValue(concurrency),
            RequestTimeout = requestTimeout,
            Deadline = overall,
            MaxUrls = parsed.GetValue(maxUrls),
            MaxRequestRetries = parsed.GetValue(retries),
            IgnoreResourceServerErrors = parsed.GetValue(ignore),
            RequestHeaders = requestHeaders,
            Verbose = parsed.GetValue(verbose),
            DiscoverSitemaps = !parsed.GetValue(noSitemaps),
            RepeatRequests = !parsed.GetValue(noRepeat),
            SlowestPages = parsed.GetValue(slowest),
        };
        foreach (var pattern in parsed.GetValue(exclude) ?? [])
        {
            options.ExcludedPaths.Add(pattern);
        }
        var invalid = new Microsoft.Extensions.DependencyInjection.SiteWarmupOptionsValidator().Validate(null, options);
        if (invalid.Failed)
        {
            var first = invalid.Failures.First().Replace(SiteWarmupOptions.ConfigurationSection + ":", "", StringComparison.Ordinal);
            await error.WriteLineAsync($"error: {first}");
            return UsageError;
        }

        var report = await WarmupRun.RunAsync(options, output, error, interactive, cancellationToken);
        var warm = Rules.FailureRules.Failures(report.Report, options.IgnoreResourceServerErrors).Count == 0;
        if (parsed.GetValue(json) is { Length: > 0 } jsonPath)
        {
            await JsonReport.From(report.Report, report.StartedAt, options.IgnoreResourceServerErrors, report.Slowest).WriteAsync(jsonPath, cancellationToken);
        }
        return warm ? Warm : NotWarm;
    }
}

/// <summary>A finished run: the crawl's report and when it started.</summary>
internal sealed record RunResult(WarmupReport Report, DateTimeOffset StartedAt, IReadOnlyList<PageTiming> Slowest);
