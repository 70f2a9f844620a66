using HealthChecks.Warmup;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Checks the options when the application starts, naming the configuration key at fault.</summary>
internal sealed class SiteWarmupOptionsValidator : IValidateOptions<SiteWarmupOptions>
{
    public ValidateOptionsResult Validate(string? name, SiteWarmupOptions options)
    {
        var errors = new List<string>();
        var section = SiteWarmupOptions.SectionFor(name);
        void Range(string key, double value, double min, double max, string shown)
        {
            if (value < min || value > max)
            {
                errors.Add($"{section}:{key} must be {shown} (was {value}).");
            }
        }
        void Duration(string key, TimeSpan value, TimeSpan min, TimeSpan max)
        {
            if (value < min || value > max)
            {
                errors.Add($"{section}:{key} must be between {min} and {max} (was {value}).");
            }
        }

        if (options.EntryPaths is null || options.EntryPaths.Count is 0 or > 1000)
        {
            errors.Add($"{section}:EntryPaths must name between 1 and 1000 paths such as \"/\".");
        }
        else
        {
            foreach (var path in options.EntryPaths)
            {
                if (!IsSitePath(path))
                {
                    errors.Add($"{section}:EntryPaths has \"{path}\": an entry path starts with a single '/' and names a path on this site, not another host.");
                }
            }
        }

        foreach (var pattern in options.ExcludedPaths ?? [])
        {
            if (string.IsNullOrWhiteSpace(pattern))
            {
                errors.Add($"{section}:ExcludedPaths has an empty pattern.");
            }
        }

        if (!Enum.IsDefined(options.Transport))
        {
            errors.Add($"{section}:Transport must be InProcess or Http (was {options.Transport}).");
        }
        if (options.BaseAddress is { } baseAddress
            && (!baseAddress.IsAbsoluteUri || baseAddress.Scheme is not ("http" or "https") || baseAddress.UserInfo.Length > 0))
        {
            errors.Add($"{section}:BaseAddress must be an absolute http or https URL without user info (was {baseAddress}).");
        }
        foreach (var (header, value) in options.RequestHeaders ?? new Dictionary<string, string>())
        {
            if (string.IsNullOrWhiteSpace(header) || header.Any(c => c <= ' ' || c >= 127 || c == ':')
                || value is null || value.Any(c => c is '\r' or '\n'))
            {
                errors.Add($"{section}:RequestHeaders has an invalid header \"{header}\".");
            }
        }

        foreach (var host in options.Hosts ?? [])
        {
            if (HealthChecks.Warmup.Discovery.WarmupSeeds.HostOrigin(new Uri("http://localhost/"), host) is null)
            {
                errors.Add($"{section}:Hosts has \"{host}\": a host name, optionally with a port, such as tenant.example or tenant.example:8443.");
            }
        }

        Range(nameof(options.MaxRequestRetries), options.MaxRequestRetries, 0, 10, "between 0 and 10");
        Duration(nameof(options.RequestRetryDelay), options.RequestRetryDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1));
        Duration(nameof(options.MaxRateLimitWait), options.MaxRateLimitWait, TimeSpan.Zero, TimeSpan.FromHours(1));
        Range(nameof(options.MaxDepth), options.MaxDepth, 0, 100, "between 0 and 100");
        if (options.MaxConcurrency is { } concurrency)
        {
            Range(nameof(options.MaxConcurrency), concurrency, 1, 256, "between 1 and 256");
        }
        Range(nameof(options.MaxUrls), options.MaxUrls, 1, 10_000_000, "between 1 and 10000000");
        Range(nameof(options.MaxParsedBytes), options.MaxParsedBytes, 1024, 1024 * 1024 * 1024, "between 1024 and 1073741824");
        Range(nameof(options.MaxRedirects), options.MaxRedirects, 0, 50, "between 0 and 50");
        Duration(nameof(options.RequestTimeout), options.RequestTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        Duration(nameof(options.Deadline), options.Deadline, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Duration(nameof(options.RetryDelay), options.RetryDelay, TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(1));
        Duration(nameof(options.MaxRetryDelay), options.MaxRetryDelay, options.RetryDelay, TimeSpan.FromDays(1));
        Duration(nameof(options.ProgressInterval), options.ProgressInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsSitePath(string? path) =>
        !string.IsNullOrEmpty(path)
        && path[0] == '/'
        && (path.Length == 1 || (path[1] != '/' && path[1] != '\\'))
        && path.IndexOfAny(['\r', '\n', '\t', '\\']) < 0;
}
