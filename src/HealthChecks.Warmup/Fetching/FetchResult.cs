namespace HealthChecks.Warmup.Fetching;

/// <summary>Why a request produced no status code.</summary>
internal enum FetchFailure
{
    None,
    /// <summary>The request took longer than <see cref="SiteWarmupOptions.RequestTimeout"/>.</summary>
    Timeout,
    /// <summary>The request threw before a response could be made.</summary>
    Exception,
}

/// <summary>What one request answered: status, the headers the crawler reads, and the parsable body.</summary>
internal sealed class FetchResult
{
    public int? StatusCode { get; init; }

    public string? ContentType { get; init; }

    /// <summary>The Location header of a redirect, as the app wrote it.</summary>
    public string? Location { get; init; }

    /// <summary>
    /// The body of a successful HTML or CSS response, up to <see cref="SiteWarmupOptions.MaxParsedBytes"/>;
    /// empty for everything else, which is read to the end and discarded.
    /// </summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>The body was longer than the parsed-bytes limit; only its start is in <see cref="Body"/>.</summary>
    public bool BodyTruncated { get; init; }

    public FetchFailure Failure { get; init; }

    /// <summary>The exception or time-out, in words, when the request failed.</summary>
    public string? Error { get; init; }

    /// <summary>How many times the request was sent (retries over HTTP); 1 in-process.</summary>
    public int Attempts { get; init; } = 1;

    public static FetchResult Failed(FetchFailure failure, string error) => new() { Failure = failure, Error = error };
}
