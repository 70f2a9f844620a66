// Clean → Restore → Build (warnings as errors) → Test → Pack.
//   dotnet tool restore && dotnet cake [--target=Test] [--configuration=Release]
var target = Argument("target", "Pack");
var configuration = Argument("configuration", "Release");
var solution = "./HealthChecks.Warmup.sln";
var artifacts = Directory("./artifacts");

Task("Clean")
    .Does(() =>
{
    CleanDirectory(artifacts);
    DotNetClean(solution, new DotNetCleanSettings { Configuration = configuration });
});

Task("Restore")
    .IsDependentOn("Clean")
    .Does(() => DotNetRestore(solution));

Task("Build")
    .IsDependentOn("Restore")
    .Does(() =>
{
    DotNetBuild(solution, new DotNetBuildSettings
    {
        Configuration = configuration,
        NoRestore = true,
        MSBuildSettings = new DotNetMSBuildSettings { TreatAllWarningsAs = MSBuildTreatAllWarningsAs.Error },
    });
});

Task("Test")
    .IsDependentOn("Build")
    .Does(() =>
{
    DotNetTest(solution, new DotNetTestSettings
    {
        Configuration = configuration,
        NoBuild = true,
        NoRestore = true,
        ResultsDirectory = artifacts + Directory("test-results"),
        Loggers = new[] { "trx" },
    });
});

Task("Pack")
    .IsDependentOn("Test")
    .Does(() =>
{
    DotNetPack("./src/HealthChecks.Warmup/HealthChecks.Warmup.csproj", new DotNetPackSettings
    {
        Configuration = configuration,
        NoBuild = true,
        NoRestore = true,
        OutputDirectory = artifacts + Directory("packages"),
    });
    // The tool is packed per platform, precompiled: packing publishes it for each runtime identifier,
    // so it restores and builds for them (see its project file).
    DotNetPack("./src/HealthChecks.Warmup.Cli/HealthChecks.Warmup.Cli.csproj", new DotNetPackSettings
    {
        Configuration = configuration,
        OutputDirectory = artifacts + Directory("packages"),
    });
});

RunTarget(target);
