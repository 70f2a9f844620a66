using HealthChecks.Warmup;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Checks the options when the application starts, naming the configuration key at fault.</summary>
internal sealed class SiteWarmupOptionsValidator : IValidateOptions<SiteWarmupOptions>
{
    public ValidateOptionsResult Validate(string? name, SiteWarmupOptions options)
    {
        var errors = new Errors(SiteWarmupOptions.SectionFor(name));
        ValidateSite(options, errors);
        ValidateRequests(options, errors);
        ValidateLimits(options, errors);
        return errors.Result;
    }

    /// <summary>Where the warm-up starts and what it may not request.</summary>
    private static void ValidateSite(SiteWarmupOptions options, Errors errors)
    {
        if (options.EntryPaths is null || options.EntryPaths.Count is 0 or > 1000)
        {
            errors.Add("EntryPaths must name between 1 and 1000 paths such as \"/\".");
        }
        else
        {
            foreach (var path in options.EntryPaths.Where(path => !IsSitePath(path)))
            {
                errors.Add($"EntryPaths has \"{path}\": an entry path starts with a single '/' and names a path on this site, not another host.");
            }
        }
        foreach (var _ in (options.ExcludedPaths ?? []).Where(string.IsNullOrWhiteSpace))
        {
            errors.Add("ExcludedPaths has an empty pattern.");
        }
        foreach (var host in (options.Hosts ?? []).Where(host => HealthChecks.Warmup.Discovery.WarmupSeeds.HostOrigin(new Uri("http://localhost/"), host) is null))
        {
            errors.Add($"Hosts has \"{host}\": a host name, optionally with a port, such as tenant.example or tenant.example:8443.");
        }
    }

    /// <summary>How requests are sent: the transport, the address, the headers, the retries.</summary>
    private static void ValidateRequests(SiteWarmupOptions options, Errors errors)
    {
        if (!Enum.IsDefined(options.Transport))
        {
            errors.Add($"Transport must be InProcess or Http (was {options.Transport}).");
        }
        if (options.BaseAddress is { } baseAddress
            && (!baseAddress.IsAbsoluteUri || baseAddress.Scheme is not ("http" or "https") || baseAddress.UserInfo.Length > 0))
        {
            errors.Add($"BaseAddress must be an absolute http or https URL without user info (was {baseAddress}).");
        }
        foreach (var (header, value) in options.RequestHeaders ?? new Dictionary<string, string>())
        {
            if (string.IsNullOrWhiteSpace(header) || header.Any(c => c <= ' ' || c >= 127 || c == ':')
                || value is null || value.Any(c => c is '\r' or '\n'))
            {
                errors.Add($"RequestHeaders has an invalid header \"{header}\".");
            }
        }
        errors.Range(nameof(options.MaxRequestRetries), options.MaxRequestRetries, 0, 10);
        errors.Duration(nameof(options.RequestRetryDelay), options.RequestRetryDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1));
        errors.Duration(nameof(options.MaxRateLimitWait), options.MaxRateLimitWait, TimeSpan.Zero, TimeSpan.FromHours(1));
    }

    /// <summary>How far, how wide and how long the warm-up goes, and how it retries.</summary>
    private static void ValidateLimits(SiteWarmupOptions options, Errors errors)
    {
        errors.Range(nameof(options.MaxDepth), options.MaxDepth, 0, 100);
        if (options.MaxConcurrency is { } concurrency)
        {
            errors.Range(nameof(options.MaxConcurrency), concurrency, 1, 256);
        }
        errors.Range(nameof(options.MaxUrls), options.MaxUrls, 1, 10_000_000);
        errors.Range(nameof(options.MaxParsedBytes), options.MaxParsedBytes, 1024, 1024 * 1024 * 1024);
        errors.Range(nameof(options.MaxRedirects), options.MaxRedirects, 0, 50);
        errors.Duration(nameof(options.RequestTimeout), options.RequestTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        errors.Duration(nameof(options.Deadline), options.Deadline, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        errors.Duration(nameof(options.RetryDelay), options.RetryDelay, TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(1));
        errors.Duration(nameof(options.MaxRetryDelay), options.MaxRetryDelay, options.RetryDelay, TimeSpan.FromDays(1));
        errors.Duration(nameof(options.ProgressInterval), options.ProgressInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
    }

    /// <summary>The errors found, each naming its configuration key under the registration's section.</summary>
    private sealed class Errors(string section)
    {
        private readonly List<string> _errors = [];

        public ValidateOptionsResult Result => _errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_errors);

        /// <summary><paramref name="message"/> starts with the key, which is written under the section.</summary>
        public void Add(string message) => _errors.Add($"{section}:{message}");

        public void Range(string key, long value, long min, long max)
        {
            if (value < min || value > max)
            {
                Add($"{key} must be between {min} and {max} (was {value}).");
            }
        }

        public void Duration(string key, TimeSpan value, TimeSpan min, TimeSpan max)
        {
            if (value < min || value > max)
            {
                Add($"{key} must be between {min} and {max} (was {value}).");
            }
        }
    }

    private static bool IsSitePath(string? path) =>
        !string.IsNullOrEmpty(path)
        && path[0] == '/'
        && (path.Length == 1 || (path[1] != '/' && path[1] != '\\'))
        && path.IndexOfAny(['\r', '\n', '\t', '\\']) < 0;
}
