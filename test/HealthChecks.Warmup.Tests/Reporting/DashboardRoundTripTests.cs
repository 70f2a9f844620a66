using System.Text.Json;
using System.Text.Json.Serialization;
using HealthChecks.UI.Core;
using HealthChecks.Warmup.Tests.Support;

namespace HealthChecks.Warmup.Tests.Reporting;

/// <summary>
/// What the HealthChecks UI dashboard shows: the report written by <c>UIResponseWriter</c>, read back
/// with the dashboard's own model types as its collector reads it.
/// </summary>
[TestFixture]
public sealed class DashboardRoundTripTests
{
    // How the dashboard's collector reads a health endpoint's JSON.
    private static readonly JsonSerializerOptions s_dashboard = new()
    {
        PropertyNameCaseInsensitive = true,
        Converters = { new JsonStringEnumConverter() },
    };

    [Test]
    public async Task FailedWarmup_ReadsOnTheDashboard()
    {
        await using var site = await new FixtureSite()
            .Html("/", "<a href=\"/broken\">b</a><img src=\"/img/missing.png\">")
            .Status("/broken", 500)
            .StartAsync();
        var probe = await site.WaitForVerdictAsync();

        var report = JsonSerializer.Deserialize<UIHealthReport>(probe.Json, s_dashboard)!;
        var entry = report.Entries["site-warmup"];

        Assert.That(report.Status, Is.EqualTo(UIHealthStatus.Unhealthy));
        Assert.That(entry.Status, Is.EqualTo(UIHealthStatus.Unhealthy));
        Assert.That(entry.Description, Does.StartWith($"Warm-up failed: 1 failure(s), first {site.Address}broken → 500 (from {site.Address})."));
        Assert.That(entry.Data["state"].ToString(), Is.EqualTo("Failed"));
        Assert.That(((JsonElement)entry.Data["requested"]).GetInt32(), Is.EqualTo(3));
        Assert.That(((JsonElement)entry.Data["serverErrors"]).GetInt32(), Is.EqualTo(1));
        Assert.That(((JsonElement)entry.Data["clientErrors"]).GetInt32(), Is.EqualTo(1));
        Assert.That(((JsonElement)entry.Data["failures"])[0].GetString(), Is.EqualTo($"{site.Address}broken → 500 (from {site.Address})"));
        Assert.That(entry.Data.Keys, Is.SupersetOf(new[] { "attempt", "ok", "errors", "outOfScope", "durationMs", "nextAttemptAt" }));
    }

    [Test]
    public async Task WarmSite_ReadsOnTheDashboard()
    {
        await using var site = await new FixtureSite().Html("/", "<img src=\"/img/a.png\">").Route("/img/a.png", _ => Task.CompletedTask).StartAsync();
        var probe = await site.WaitForVerdictAsync();

        var entry = JsonSerializer.Deserialize<UIHealthReport>(probe.Json, s_dashboard)!.Entries["site-warmup"];

        Assert.That(entry.Status, Is.EqualTo(UIHealthStatus.Healthy));
        Assert.That(entry.Description, Does.Match(@"^Warm: 2 URLs in \d+\.\d s\.$"));
        Assert.That(entry.Data["state"].ToString(), Is.EqualTo("Succeeded"));
        Assert.That(((JsonElement)entry.Data["ok"]).GetInt32(), Is.EqualTo(2));
    }

    [Test]
    public async Task FailureWithAMultiLineMessage_IsOneLineOnTheDashboard_WithNumbersInTheData()
    {
        await using var site = await new FixtureSite
        {
            Configure = o => o.Steps.Add("catalog", (_, _) => throw new InvalidOperationException("the database is not up yet:\nconnection refused\r\n  at 10.0.0.5:5432")),
        }.Html("/", "home").StartAsync();
        var probe = await site.WaitForVerdictAsync();

        var entry = JsonSerializer.Deserialize<UIHealthReport>(probe.Json, s_dashboard)!.Entries["site-warmup"];

        Assert.That(entry.Description, Does.StartWith("Warm-up failed: step \"catalog\" threw InvalidOperationException: the database is not up yet: connection refused at 10.0.0.5:5432."));
        Assert.That(entry.Description, Does.Not.Contain("\n").And.Not.Contain("\r"));
        Assert.That(((JsonElement)entry.Data["attempt"]).ValueKind, Is.EqualTo(JsonValueKind.Number));
        Assert.That(((JsonElement)entry.Data["steps"])[0].GetProperty("durationMs").ValueKind, Is.EqualTo(JsonValueKind.Number));
    }
}
