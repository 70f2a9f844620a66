using HealthChecks.Warmup.Crawling;

namespace HealthChecks.Warmup.Tests.Crawling;

[TestFixture]
public sealed class ParsingSchedulerTests
{
    private static Task<T> Run<T>(TaskScheduler scheduler, Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.DenyChildAttach, scheduler);

    [Test]
    public async Task Runs_every_task_on_at_most_its_threads_and_never_on_the_thread_pool()
    {
        var scheduler = new ParsingScheduler(maxThreads: 2);
        var running = 0;
        var most = 0;
        var tasks = Enumerable.Range(0, 200).Select(_ => Run(scheduler, () =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            Thread.SpinWait(20_000);
            Interlocked.Decrement(ref running);
            return Thread.CurrentThread.IsThreadPoolThread;
        })).ToArray();

        var onPool = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(onPool, Has.All.False);
            Assert.That(most, Is.InRange(1, 2));
        });
    }

    [Test]
    public async Task Threads_end_when_idle_and_come_back_for_new_work()
    {
        var scheduler = new ParsingScheduler(maxThreads: 2, idleTimeout: TimeSpan.FromMilliseconds(20));
        for (var round = 0; round < 20; round++)
        {
            // Work arriving just as the threads give up must still run.
            var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => Run(scheduler, () => i)))
                .WaitAsync(TimeSpan.FromSeconds(30));
            Assert.That(results, Is.EqualTo(new[] { 0, 1, 2, 3, 4 }));
            await Task.Delay(round % 2 == 0 ? 25 : 19);
        }
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (scheduler.Threads > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        Assert.That(scheduler.Threads, Is.Zero, "an idle scheduler keeps no thread");
    }

    [Test]
    public async Task On_Linux_parser_threads_run_at_a_lower_priority()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("Linux only: the nice value is read from /proc.");
        }
        var scheduler = new ParsingScheduler(maxThreads: 1);
        // Field 19 of /proc/thread-self/stat is the thread's nice value (after the command in parentheses).
        static int Nice() => int.Parse(File.ReadAllText("/proc/thread-self/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[16]);

        var parser = await Run(scheduler, Nice);

        Assert.That(parser, Is.GreaterThan(Nice()));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }
}
