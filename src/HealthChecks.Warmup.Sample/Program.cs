using HealthChecks.UI.Client;
using HealthChecks.Warmup.Sample.Services;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Serilog;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Serilog.Events;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSerilog(logger => logger
    .ReadFrom.Configuration(builder.Configuration)
    .MinimumLevel.Information()
    .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
    // The health check service logs every Unhealthy probe as an error; while warming that is the
    // expected answer, and the warm-up logs its own progress and failures.
    .MinimumLevel.Override("Microsoft.Extensions.Diagnostics.HealthChecks", LogEventLevel.Fatal)
    .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Message:lj}{NewLine}{Exception}"));

// dotnet run --project src/HealthChecks.Warmup.Sample -- --Telemetry:Console=true
// prints the warm-up's metrics and spans with OpenTelemetry's console exporter.
if (builder.Configuration.GetValue<bool>("Telemetry:Console"))
{
    builder.Services.AddOpenTelemetry()
        .WithMetrics(metrics => metrics.AddMeter("HealthChecks.Warmup").AddConsoleExporter())
        .WithTracing(tracing => tracing.AddSource("HealthChecks.Warmup").AddConsoleExporter());
}

builder.Services.AddRazorPages();
builder.Services.AddSingleton<SlowCatalog>();

// The one line this library is about: the site is not ready until it has warmed itself.
builder.Services.AddHealthChecks().AddSiteWarmup(tags: ["ready"]);

var app = builder.Build();

app.UseExceptionHandler("/Error");
app.UseStatusCodePagesWithReExecute("/Error", "?code={0}");
app.UseStaticFiles();
app.UseRouting();
app.MapRazorPages();

// Readiness: 503 until warm, 200 after. Liveness: no checks, 200 as long as the process answers.
app.MapHealthChecks("/health/ready", new HealthCheckOptions
{
    Predicate = check => check.Tags.Contains("ready"),
    ResponseWriter = UIResponseWriter.WriteHealthCheckUIResponse,
});
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });

app.Run();

/// <summary>The sample site's entry point, visible to tests.</summary>
public partial class Program;
