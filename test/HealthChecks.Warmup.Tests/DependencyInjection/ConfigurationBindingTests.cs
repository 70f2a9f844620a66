using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HealthChecks.Warmup.Tests.DependencyInjection;

/// <summary>
/// The options bind through the configuration binding source generator (trimmed and Native AOT apps), which
/// skips what it cannot bind with only a build warning: every option that is configuration binds.
/// </summary>
[TestFixture]
public sealed class ConfigurationBindingTests
{
    /// <summary>Options that are code, set in <c>AddSiteWarmup(o => …)</c> only.</summary>
    private static readonly string[] s_codeOnly = [nameof(SiteWarmupOptions.User), nameof(SiteWarmupOptions.Steps)];

    /// <summary>Two valid items for each list.</summary>
    private static readonly Dictionary<string, string[]> s_listItems = new()
    {
        [nameof(SiteWarmupOptions.EntryPaths)] = ["/docs/", "/blog/"],
        [nameof(SiteWarmupOptions.ExcludedPaths)] = ["/admin/*", "/cart"],
        [nameof(SiteWarmupOptions.Hosts)] = ["www.example.test", "shop.example.test:8443"],
        [nameof(SiteWarmupOptions.Cultures)] = ["de", "fr-CA"],
    };

    private static IEnumerable<string> Configurable() =>
        typeof(SiteWarmupOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).Except(s_codeOnly);

    [TestCaseSource(nameof(Configurable))]
    public void Option_BindsFromConfiguration(string name)
    {
        var property = typeof(SiteWarmupOptions).GetProperty(name)!;
        var (settings, expected) = NotTheDefault(property);

        var options = Bind(settings.ToDictionary(s => $"HealthChecks:SiteWarmup:{name}{s.Key}", s => (string?)s.Value));

        Assert.That(property.GetValue(options), Is.EqualTo(expected).AsCollection.Or.EqualTo(expected));
    }

    [Test]
    public void RequestHeaders_FromConfiguration_KeepNamesCaseInsensitive()
    {
        var options = Bind(new() { ["HealthChecks:SiteWarmup:RequestHeaders:X-Warmup"] = "1" });

        Assert.That(options.RequestHeaders["x-warmup"], Is.EqualTo("1"));
    }

    private static SiteWarmupOptions Bind(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddHealthChecks().AddSiteWarmup();
        using var app = builder.Build();
        return app.Services.GetRequiredService<IOptionsMonitor<SiteWarmupOptions>>().Get("site-warmup");
    }

    /// <summary>Settings under the option's key (a suffix each) and the value they bind to, never its default.</summary>
    private static (Dictionary<string, string> Settings, object Expected) NotTheDefault(PropertyInfo property)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var fallback = property.GetValue(new SiteWarmupOptions());
        if (type == typeof(int))
        {
            var range = property.GetCustomAttribute<System.ComponentModel.DataAnnotations.RangeAttribute>()!;
            var value = (int)range.Maximum == (int?)fallback ? (int)range.Minimum : (int)range.Maximum;
            return (new() { [""] = value.ToString(System.Globalization.CultureInfo.InvariantCulture) }, value);
        }
        if (type == typeof(TimeSpan))
        {
            var range = property.GetCustomAttribute<DurationRangeAttribute>()!;
            // A second more than the default (or less, at the maximum): RetryDelay and MaxRetryDelay stay in order.
            var value = (TimeSpan)fallback! + TimeSpan.FromSeconds(1) <= range.Maximum ? (TimeSpan)fallback + TimeSpan.FromSeconds(1) : (TimeSpan)fallback - TimeSpan.FromSeconds(1);
            return (new() { [""] = value.ToString("c") }, value);
        }
        if (type == typeof(bool))
        {
            var value = fallback is not true;
            return (new() { [""] = value ? "true" : "false" }, value);
        }
        if (type == typeof(WarmupTransport))
        {
            return (new() { [""] = "Http" }, WarmupTransport.Http);
        }
        if (type == typeof(Uri))
        {
            return (new() { [""] = "https://www.example.test/" }, new Uri("https://www.example.test/"));
        }
        if (type == typeof(IList<string>))
        {
            var items = s_listItems[property.Name];
            return (new() { [":0"] = items[0], [":1"] = items[1] }, ((IList<string>)fallback!).Concat(items).ToList());
        }
        if (type == typeof(IDictionary<string, string>))
        {
            return (new() { [":X-Warmup"] = "1" }, new Dictionary<string, string> { ["X-Warmup"] = "1" });
        }
        if (type == typeof(IDictionary<string, IDictionary<string, string>>))
        {
            var variant = new Dictionary<string, string> { ["User-Agent"] = "Mobile" };
            return (new() { [":mobile:User-Agent"] = "Mobile" }, new Dictionary<string, IDictionary<string, string>> { ["mobile"] = variant });
        }
        throw new AssertionException($"{property.Name} is a {property.PropertyType}: say here what configuration binds it from");
    }
}
