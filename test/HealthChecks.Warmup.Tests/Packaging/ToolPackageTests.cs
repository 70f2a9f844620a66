using System.IO.Compression;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using HealthChecks.Warmup.Tests.Support;

namespace HealthChecks.Warmup.Tests.Packaging;

/// <summary>
/// The tool as shipped: packed per platform and precompiled (ReadyToRun), with a portable package for
/// every other platform; installed from a local folder it picks this machine's package and warms a site.
/// </summary>
[TestFixture]
[Category("Consumer")]
public sealed class ToolPackageTests
{
    private static readonly string[] s_platforms = ["linux-x64", "linux-arm64", "linux-musl-x64", "osx-x64", "osx-arm64", "win-x64"];

    [Test]
    public async Task PackedTool_InstallsThisPlatformsPrecompiledPackage_AndWarmsASite()
    {
        var root = Processes.RepositoryRoot();
        var work = Directory.CreateTempSubdirectory("warmup-tool-");
        var version = "0.0.0-tool." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            var feed = Directory.CreateDirectory(Path.Combine(work.FullName, "feed")).FullName;
            var tools = Path.Combine(work.FullName, "tools");
            await Processes.RunAsync(root, "dotnet", "pack", "src/HealthChecks.Warmup.Cli/HealthChecks.Warmup.Cli.csproj", "-c", "Release", "-o", feed, $"-p:Version={version}");

            string Package(string? platform) => Path.Combine(feed, $"HealthChecks.Warmup.Cli.{(platform is null ? "" : platform + ".")}{version}.nupkg");
            Assert.That(s_platforms.Append("any").Select(Package).Append(Package(null)), Has.All.Matches<string>(File.Exists),
                string.Join(", ", Directory.GetFiles(feed).Select(Path.GetFileName)));
            Assert.That(ReadyToRunInPackage(Package("linux-arm64"), "tools/net10.0/linux-arm64/AngleSharp.dll"), Is.True, "another platform's package is precompiled too");
            Assert.That(ReadyToRunInPackage(Package("any"), "tools/net10.0/any/AngleSharp.dll"), Is.False, "the portable package is plain IL");

            await Processes.RunAsync(work.FullName, "dotnet", "tool", "install", "--tool-path", tools, "--add-source", feed, "HealthChecks.Warmup.Cli", "--version", version);
            var installed = Path.GetDirectoryName(Directory.GetFiles(Path.Combine(tools, ".store"), "dotnet-warmup.dll", SearchOption.AllDirectories).Single())!;
            Assert.That(Path.GetFileName(installed), Is.EqualTo(RuntimeInformation.RuntimeIdentifier), "this machine's package");
            Assert.That(new[] { "dotnet-warmup.dll", "HealthChecks.Warmup.dll", "AngleSharp.dll" }.Where(name => !IsReadyToRun(File.OpenRead(Path.Combine(installed, name)))),
                Is.Empty, "assemblies installed without precompiled code");

            await using var site = await new FixtureSite()
                .Html("/", "<link rel=\"stylesheet\" href=\"/site.css\"><a href=\"/about\">about</a>")
                .Css("/site.css", "body { background: url(/img/bg.png) }")
                .Html("/about", "<p>about</p>")
                .File("/img/bg.png", "image/png")
                .StartAsync();
            await site.WaitForVerdictAsync();
            var output = await Processes.RunAsync(work.FullName, Path.Combine(tools, OperatingSystem.IsWindows() ? "dotnet-warmup.exe" : "dotnet-warmup"), site.Address.ToString());

            Assert.That(output, Does.Contain("Warm: 6 URLs"), "four of the site, robots.txt and sitemap.xml");
        }
        finally
        {
            Processes.DeleteQuietly(work);
        }
    }

    private static bool ReadyToRunInPackage(string package, string entry)
    {
        using var zip = ZipFile.OpenRead(package);
        using var stream = new MemoryStream();
        using (var file = zip.GetEntry(entry)?.Open() ?? throw new FileNotFoundException(entry, package))
        {
            file.CopyTo(stream);
        }
        stream.Position = 0;
        return IsReadyToRun(stream);
    }

    /// <summary>An assembly with native code beside its IL: crossgen's ReadyToRun header is there.</summary>
    private static bool IsReadyToRun(Stream assembly)
    {
        using var reader = new PEReader(assembly);
        return reader.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
    }
}
