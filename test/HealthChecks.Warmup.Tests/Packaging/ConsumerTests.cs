using System.Net;
using HealthChecks.Warmup.Tests.Support;

namespace HealthChecks.Warmup.Tests.Packaging;

/// <summary>
/// The package as shipped: pack it, make a throwaway web app that references the .nupkg from a local
/// folder, add <c>AddSiteWarmup()</c>, run it, and see 503 then 200.
/// </summary>
[TestFixture]
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
        var root = Processes.RepositoryRoot();
        var work = Directory.CreateTempSubdirectory("warmup-consumer-");
        var version = "0.0.0-consumer." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            var feed = Directory.CreateDirectory(Path.Combine(work.FullName, "feed")).FullName;
            var app = Directory.CreateDirectory(Path.Combine(work.FullName, "app")).FullName;
            await Processes.RunAsync(root, "dotnet", "pack", "src/HealthChecks.Warmup/HealthChecks.Warmup.csproj", "-c", "Release", "-o", feed, $"-p:Version={version}");
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
            await Processes.RunAsync(app, "dotnet", "build", "-c", "Release");

            var port = Processes.FreePort();
            using var process = Processes.Start(app, "dotnet", "bin/Release/net10.0/app.dll", "--urls", $"http://127.0.0.1:{port}");
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
            Processes.DeleteQuietly(work);
        }
    }
}
