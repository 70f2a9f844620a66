using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace HealthChecks.Warmup.Fetching.Http;

/// <summary>
/// The named <see cref="HttpClient"/> of one registration, <c>HealthChecks.Warmup:{name}</c>, which
/// users can configure further like any named client. Redirects are left to the crawler (each hop is
/// scope-checked), responses are decompressed, cookies are not kept, and a Polly pipeline retries
/// transient failures and limits each attempt.
/// </summary>
internal static class WarmupHttpClient
{
    public static string Name(string registration) => "HealthChecks.Warmup:" + registration;

    public static void Add(IServiceCollection services, string registration)
    {
        var client = services.AddHttpClient(Name(registration))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.All,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            })
            // Time limits are the resilience pipeline's (per attempt) and the fetcher's (per body).
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan);
        client.AddResilienceHandler("warmup", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptionsMonitor<SiteWarmupOptions>>().Get(registration);
                if (options.MaxRequestRetries > 0)
                {
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = options.MaxRequestRetries,
                        Delay = options.RequestRetryDelay,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        MaxDelay = TimeSpan.FromSeconds(30),
                        // The app asking to slow down is the crawler's to honour, for every request at once
                        // (Crawling/BackPressure): not retried here.
                        ShouldHandle = args => ValueTask.FromResult(
                            HttpClientResiliencePredicates.IsTransient(args.Outcome) && !IsBackPressure(args.Outcome.Result)),
                    });
                }
                pipeline.AddTimeout(options.RequestTimeout);
            });
        // Added after the resilience handler, so it runs inside the retry loop and sees every attempt.
        client.AddHttpMessageHandler(() => new AttemptCountingHandler());
    }

    /// <summary>A 429, or a 503 with Retry-After: the app asking the warm-up to slow down.</summary>
    private static bool IsBackPressure(HttpResponseMessage? response) =>
        response is not null && ((int)response.StatusCode == 429 || (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null));
}

/// <summary>Counts the attempts of a request, for the report.</summary>
internal sealed class AttemptCountingHandler : DelegatingHandler
{
    public static readonly HttpRequestOptionsKey<System.Runtime.CompilerServices.StrongBox<int>> Attempts = new("HealthChecks.Warmup.Attempts");

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(Attempts, out var attempts))
        {
            Interlocked.Increment(ref attempts.Value);
        }
        return base.SendAsync(request, cancellationToken);
    }
}
