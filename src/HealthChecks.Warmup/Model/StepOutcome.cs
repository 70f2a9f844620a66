using System.Globalization;

namespace HealthChecks.Warmup.Model;

/// <summary>How a warm-up step ended.</summary>
internal enum StepResult
{
    Succeeded,
    Threw,
    TimedOut,
}

/// <summary>What one warm-up step did in an attempt.</summary>
/// <param name="Name">The step's name.</param>
/// <param name="Duration">How long it ran.</param>
/// <param name="Result">How it ended.</param>
/// <param name="Error">The exception's type and message, or the time limit; <see langword="null"/> when it succeeded.</param>
internal sealed record StepOutcome(string Name, TimeSpan Duration, StepResult Result, string? Error)
{
    public bool Failed => Result != StepResult.Succeeded;

    /// <summary>The outcome in a word or two, for the result's data, the logs and the metrics.</summary>
    public string Status => Result switch
    {
        StepResult.Succeeded => "succeeded",
        StepResult.Threw => "threw",
        _ => "timed_out",
    };

    /// <summary>The failure in words: <c>step "catalog" threw InvalidOperationException: …</c>.</summary>
    public string Describe() => Result switch
    {
        StepResult.Succeeded => string.Create(CultureInfo.InvariantCulture, $"step \"{Name}\" succeeded in {(long)Duration.TotalMilliseconds} ms"),
        StepResult.Threw => $"step \"{Name}\" threw {Error}",
        _ => $"step \"{Name}\" {Error}",
    };
}
