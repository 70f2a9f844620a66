using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using HealthChecks.Warmup.Tests.Support;

namespace HealthChecks.Warmup.Tests.Templates;

/// <summary>
/// A fresh <c>dotnet new</c> app in a temporary folder with the README's two lines and a project
/// reference added (and whatever a test grows it with), published to <c>out/</c>.
/// </summary>
internal static class TemplateApp
{
    internal const string AddWarmup = "builder.Services.AddHealthChecks().AddSiteWarmup();";
    internal const string MapReadiness = "app.MapHealthChecks(\"/health/ready\", new() { ResponseWriter = HealthChecks.UI.Client.UIResponseWriter.WriteHealthCheckUIResponse });";

    /// <summary>
    /// Where a published app runs, as in a container or on a server: in its publish folder, which is its
    /// content root. Run from the project folder instead, the content root is the project's, whose
    /// wwwroot lacks the precompressed files the published manifest names: every compressed static asset
    /// is then an empty 200.
    /// </summary>
    public static string Published(string app) => Path.Combine(app, "out");

    /// <summary>What <c>dotnet publish</c> printed, warnings among it.</summary>
    public static string PublishLog(string app) => Path.Combine(app, "publish.log");

    /// <param name="template">The template's short name.</param>
    /// <param name="work">The temporary folder the app is made in.</param>
    /// <param name="grow">What the test changes in Program.cs.</param>
    /// <param name="files">Other files the test writes or changes: a path in the project, and the new text from the old (none for a new file).</param>
    /// <param name="options">The template's own options (<c>--interactivity WebAssembly</c>).</param>
    public static async Task<string> CreateAsync(string template, string work, Func<string, string>? grow = null,
        IReadOnlyDictionary<string, Func<string?, string>>? files = null, params string[] options)
    {
        var root = Processes.RepositoryRoot();
        var app = Path.Combine(work, template);
        await Processes.RunAsync(work, "dotnet", ["new", template, "-o", app, "--name", template, .. options]);
        // A Blazor Web App with WebAssembly interactivity is two projects: the server's is in a folder of its own.
        var server = File.Exists(Path.Combine(app, "Program.cs")) ? app : Path.Combine(app, template);

        var program = Path.Combine(server, "Program.cs");
        var code = await File.ReadAllTextAsync(program);
        // The Native AOT template (webapiaot) starts from the slim builder.
        var createBuilder = code.Contains("WebApplication.CreateSlimBuilder(args);", StringComparison.Ordinal)
            ? "var builder = WebApplication.CreateSlimBuilder(args);"
            : "var builder = WebApplication.CreateBuilder(args);";
        Assert.That(code, Does.Contain(createBuilder).And.Contain("app.Run();"), $"the {template} template's Program.cs changed shape");
        code = code.Replace(createBuilder, createBuilder + "\n" + AddWarmup, StringComparison.Ordinal)
            .Replace("app.Run();", MapReadiness + "\napp.Run();", StringComparison.Ordinal);
        code = grow?.Invoke(code) ?? code;
        await File.WriteAllTextAsync(program, code);
        foreach (var (path, edit) in files ?? new Dictionary<string, Func<string?, string>>())
        {
            var file = Path.Combine(server, path);
            await File.WriteAllTextAsync(file, edit(File.Exists(file) ? await File.ReadAllTextAsync(file) : null));
        }

        var project = Path.Combine(server, template + ".csproj");
        var uiClient = PackageVersion(root, "AspNetCore.HealthChecks.UI.Client");
        var references = $"""
              <ItemGroup>
                <ProjectReference Include="{Path.Combine(root, "src", "HealthChecks.Warmup", "HealthChecks.Warmup.csproj")}" />
                <PackageReference Include="AspNetCore.HealthChecks.UI.Client" Version="{uiClient}" />
              </ItemGroup>
            </Project>
            """;
        await File.WriteAllTextAsync(project, (await File.ReadAllTextAsync(project)).Replace("</Project>", references, StringComparison.Ordinal));

        var log = await Processes.RunAsync(server, "dotnet", "publish", "-c", "Release", "-o", Published(app));
        await File.WriteAllTextAsync(PublishLog(app), log);
        return app;
    }

    public static async Task<string> WaitUntilReadyAsync(Uri origin, System.Diagnostics.Process process, ConcurrentQueue<string> output, CancellationToken cancellationToken)
    {
        var (status, body) = await WaitForVerdictAsync(origin, process, output, cancellationToken);
        if (status != HttpStatusCode.OK)
        {
            Assert.Fail($"the warm-up failed: {body}\n{string.Join('\n', output)}");
        }
        return body;
    }

    /// <summary>
    /// Probes readiness until the warm-up has succeeded or failed; <paramref name="host"/> is the Host the probe sends,
    /// <paramref name="failed"/> tells a failure from the body (by default the UI writer's JSON says so).
    /// </summary>
    public static async Task<(HttpStatusCode Status, string Body)> WaitForVerdictAsync(Uri origin, System.Diagnostics.Process process, ConcurrentQueue<string> output,
        CancellationToken cancellationToken, string? host = null, Func<string, bool>? failed = null)
    {
        failed ??= body => body.Contains("\"state\":\"Failed\"", StringComparison.Ordinal);
        using var client = new HttpClient { BaseAddress = origin, Timeout = TimeSpan.FromSeconds(5) };
        client.DefaultRequestHeaders.Host = host;
        while (true)
        {
            if (process.HasExited)
            {
                Assert.Fail($"the app exited with {process.ExitCode}:\n{string.Join('\n', output)}");
            }
            try
            {
                using var response = await client.GetAsync("/health/ready", cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK || failed(body))
                {
                    return (response.StatusCode, body);
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Assert.Fail($"not ready in time:\n{string.Join('\n', output)}");
            }
            await Task.Delay(100, cancellationToken);
        }
    }

    private static string PackageVersion(string root, string package)
    {
        var props = File.ReadAllText(Path.Combine(root, "Directory.Packages.props"));
        var match = Regex.Match(props, $"<PackageVersion Include=\"{Regex.Escape(package)}\" Version=\"([^\"]+)\"");
        Assert.That(match.Success, Is.True, $"{package} in Directory.Packages.props");
        return match.Groups[1].Value;
    }
}
