using RangeAttribute = System.ComponentModel.DataAnnotations.RangeAttribute;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace HealthChecks.Warmup.Tests.DependencyInjection;

/// <summary>Each option's range is written once, on the option; the validator enforces exactly that range.</summary>
[TestFixture]
public sealed class OptionRangeTests
{
    private static readonly PropertyInfo[] s_numbers =
    [
        .. typeof(SiteWarmupOptions).GetProperties()
            .Where(p => (Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType) is var type && (type == typeof(int) || type == typeof(TimeSpan))),
    ];

    private static IEnumerable<string> Ranged() => s_numbers.Select(p => p.Name);

    [Test]
    public void EveryNumberAndDuration_HasARange()
    {
        Assert.That(s_numbers, Is.Not.Empty);
        Assert.That(s_numbers.Where(p => p.GetCustomAttribute<RangeAttribute>() is null && p.GetCustomAttribute<DurationRangeAttribute>() is null).Select(p => p.Name), Is.Empty);
    }

    [TestCaseSource(nameof(Ranged))]
    public void Option_IsValidAtItsLimits_AndNotOneStepOutside(string name)
    {
        var property = typeof(SiteWarmupOptions).GetProperty(name)!;
        var (min, max, below, above) = Limits(property);

        Assert.Multiple(() =>
        {
            Assert.That(Errors(property, min), Is.Empty, $"{name} = {min}");
            Assert.That(Errors(property, max), Is.Empty, $"{name} = {max}");
            // RetryDelay past its maximum is also past MaxRetryDelay's, and the like: the range's own error is among them.
            Assert.That(Errors(property, below), Has.Member($"HealthChecks:SiteWarmup:{name} must be between {min} and {max} (was {below})."));
            Assert.That(Errors(property, above), Has.Member($"HealthChecks:SiteWarmup:{name} must be between {min} and {max} (was {above})."));
        });
    }

    [Test]
    public void MaxRetryDelay_BelowRetryDelay_IsAnError()
    {
        var options = new SiteWarmupOptions { RetryDelay = TimeSpan.FromMinutes(1), MaxRetryDelay = TimeSpan.FromSeconds(10) };

        Assert.That(Validate(options), Is.EqualTo(new[] { "HealthChecks:SiteWarmup:MaxRetryDelay must be at least RetryDelay, 00:01:00 (was 00:00:10)." }));
    }

    private static (object Min, object Max, object Below, object Above) Limits(PropertyInfo property)
    {
        if (property.GetCustomAttribute<DurationRangeAttribute>() is { } duration)
        {
            return (duration.Minimum, duration.Maximum, duration.Minimum - TimeSpan.FromTicks(1), duration.Maximum + TimeSpan.FromTicks(1));
        }
        var range = property.GetCustomAttribute<RangeAttribute>()!;
        var (low, high) = ((int)range.Minimum, (int)range.Maximum);
        return (low, high, low - 1, high + 1);
    }

    /// <summary>The errors of default options with <paramref name="property"/> set; MaxRetryDelay keeps its own rule out of the way.</summary>
    private static string[] Errors(PropertyInfo property, object value)
    {
        var options = new SiteWarmupOptions { EntryPaths = ["/"] };
        if (property.Name == nameof(SiteWarmupOptions.RetryDelay))
        {
            options.MaxRetryDelay = TimeSpan.FromDays(1);
        }
        if (property.Name == nameof(SiteWarmupOptions.MaxRetryDelay))
        {
            options.RetryDelay = TimeSpan.FromMilliseconds(100);
        }
        property.SetValue(options, value);
        return Validate(options);
    }

    private static string[] Validate(SiteWarmupOptions options)
    {
        options.EntryPaths = ["/"];
        var result = new SiteWarmupOptionsValidator().Validate("site-warmup", options);
        return [.. result.Failures ?? []];
    }
}
