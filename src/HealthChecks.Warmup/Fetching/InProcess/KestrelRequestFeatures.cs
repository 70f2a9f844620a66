using System.IO.Pipelines;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace HealthChecks.Warmup.Fetching.InProcess;

/// <summary>
/// The server settings an app can observe on a request, read once from the app's Kestrel options:
/// whether synchronous I/O is allowed (Kestrel's default: no), the request body size limit and the
/// data rate limits.
/// </summary>
internal sealed record ServerRequestDefaults(bool AllowSynchronousIO, long? MaxRequestBodySize, MinDataRate? MinRequestBodyDataRate, MinDataRate? MinResponseDataRate)
{
    public static ServerRequestDefaults From(KestrelServerOptions kestrel)
    {
        var limits = kestrel.Limits;
        return new(kestrel.AllowSynchronousIO, limits.MaxRequestBodySize, limits.MinRequestBodyDataRate, limits.MinResponseDataRate);
    }
}

/// <summary>
/// The request features Kestrel puts on an HTTP/1.1 GET with no body, with Kestrel's defaults and
/// behaviour, for the ones an app or middleware may read (docs/architecture.md lists them and why).
/// </summary>
internal sealed class KestrelRequestFeatures :
    IHttpBodyControlFeature,
    IHttpMaxRequestBodySizeFeature,
    IHttpRequestBodyDetectionFeature,
    IHttpUpgradeFeature,
    IHttpExtendedConnectFeature,
    IHttpRequestTrailersFeature,
    IRequestBodyPipeFeature,
    IHttpRequestLifetimeFeature,
    IRouteValuesFeature,
    IBadRequestExceptionFeature,
    IHttpMinRequestBodyDataRateFeature,
    IHttpMinResponseDataRateFeature,
    IPersistentStateFeature
{
    private readonly CancellationTokenSource _aborted;
    private long? _maxRequestBodySize;
    private MinDataRate? _minRequestBodyDataRate;

    public KestrelRequestFeatures(ServerRequestDefaults defaults, CancellationTokenSource aborted)
    {
        _aborted = aborted;
        AllowSynchronousIO = defaults.AllowSynchronousIO;
        _maxRequestBodySize = defaults.MaxRequestBodySize;
        _minRequestBodyDataRate = defaults.MinRequestBodyDataRate;
        MinResponseDataRate = defaults.MinResponseDataRate;
        Body = new EmptyRequestBody(this);
        RequestAborted = aborted.Token;
    }

    /// <summary>The request's body: empty, and, like Kestrel's, refusing synchronous reads unless allowed.</summary>
    public Stream Body { get; }

    public bool AllowSynchronousIO { get; set; }

    public bool IsReadOnly => false;

    public long? MaxRequestBodySize
    {
        get => _maxRequestBodySize;
        set => _maxRequestBodySize = value;
    }

    public bool CanHaveBody => false;

    public bool IsUpgradableRequest => false;

    public Task<Stream> UpgradeAsync() =>
        throw new InvalidOperationException("Cannot upgrade a non-upgradable request. Check IHttpUpgradeFeature.IsUpgradableRequest to determine if a request can be upgraded.");

    public bool IsExtendedConnect => false;

    public string? Protocol => null;

    public ValueTask<Stream> AcceptAsync() =>
        throw new InvalidOperationException("This is not an Extended CONNECT request.");

    // A GET without a body has no trailers to wait for.
    public bool Available => true;

    public IHeaderDictionary Trailers { get; } = new HeaderDictionary { IsReadOnly = true };

    public PipeReader Reader => field ??= PipeReader.Create(Body);

    public CancellationToken RequestAborted { get; set; }

    public Microsoft.AspNetCore.Routing.RouteValueDictionary RouteValues
    {
        get => field ??= [];
        set => field = value;
    }

    // Kestrel sets it when it rejected the request as malformed; the warm-up's requests are well formed.
    public Exception? Error => null;

    MinDataRate? IHttpMinRequestBodyDataRateFeature.MinDataRate
    {
        get => _minRequestBodyDataRate;
        set => _minRequestBodyDataRate = value;
    }

    /// <summary>Kestrel's response data rate limit; apps lift it for long downloads and live feeds.</summary>
    public MinDataRate? MinResponseDataRate { get; set; }

    MinDataRate? IHttpMinResponseDataRateFeature.MinDataRate
    {
        get => MinResponseDataRate;
        set => MinResponseDataRate = value;
    }

    public IDictionary<object, object?> State => field ??= new Dictionary<object, object?>();

    /// <summary>What Kestrel does when the app aborts: the connection ends, and RequestAborted fires.</summary>
    public void Abort() => _aborted.Cancel();

    /// <summary>Adds these features, and TLS when the site is served over https.</summary>
    public void AddTo(FeatureCollection features, bool https)
    {
        features.Set<IHttpBodyControlFeature>(this);
        features.Set<IHttpMaxRequestBodySizeFeature>(this);
        features.Set<IHttpRequestBodyDetectionFeature>(this);
        features.Set<IHttpUpgradeFeature>(this);
        features.Set<IHttpExtendedConnectFeature>(this);
        features.Set<IHttpRequestTrailersFeature>(this);
        features.Set<IRequestBodyPipeFeature>(this);
        features.Set<IHttpRequestLifetimeFeature>(this);
        features.Set<IRouteValuesFeature>(this);
        features.Set<IBadRequestExceptionFeature>(this);
        features.Set<IHttpMinRequestBodyDataRateFeature>(this);
        features.Set<IHttpMinResponseDataRateFeature>(this);
        features.Set<IPersistentStateFeature>(this);
        if (https)
        {
            features.Set<ITlsConnectionFeature>(NoClientCertificate.Instance);
        }
    }

    /// <summary>A TLS connection without a client certificate, as a browser's usually is.</summary>
    private sealed class NoClientCertificate : ITlsConnectionFeature
    {
        public static NoClientCertificate Instance { get; } = new();

        public X509Certificate2? ClientCertificate
        {
            get => null;
            set { }
        }

        public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult<X509Certificate2?>(null);
    }

    /// <summary>An empty request body that throws on synchronous reads as Kestrel's does.</summary>
    private sealed class EmptyRequestBody(IHttpBodyControlFeature bodyControl) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            SynchronousIO.ThrowIfDisallowed(bodyControl, reading: true);
            return 0;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled<int>(cancellationToken) : ValueTask.FromResult(0);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>Kestrel's refusal of synchronous I/O, with its own words.</summary>
internal static class SynchronousIO
{
    public static void ThrowIfDisallowed(IHttpBodyControlFeature? bodyControl, bool reading)
    {
        if (bodyControl is { AllowSynchronousIO: false })
        {
            throw new InvalidOperationException(reading
                ? "Synchronous operations are disallowed. Call ReadAsync or set AllowSynchronousIO to true instead."
                : "Synchronous operations are disallowed. Call WriteAsync or set AllowSynchronousIO to true instead.");
        }
    }
}
