using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace HealthChecks.Warmup.Tests.Packaging;

/// <summary>
/// The package as shipped: pack it, make a throwaway web app that references the .nupkg from a local
/// folder, add <c>AddSiteWarmup()</c>, run it, and see 503 then 200.
/// </summary>
[TestFixture]
[NonParallelizable]
[Category("Consumer")]
public sealed class ConsumerTests
{
    private const string AppProgram = """
        using Microsoft.AspNetCore.Diagnostics.HealthChecks;

        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddHealthChecks().AddSiteWarmup();
        var app = builder.Build();
        var cold = true;
        app.MapGet("/", async () =>
        {
            // A cold first render, as after a deploy.
            if (cold) { await Task.Delay(1500); cold = false; }
            return Results.Content("<html><body><img src=\"/logo.png\"><a href=\"/about\">about</a></body></html>", "text/html");
        });
        app.MapGet("/about", () => Results.Content("<p>about</p>", "text/html"));
        app.MapGet("/logo.png", () => Results.Bytes(new byte[16], "image/png"));
        app.MapHealthChecks("/health/ready");
        app.Run();
        """;

    [Test]
    public async Task PackedPackage_InAThrowawayApp_Answers503ThenWarms()
    {
        var root = RepositoryRoot();
        var work = Directory.CreateTempSubdirectory("warmup-consumer-");
        var version = "0.0.0-consumer." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            var feed = Directory.CreateDirectory(Path.Combine(work.FullName, "feed")).FullName;
            var app = Directory.CreateDirectory(Path.Combine(work.FullName, "app")).FullName;
            await RunAsync(root, "dotnet", "pack", "src/HealthChecks.Warmup/HealthChecks.Warmup.csproj", "-c", "Release", "-o", feed, $"-p:Version={version}");
            Assert.That(File.Exists(Path.Combine(feed, $"HealthChecks.Warmup.{version}.nupkg")), Is.True);

            await File.WriteAllTextAsync(Path.Combine(app, "app.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk.Web">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="HealthChecks.Warmup" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), AppProgram);
            await RunAsync(app, "dotnet", "build", "-c", "Release");

            var port = FreePort();
            using var process = Start(app, "dotnet", "bin/Release/net10.0/app.dll", "--urls", $"http://127.0.0.1:{port}");
            try
            {
                using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
                var statuses = new List<HttpStatusCode>();
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (DateTime.UtcNow < deadline && (statuses.Count == 0 || statuses[^1] != HttpStatusCode.OK))
                {
                    try
                    {
                        using var response = await client.GetAsync("/health/ready");
                        statuses.Add(response.StatusCode);
                    }
                    catch (HttpRequestException)
                    {
                        // Not listening yet.
                    }
                    await Task.Delay(100);
                }

                Assert.That(statuses, Is.Not.Empty, "the app never answered");
                Assert.That(statuses[0], Is.EqualTo(HttpStatusCode.ServiceUnavailable), "cold: the first render takes 1.5 s");
                Assert.That(statuses[^1], Is.EqualTo(HttpStatusCode.OK), string.Join(", ", statuses));
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        finally
        {
            try
            {
                work.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A file still held open; the temp folder is the system's to clean.
            }
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "HealthChecks.Warmup.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException("HealthChecks.Warmup.sln");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static ProcessStartInfo StartInfo(string directory, string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        return start;
    }

    private static Process Start(string directory, string file, params string[] arguments)
    {
        var process = Process.Start(StartInfo(directory, file, arguments))!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task RunAsync(string directory, string file, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(directory, file, arguments))!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        Assert.That(process.ExitCode, Is.Zero, $"{file} {string.Join(' ', arguments)}\n{output}");
    }
}
