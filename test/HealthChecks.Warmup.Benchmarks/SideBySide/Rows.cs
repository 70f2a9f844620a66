namespace HealthChecks.Warmup.Benchmarks.SideBySide;

/// <summary>The systems of the side-by-side table, by the name of their row.</summary>
internal static class Rows
{
    public const string InProcess = "HealthChecks.Warmup in-process";
    public const string Http = "HealthChecks.Warmup over HTTP";
    public const string Floor = "floor: URL list replayed in-process";
    public const string ThirdCrawl = "in-process crawl, third run in one process";
    public const string ThirdReplay = "floor, third replay in the same process";
    public const string ReadyToRun = "HealthChecks.Warmup in-process, app published ReadyToRun";
    public const string TieredPgoOff = "HealthChecks.Warmup in-process, app with TieredPGO off";
    public const string TieredCompilationOff = "HealthChecks.Warmup in-process, app with tiered compilation off";

    /// <summary><c>dotnet-warmup</c>: the library crawling over HTTP from a process of its own, as wget does.</summary>
    public const string Cli = "dotnet-warmup (this library's CLI) over HTTP";
    /// <summary><c>dotnet-warmup</c> as its package for this platform installs it: precompiled (ReadyToRun).</summary>
    public const string CliPackaged = "dotnet-warmup as packaged (ReadyToRun)";
    public const string Wget = "wget";
    public const string Linkinator = "linkinator";
}
