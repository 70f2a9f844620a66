using System.Globalization;
using BenchmarkDotNet.Running;
using HealthChecks.Warmup.Benchmarks.SideBySide;
using HealthChecks.Warmup.Benchmarks.Site;

namespace HealthChecks.Warmup.Benchmarks;

// dotnet run -c Release --project test/HealthChecks.Warmup.Benchmarks -- side-by-side [--site generated|rendered] [--pages 2000] [--load-pages 20000] [--ready-to-run] [--runtime-settings] [--rounds 3] [--scaling]
// dotnet run -c Release --project test/HealthChecks.Warmup.Benchmarks -- first-visit [--templates webapp,mvc,blazor,blazor-wasm,blazor-auto] [--runs 3]
// dotnet run -c Release --project test/HealthChecks.Warmup.Benchmarks -- micro [BenchmarkDotNet arguments]
// dotnet run -c Release --project test/HealthChecks.Warmup.Benchmarks -- serve --pages 2000 --port 5000 --mode WarmProcess --runs 20
// (serve is what side-by-side starts in a process of its own for every system.)
/// <summary>The benchmark's entry point.</summary>
internal static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        var command = args.FirstOrDefault() ?? "side-by-side";
        int Option(string name, int fallback)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
        }

        switch (command)
        {
            case "serve":
                var serve = ServeArguments.Parse(args);
                await BenchSite.RunAsync(new GeneratedSite(serve.Pages), serve);
                return 0;
            case "side-by-side":
            {
                var siteAt = Array.IndexOf(args, "--site");
                var site = siteAt >= 0 && siteAt + 1 < args.Length ? Enum.Parse<SiteKind>(args[siteAt + 1], ignoreCase: true) : SiteKind.Generated;
                using var runner = new SideBySideRunner(Console.Out, site);
                await runner.CompareAsync(Option("--pages", 2000), readyToRun: args.Contains("--ready-to-run"), runtimeSettings: args.Contains("--runtime-settings"), rounds: Option("--rounds", 3));
                var loadPages = Option("--load-pages", 20_000);
                if (loadPages > 0)
                {
                    await runner.LoadAsync(loadPages);
                }
                foreach (var pages in args.Contains("--scaling") ? new[] { 10_000, 100_000 } : [])
                {
                    await runner.LoadAsync(pages);
                }
                return 0;
            }
            case "first-visit":
                var templatesAt = Array.IndexOf(args, "--templates");
                var templates = templatesAt >= 0 && templatesAt + 1 < args.Length ? args[templatesAt + 1].Split(',') : ["webapp", "mvc", "blazor"];
                await new FirstVisit.FirstVisitRunner(Console.Out).RunAsync(templates, Option("--runs", 3));
                return 0;
            case "micro":
                BenchmarkSwitcher.FromAssembly(typeof(SideBySideRunner).Assembly).Run(args[1..]);
                return 0;
            default:
                Console.Error.WriteLine("usage: side-by-side [--site generated|rendered] [--pages N] [--load-pages N] [--ready-to-run] [--runtime-settings] [--rounds 3] [--scaling] | first-visit [--templates webapp,mvc,blazor] | micro [BenchmarkDotNet arguments]");
                return 2;
        }
    }
}
