using HealthChecks.Warmup.Benchmarks.RenderedSite;
using HealthChecks.Warmup.Benchmarks.Site;

// dotnet HealthChecks.Warmup.Benchmarks.RenderedSite.dll --pages 2000 --port 5000 --mode InProcess, from its publish folder.
var serve = ServeArguments.Parse(args);
await BenchSite.RunAsync(new RenderedDocsSite(serve.Pages), serve);
