using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace HealthChecks.Warmup.Crawling;

/// <summary>
/// Where pages and stylesheets are parsed: at most <c>maxThreads</c> threads of its own, which ask the
/// operating system for a lower priority (nice 10 on Linux, below normal elsewhere). Parsing is the
/// warm-up's CPU-heavy part; at a lower priority it gets the cores the app leaves idle, and when the
/// machine is busy the app's own requests and the readiness probes run first. A thread ends after
/// <see cref="IdleTimeout"/> without work, so an app that has warmed keeps none.
/// </summary>
/// <remarks>
/// Threads of their own because a thread's nice value can be raised but, without privileges, not
/// lowered again: thread-pool threads must keep theirs.
/// </remarks>
internal sealed partial class ParsingScheduler(int maxThreads, TimeSpan? idleTimeout = null) : TaskScheduler
{
    /// <summary>How long a parser thread waits for work before it ends.</summary>
    public TimeSpan IdleTimeout { get; } = idleTimeout ?? TimeSpan.FromSeconds(5);

    private readonly BlockingCollection<Task> _tasks = [];
    private int _threads;
    private int _idle;

    /// <summary>Parser threads running now (for tests).</summary>
    internal int Threads => Volatile.Read(ref _threads);

    public override int MaximumConcurrencyLevel => maxThreads;

    protected override void QueueTask(Task task)
    {
        _tasks.Add(task);
        if (Volatile.Read(ref _idle) == 0)
        {
            TryStartThread();
        }
    }

    // Never inline: the caller may be a thread-pool thread, which must not run parsing.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task> GetScheduledTasks() => _tasks.ToArray();

    private void TryStartThread()
    {
        var running = Volatile.Read(ref _threads);
        while (running < maxThreads)
        {
            var seen = Interlocked.CompareExchange(ref _threads, running + 1, running);
            if (seen == running)
            {
                new Thread(Work) { IsBackground = true, Name = "HealthChecks.Warmup parser" }.Start();
                return;
            }
            running = seen;
        }
    }

    private void Work()
    {
        LowerPriority();
        while (true)
        {
            Interlocked.Increment(ref _idle);
            var got = _tasks.TryTake(out var task, IdleTimeout);
            Interlocked.Decrement(ref _idle);
            if (got)
            {
                TryExecuteTask(task!);
                continue;
            }
            Interlocked.Decrement(ref _threads);
            // Work queued while this thread was deciding to end, when it still counted as idle, would
            // wait for the next page: stay for it, unless others have started meanwhile.
            if (_tasks.Count == 0)
            {
                return;
            }
            if (Interlocked.Increment(ref _threads) > maxThreads)
            {
                Interlocked.Decrement(ref _threads);
                return;
            }
        }
    }

    private static void LowerPriority()
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                // setpriority(PRIO_PROCESS, 0, 10): on Linux "0" is the calling thread. Raising one's own
                // nice value needs no privilege; where it is refused (a locked-down sandbox) parsing
                // simply runs at normal priority.
                _ = SetPriority(0, 0, 10);
            }
            else
            {
                Thread.CurrentThread.Priority = ThreadPriority.BelowNormal;
            }
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException or PlatformNotSupportedException)
        {
            // No way to lower it here: normal priority.
        }
    }

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);
}
