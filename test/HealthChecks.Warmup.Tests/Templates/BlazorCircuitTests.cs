using System.Text.RegularExpressions;
using HealthChecks.Warmup.Tests.Support;

namespace HealthChecks.Warmup.Tests.Templates;

/// <summary>
/// A page with a server component makes the browser start a circuit once it has loaded; the process's
/// first circuit is several times slower than the next (docs/warming-more.md). The server warm-up starts
/// one, as <c>blazor.web.js</c> does, on a fresh <c>dotnet new blazor</c> app: the app's own circuit
/// handler is the witness that it opened, rendered and was disconnected before the app said it was ready.
/// </summary>
[TestFixture]
[Category("Templates")]
public sealed partial class BlazorCircuitTests
{
    private const string Witness = """
        sealed class WitnessCircuitHandler : Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler
        {
            public override Task OnCircuitOpenedAsync(Microsoft.AspNetCore.Components.Server.Circuits.Circuit circuit, CancellationToken cancellationToken)
            {
                Console.WriteLine($"WITNESS circuit opened {circuit.Id}");
                return Task.CompletedTask;
            }

            public override Task OnCircuitClosedAsync(Microsoft.AspNetCore.Components.Server.Circuits.Circuit circuit, CancellationToken cancellationToken)
            {
                Console.WriteLine($"WITNESS circuit closed {circuit.Id}");
                return Task.CompletedTask;
            }
        }
        """;

    [Test]
    [CancelAfter(600_000)]
    public async Task FreshBlazorApp_TheServerWarmupStartsACircuit_ForTheCounterPage_AndDisconnectsIt(CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("warmup-template-blazor-circuit-");
        try
        {
            var app = await TemplateApp.CreateAsync("blazor", work.FullName, grow: code => code.Replace(
                "var app = builder.Build();",
                "builder.Services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler, WitnessCircuitHandler>();\nvar app = builder.Build();",
                StringComparison.Ordinal) + "\n" + Witness);
            var port = Processes.FreePort();
            var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var closed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            var origin = new Uri($"http://127.0.0.1:{port}/");
            using var process = Processes.Start(TemplateApp.Published(app), new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" },
                line =>
                {
                    output.Enqueue(line);
                    if (line.StartsWith("WITNESS circuit closed ", StringComparison.Ordinal))
                    {
                        closed.TrySetResult(line["WITNESS circuit closed ".Length..]);
                    }
                }, "dotnet", "blazor.dll", "--urls", origin.AbsoluteUri);
            try
            {
                await TemplateApp.WaitUntilReadyAsync(origin, process, output, cancellationToken);
                var lines = output.ToList();
                var log = string.Join('\n', lines);

                var opened = lines.Select(l => Opened().Match(l)).Where(m => m.Success).Select(m => m.Groups["id"].Value).ToList();
                Assert.That(opened, Has.Count.EqualTo(1), $"one circuit opened before ready:\n{log}");
                var warmed = lines.FindIndex(l => l.Contains("warmed the server too", StringComparison.Ordinal));
                Assert.That(warmed, Is.GreaterThanOrEqualTo(0), log);
                Assert.That(lines[warmed], Does.Match(@" in \d+ ms; a Blazor circuit for /counter \(1 component\(s\), [1-9]\d* render batch\(es\)\)$"), log);
                // Disconnected, not left for the server to time out (minutes): the witness says so within the test's bound.
                Assert.That(await closed.Task.WaitAsync(cancellationToken), Is.EqualTo(opened[0]), log);
                Assert.That(lines.Where(l => l.StartsWith("fail:", StringComparison.Ordinal) && !l.Contains("DefaultHealthCheckService", StringComparison.Ordinal)), Is.Empty, log);
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

    [GeneratedRegex(@"^WITNESS circuit opened (?<id>\S+)$")]
    private static partial Regex Opened();
}
