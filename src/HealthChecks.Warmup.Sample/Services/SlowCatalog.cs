namespace HealthChecks.Warmup.Sample.Services;

/// <summary>
/// Stands for what makes a real site slow after a deploy: an empty data cache that the first request
/// of each section fills from a slow store. The warm-up pays this, not the first visitor.
/// </summary>
public sealed class SlowCatalog
{
    private readonly Dictionary<string, IReadOnlyList<string>> _cache = [];
    private readonly SemaphoreSlim _fill = new(1, 1);

    /// <summary>How long filling one section of the cache takes.</summary>
    public static TimeSpan ColdDelay { get; set; } = TimeSpan.FromMilliseconds(400);

    public async Task<IReadOnlyList<string>> GetAsync(string section, CancellationToken cancellationToken)
    {
        await _fill.WaitAsync(cancellationToken);
        try
        {
            if (!_cache.TryGetValue(section, out var items))
            {
                await Task.Delay(ColdDelay, cancellationToken);
                items = [.. Enumerable.Range(1, 5).Select(i => $"{section} item {i}")];
                _cache[section] = items;
            }
            return items;
        }
        finally
        {
            _fill.Release();
        }
    }
}
