using System.Text.Json;

namespace HealthChecks.Warmup.Tests.Cli;

/// <summary>The runtime settings <c>dotnet-warmup</c> ships with, as the built tool's runtimeconfig.json carries them.</summary>
[TestFixture]
public sealed class ToolRuntimeConfigTests
{
    [Test]
    public void Tool_RunsWithoutDynamicPgo_ForItsOneShortCrawl()
    {
        var config = Path.Combine(AppContext.BaseDirectory, "dotnet-warmup.runtimeconfig.json");
        Assert.That(File.Exists(config), Is.True, config);

        using var json = JsonDocument.Parse(File.ReadAllText(config));
        var properties = json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.That(properties.TryGetProperty("System.Runtime.TieredPGO", out var pgo), Is.True, properties.ToString());
        Assert.That(pgo.GetBoolean(), Is.False);
    }
}
