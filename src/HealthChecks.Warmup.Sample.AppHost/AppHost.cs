namespace HealthChecks.Warmup.Sample.AppHost;

/// <summary>The sample site under Aspire (an entry point of its own: the sample's <c>Program</c> keeps its name).</summary>
internal static class AppHost
{
    public static void Main(string[] args)
    {
        var builder = DistributedApplication.CreateBuilder(args);

        // The site answers /health/ready 503 until it is warm, 200 after: Aspire reports the resource
        // Unhealthy, then Healthy, and WaitFor holds back what depends on it until then.
        var site = builder.AddProject<Projects.HealthChecks_Warmup_Sample>("site")
            .WithHttpHealthCheck("/health/ready");

        // What must not start before the site is warm: here a command that says so; in an app, a
        // frontend, a load generator, a smoke test.
        builder.AddExecutable("after-warm-up", "dotnet", ".", "--version")
            .WaitFor(site);

        builder.Build().Run();
    }
}
