using System.Globalization;

namespace HealthChecks.Warmup;

/// <summary>
/// The range a <see cref="TimeSpan"/> option must lie in, read by the options validator. Not
/// <c>[Range(typeof(TimeSpan), …)]</c>: that constructor converts its limits through a
/// <c>TypeConverter</c> found by reflection, so trimmed and Native AOT apps warn on every option it marks.
/// </summary>
/// <param name="minimum">The shortest allowed, as <see cref="TimeSpan"/> writes it (<c>00:00:00.1</c>).</param>
/// <param name="maximum">The longest allowed (<c>1.00:00:00</c>).</param>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class DurationRangeAttribute(string minimum, string maximum) : Attribute
{
    public TimeSpan Minimum { get; } = TimeSpan.Parse(minimum, CultureInfo.InvariantCulture);

    public TimeSpan Maximum { get; } = TimeSpan.Parse(maximum, CultureInfo.InvariantCulture);
}
