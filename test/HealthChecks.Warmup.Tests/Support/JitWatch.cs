using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Reflection.Emit;

namespace HealthChecks.Warmup.Tests.Support;

/// <summary>
/// The runtime's own record of what it compiles, in this process (its JIT events, as an
/// <see cref="EventListener"/> receives them): what was compiled between two points of a test.
/// </summary>
internal sealed class JitWatch : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords JitKeyword = (EventKeywords)0x10;

    // Initialised before the base constructor, which already announces the runtime's source.
    private readonly ConcurrentQueue<string> _compiled = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _markers = new();

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == RuntimeSource)
        {
            EnableEvents(eventSource, EventLevel.Verbose, JitKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName?.StartsWith("MethodJittingStarted", StringComparison.Ordinal) != true || eventData.PayloadNames is not { } names)
        {
            return;
        }
        var ns = eventData.Payload?[names.IndexOf("MethodNamespace")] as string;
        var name = eventData.Payload?[names.IndexOf("MethodName")] as string ?? "";
        _compiled.Enqueue($"{ns}:{name}");
        if (_markers.TryRemove(name, out var marker))
        {
            marker.TrySetResult();
        }
    }

    /// <summary>
    /// Everything compiled since the last call: compiles a method of its own and waits (bounded) until its
    /// event arrives, so that what was compiled before it has arrived too.
    /// </summary>
    public async Task<IReadOnlyList<string>> CompiledSinceAsync(TimeSpan? within = null)
    {
        var marker = "JitWatchMarker" + Guid.NewGuid().ToString("N");
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _markers[marker] = arrived;
        var method = new DynamicMethod(marker, typeof(int), Type.EmptyTypes);
        var il = method.GetILGenerator();
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Ret);
        _ = method.CreateDelegate<Func<int>>()();
        try
        {
            await arrived.Task.WaitAsync(within ?? TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The runtime's JIT event for {marker} did not arrive: is EventPipe disabled (DOTNET_EnableEventPipe)?");
        }
        var compiled = new List<string>();
        while (_compiled.TryDequeue(out var name))
        {
            if (name.EndsWith(":" + marker, StringComparison.Ordinal))
            {
                break;
            }
            compiled.Add(name);
        }
        return compiled;
    }
}
