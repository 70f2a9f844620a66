using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using HealthChecks.Warmup.Tests.Support;

namespace HealthChecks.Warmup.Tests.Templates;

/// <summary>
/// The SDK's Native AOT template (<c>dotnet new webapiaot</c>): trimmed, compiled ahead of time, reflection-based
/// JSON off. The library adds no trim or AOT warning to its publish, binds its options from configuration
/// without reflection, and gets the app ready. The README's response writer
/// (<c>UIResponseWriter</c>, AspNetCore.HealthChecks.UI.Client) serializes by reflection, which such an app
/// turns off, so readiness is mapped with the built-in writer, as the README says for Native AOT.
/// </summary>
[TestFixture]
[Category("Templates")]
public sealed partial class NativeAotAppTests
{
    internal const string PlainReadiness = "app.MapHealthChecks(\"/health/ready\");";

    [Test]
    [CancelAfter(900_000)]
    public async Task FreshWebApiAotApp_PublishesWithoutWarningsFromTheLibrary_AndGetsReady(CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("warmup-template-webapiaot-");
        try
        {
            var app = await TemplateApp.CreateAsync("webapiaot", work.FullName, grow: code => code.Replace(TemplateApp.MapReadiness, PlainReadiness, StringComparison.Ordinal));
            var published = TemplateApp.Published(app);
            var log = await File.ReadAllTextAsync(TemplateApp.PublishLog(app), cancellationToken);
            Assert.That(File.Exists(Path.Combine(published, "webapiaot")) && !File.Exists(Path.Combine(published, "webapiaot.dll")), Is.True,
                $"published as a native executable:\n{log}");
            var ours = log.Split('\n').Where(line => TrimOrAotWarning().IsMatch(line) && line.Contains("HealthChecks.Warmup", StringComparison.Ordinal)).Distinct().ToList();
            Assert.That(ours, Is.Empty, "no trim or AOT warning from the library");

            var port = Processes.FreePort();
            var origin = new Uri($"http://127.0.0.1:{port}/");
            var output = new ConcurrentQueue<string>();
            using var process = Processes.Start(published, new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                // Bound from configuration by the source-generated binder: every request and outcome is logged.
                ["HealthChecks__SiteWarmup__Verbose"] = "true",
            }, output.Enqueue, Path.Combine(published, "webapiaot"), "--urls", origin.AbsoluteUri.TrimEnd('/'));
            try
            {
                // The built-in writer says only Healthy or Unhealthy: a failure is told by the log.
                var (status, body) = await TemplateApp.WaitForVerdictAsync(origin, process, output, cancellationToken, failed: _ => output.Any(AttemptFailed().IsMatch));

                Assert.That((status, body), Is.EqualTo((System.Net.HttpStatusCode.OK, "Healthy")), string.Join('\n', output));
                Assert.That(output, Has.Some.Contains($"Page {origin}todos answered 200"), "the app's endpoint was warmed and logged as Verbose asks:\n" + string.Join('\n', output));
                Assert.That(output, Has.None.Contains("Exception"), string.Join('\n', output));
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
        finally
        {
            Processes.DeleteQuietly(work);
        }
    }

    [GeneratedRegex(@"Site warm-up site-warmup attempt \d+ failed")]
    private static partial Regex AttemptFailed();

    [GeneratedRegex(@"warning IL\d{4}")]
    private static partial Regex TrimOrAotWarning();
}
