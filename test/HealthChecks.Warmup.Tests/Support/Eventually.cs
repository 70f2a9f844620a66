using System.Diagnostics;

namespace HealthChecks.Warmup.Tests.Support;

/// <summary>Waits for what a test waits on, bounded: a regression fails in seconds, saying what never happened.</summary>
internal static class Eventually
{
    private static readonly TimeSpan s_default = TimeSpan.FromSeconds(20);

    /// <summary>Until <paramref name="condition"/> holds, checking every 10 ms; fails the test past <paramref name="within"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? within = null) =>
        await UntilAsync(() => Task.FromResult(condition()), what, within);

    /// <summary>Until <paramref name="condition"/> holds, checking every 10 ms; fails the test past <paramref name="within"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var started = Stopwatch.GetTimestamp();
        var limit = within ?? s_default;
        while (!await condition())
        {
            if (Stopwatch.GetElapsedTime(started) > limit)
            {
                Assert.Fail($"{what}: not within {limit.TotalSeconds:0} s");
            }
            await Task.Delay(10);
        }
    }
}
