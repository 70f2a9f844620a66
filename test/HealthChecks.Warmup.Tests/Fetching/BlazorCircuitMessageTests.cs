using System.Text;
using System.Text.Json;
using HealthChecks.Warmup.Fetching.Http;

namespace HealthChecks.Warmup.Tests.Fetching;

/// <summary>
/// What the circuit's start sends and reads: BlazorPack (SignalR's MessagePack hub protocol, each message
/// behind a variable-length size) and the page's own component markers. The real hub is the judge in
/// <c>BlazorCircuitTests</c>; these pin the bytes and the edges a hub may produce.
/// </summary>
[TestFixture]
public sealed class BlazorCircuitMessageTests
{
    [Test]
    public void AnInvocation_IsASizedMessagePackArray_OfSixParts()
    {
        var bytes = BlazorPack.Invocation(null, "OnRenderCompleted", 2, null);

        byte[] target = [0xdb, 0, 0, 0, 17, .. Encoding.UTF8.GetBytes("OnRenderCompleted")];
        byte[] payload = [0x96, 0x01, 0x80, 0xc0, .. target, 0x92, 0xd2, 0, 0, 0, 2, 0xc0, 0x90];
        Assert.That(bytes, Is.EqualTo(new byte[] { (byte)payload.Length }.Concat(payload)));
    }

    [Test]
    public void WhatIsWritten_ReadsBack()
    {
        var bytes = BlazorPack.Invocation("0", "StartCircuit", "http://a/", "http://a/counter", "[]", "");

        var message = BlazorPack.Read(bytes, out var consumed).Single();

        Assert.That(consumed, Is.EqualTo(bytes.Length));
        Assert.That((message.IsInvocation, message.InvocationId, message.Target), Is.EqualTo((true, "0", "StartCircuit")));
    }

    [Test]
    public void ALongMessage_HasAMultiByteSize()
    {
        var bytes = BlazorPack.Invocation(null, "UpdateRootComponents", new string('x', 300), "");

        Assert.That(bytes[0] & 0x80, Is.Not.Zero, "the size's first byte says more follows");
        Assert.That(BlazorPack.Read(bytes, out _).Single().Target, Is.EqualTo("UpdateRootComponents"));
    }

    [Test]
    public void ACompletion_GivesTheCircuitId_AndARenderBatch_ItsId()
    {
        // [3, {}, "0", 3 (a result), "circuit-1"] and [1, {}, nil, "JS.RenderBatch", [7, bin(3)]], in one frame.
        byte[] completion = [0x95, 0x03, 0x80, 0xa1, (byte)'0', 0x03, 0xa9, .. Encoding.UTF8.GetBytes("circuit-1")];
        byte[] batch = [0x95, 0x01, 0x80, 0xc0, 0xae, .. Encoding.UTF8.GetBytes("JS.RenderBatch"), 0x92, 0x07, 0xc4, 3, 1, 2, 3];
        byte[] frame = [(byte)completion.Length, .. completion, (byte)batch.Length, .. batch];

        var messages = BlazorPack.Read(frame, out var consumed);

        Assert.That(consumed, Is.EqualTo(frame.Length));
        Assert.That((messages[0].IsCompletion, messages[0].InvocationId, messages[0].Result), Is.EqualTo((true, "0", "circuit-1")));
        Assert.That((messages[1].Target, messages[1].FirstArgument), Is.EqualTo(("JS.RenderBatch", 7L)));
    }

    [Test]
    public void ACompletionWithAnError_GivesTheError()
    {
        byte[] completion = [0x94, 0x03, 0x81, 0xa1, (byte)'k', 0xa1, (byte)'v', 0xa1, (byte)'0', 0x01, 0xa4, .. Encoding.UTF8.GetBytes("nope")];

        var message = BlazorPack.Read([(byte)completion.Length, .. completion], out _).Single();

        Assert.That((message.Error, message.Result), Is.EqualTo(("nope", (string?)null)));
    }

    [Test]
    public void AMessageCutOff_WaitsForTheRest()
    {
        var bytes = BlazorPack.Invocation(null, "JS.EndUpdateRootComponents", 1);

        Assert.That(BlazorPack.Read(bytes.AsSpan(0, bytes.Length - 1), out var consumed), Is.Empty);
        Assert.That(consumed, Is.Zero);
    }

    [Test]
    public void WhatIsNotMessagePack_IsAFormatError()
    {
        byte[] frame = [2, 0x95, 0xc1];

        Assert.That(() => BlazorPack.Read(frame, out _), Throws.TypeOf<FormatException>());
    }

    [Test]
    public void ThePagesServerAndAutoMarkers_AreTaken_AsWritten_AndNotTheirEndsOrOtherTypes()
    {
        const string server = """{"type":"server","prerenderId":"a1","key":{"locationHash":"H:21","formattedComponentKey":""},"sequence":0,"descriptor":"CfDJ8\u002Bx"}""";
        const string auto = """{"type":"auto","prerenderId":"b2","key":{"locationHash":"H:22","formattedComponentKey":""},"serverMarker":{"sequence":1,"descriptor":"CfDJ8y"}}""";
        var markup = $$"""
            <body><!--Blazor:{{server}}--><button>Click me</button><!--Blazor:{"prerenderId":"a1"}-->
            <!--Blazor:{"type":"webassembly","prerenderId":"c3"}--><!--Blazor:{{auto}}-->
            <!--Blazor-Server-Component-State:CfDJ8State==-->
            """;

        Assert.That(BlazorCircuit.ServerMarkers(markup), Is.EqualTo(new[] { server, auto }));
        Assert.That(BlazorCircuit.PersistedState(markup), Is.EqualTo("CfDJ8State=="));
        Assert.That(BlazorCircuit.PersistedState("<p>no state</p>"), Is.Empty);
    }

    [Test]
    public void TheOperations_AddEachMarker_AsBlazorWebJsSendsThem()
    {
        const string marker = """{"type":"server","sequence":0,"descriptor":"d"}""";

        using var operations = JsonDocument.Parse(BlazorCircuit.Operations([marker, marker]));

        var root = operations.RootElement;
        Assert.That(root.GetProperty("batchId").GetInt32(), Is.EqualTo(1));
        var added = root.GetProperty("operations").EnumerateArray().ToList();
        Assert.That(added.Select(o => (o.GetProperty("type").GetString(), o.GetProperty("ssrComponentId").GetInt32())), Is.EqualTo(new[] { ("add", 1), ("add", 2) }));
        Assert.That(added[0].GetProperty("marker").GetProperty("descriptor").GetString(), Is.EqualTo("d"));
    }
}
