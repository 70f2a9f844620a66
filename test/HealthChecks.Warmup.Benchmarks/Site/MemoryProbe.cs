using Microsoft.Extensions.Hosting;

namespace HealthChecks.Warmup.Benchmarks.Site;

/// <summary>Samples the working set from the application's start until the warm-up reports, and the heap before and after.</summary>
internal sealed class MemoryProbe : IHostedService
{
    private long _idleWorkingSet;
    private long _peakWorkingSet;
    private long _idleHeap;
    private volatile bool _sampling;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Before ApplicationStarted: the warm-up has not begun.
        _idleHeap = GC.GetTotalMemory(forceFullCollection: true);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _sampling = false;
        return Task.CompletedTask;
    }

    public void Start()
    {
        _idleWorkingSet = Environment.WorkingSet;
        _peakWorkingSet = _idleWorkingSet;
        _sampling = true;
        _ = Task.Run(async () =>
        {
            while (_sampling)
            {
                _peakWorkingSet = Math.Max(_peakWorkingSet, Environment.WorkingSet);
                await Task.Delay(20);
            }
        });
    }

    public object Report()
    {
        _sampling = false;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        // What the last full, blocking collection kept: the live heap.
        var live = GC.GetGCMemoryInfo(GCKind.FullBlocking).PromotedBytes;
        return new
        {
            liveHeapMb = live / 1e6,
            idleWorkingSetMb = _idleWorkingSet / 1e6,
            peakWorkingSetMb = _peakWorkingSet / 1e6,
            idleHeapMb = _idleHeap / 1e6,
            heapAfterMb = heap / 1e6,
            gen0 = GC.CollectionCount(0),
            gen1 = GC.CollectionCount(1),
            gen2 = GC.CollectionCount(2),
            allocatedMb = GC.GetTotalAllocatedBytes() / 1e6,
        };
    }
}
