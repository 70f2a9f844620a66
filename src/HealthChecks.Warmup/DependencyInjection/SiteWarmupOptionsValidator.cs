using System.ComponentModel.DataAnnotations;
using System.Reflection;
using HealthChecks.Warmup;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Checks the options when the application starts, naming the configuration key at fault.</summary>
internal sealed class SiteWarmupOptionsValidator : IValidateOptions<SiteWarmupOptions>
{
    /// <summary>Every option with a range, and its limits as values of the option's type.</summary>
    private static readonly (PropertyInfo Property, IComparable Min, IComparable Max)[] s_ranges =
    [
        .. typeof(SiteWarmupOptions).GetProperties().SelectMany(Limits),
    ];

    public ValidateOptionsResult Validate(string? name, SiteWarmupOptions options)
    {
        var errors = new Errors(SiteWarmupOptions.SectionFor(name));
        ValidateSite(options, errors);
        ValidateRequests(options, errors);
        ValidateRanges(options, errors);
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
        foreach (var name in options.Steps.GroupBy(step => step.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key))
        {
            errors.Add($"Steps has two steps named \"{name}\": each step needs a name of its own (the result, the logs and the metrics show it).");
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
        if (options.User is not null && options.Transport == WarmupTransport.Http)
        {
            errors.Add("User applies to in-process requests only: over HTTP, send the credentials a visitor would with RequestHeaders (a cookie or an Authorization header).");
        }
        if (options.BaseAddress is { } baseAddress
            && (!baseAddress.IsAbsoluteUri || baseAddress.Scheme is not ("http" or "https") || baseAddress.UserInfo.Length > 0))
        {
            errors.Add($"BaseAddress must be an absolute http or https URL without user info (was {baseAddress}).");
        }
        foreach (var header in (options.RequestHeaders ?? new Dictionary<string, string>()).Where(IsInvalid).Select(h => h.Key))
        {
            errors.Add($"RequestHeaders has an invalid header \"{header}\".");
        }
        ValidateVariants(options, errors);
    }

    /// <summary>The variants pages are requested in: named header sets and cultures.</summary>
    private static void ValidateVariants(SiteWarmupOptions options, Errors errors)
    {
        foreach (var (name, headers) in options.Variants ?? new Dictionary<string, IDictionary<string, string>>())
        {
            if (string.IsNullOrWhiteSpace(name) || name.Any(char.IsWhiteSpace) || name.Equals(HealthChecks.Warmup.Discovery.RequestVariants.Default, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"Variants has a variant named \"{name}\": a name is one word, and not \"{HealthChecks.Warmup.Discovery.RequestVariants.Default}\".");
            }
            foreach (var header in (headers ?? new Dictionary<string, string>()).Where(h => IsInvalid(h) || h.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)).Select(h => h.Key))
            {
                errors.Add($"Variants:{name} has an invalid header \"{header}\" (Host is always the site's).");
            }
        }
        foreach (var culture in (options.Cultures ?? []).Where(c => string.IsNullOrWhiteSpace(c) || !c.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '-')))
        {
            errors.Add($"Cultures has \"{culture}\": a culture name such as de or fr-CA.");
        }
    }

    private static bool IsInvalid(KeyValuePair<string, string> header) =>
        string.IsNullOrWhiteSpace(header.Key) || header.Key.Any(c => c <= ' ' || c >= 127 || c == ':')
        || header.Value is null || header.Value.Any(c => c is '\r' or '\n');

    /// <summary>
    /// The numbers and durations, each within the <see cref="RangeAttribute"/> or <see cref="DurationRangeAttribute"/> written on its option (and
    /// nowhere else); <see cref="SiteWarmupOptions.MaxRetryDelay"/> also at least <see cref="SiteWarmupOptions.RetryDelay"/>.
    /// </summary>
    private static void ValidateRanges(SiteWarmupOptions options, Errors errors)
    {
        foreach (var (property, min, max) in s_ranges)
        {
            if (property.GetValue(options) is IComparable value && (value.CompareTo(min) < 0 || value.CompareTo(max) > 0))
            {
                errors.Add($"{property.Name} must be between {min} and {max} (was {value}).");
            }
        }
        if (options.MaxRetryDelay < options.RetryDelay)
        {
            errors.Add($"{nameof(options.MaxRetryDelay)} must be at least {nameof(options.RetryDelay)}, {options.RetryDelay} (was {options.MaxRetryDelay}).");
        }
    }

    private static IEnumerable<(PropertyInfo Property, IComparable Min, IComparable Max)> Limits(PropertyInfo property)
    {
        if (property.GetCustomAttribute<RangeAttribute>() is { } range)
        {
            yield return (property, (IComparable)range.Minimum, (IComparable)range.Maximum);
        }
        if (property.GetCustomAttribute<DurationRangeAttribute>() is { } duration)
        {
            yield return (property, duration.Minimum, duration.Maximum);
        }
    }

    /// <summary>The errors found, each naming its configuration key under the registration's section.</summary>
    private sealed class Errors(string section)
    {
        private readonly List<string> _errors = [];

        public ValidateOptionsResult Result => _errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_errors);

        /// <summary><paramref name="message"/> starts with the key, which is written under the section.</summary>
        public void Add(string message) => _errors.Add($"{section}:{message}");
    }

    private static bool IsSitePath(string? path) =>
        !string.IsNullOrEmpty(path)
        && path[0] == '/'
        && (path.Length == 1 || (path[1] != '/' && path[1] != '\\'))
        && path.IndexOfAny(['\r', '\n', '\t', '\\']) < 0;
}
