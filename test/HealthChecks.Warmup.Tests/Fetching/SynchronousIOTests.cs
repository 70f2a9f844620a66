using System.Net;
using System.Xml;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace HealthChecks.Warmup.Tests.Fetching;

/// <summary>
/// An MVC controller writing XML with a synchronous <see cref="XmlWriter"/>, as real blogs write their
/// sitemaps and RSD files: on Kestrel it works after opting in to synchronous I/O and fails (500)
/// without; in-process it must do exactly the same.
/// </summary>
[TestFixture]
public sealed class SynchronousIOTests
{
    private static FixtureSite XmlSite(bool judgeDiscovered) => new FixtureSite { Configure = o => o.JudgeDiscoveredEndpoints = judgeDiscovered }
        .WithServices(services => services.AddControllers().AddApplicationPart(typeof(XmlFixtureController).Assembly))
        .Html("/", "<p>home</p>")
        .WithMiddleware(app => app.MapControllers());

    [Test]
    public async Task ControllerThatOptsInToSynchronousIO_WarmsAndTheSiteIsReady()
    {
        await using var site = await XmlSite(judgeDiscovered: false).StartAsync();

        var probe = await site.WaitForVerdictAsync();
        using var overKestrel = await site.Client.GetAsync("/xml/opted-in");

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(site.CountOf("/xml/opted-in"), Is.EqualTo(1));
        Assert.That(site.Logs.Named("UrlFailed"), Is.Empty, "the action that opted in answered 200 in-process");
        Assert.That(overKestrel.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the same action over Kestrel");
    }

    [Test]
    public async Task ControllerThatWritesSynchronouslyWithoutOptingIn_FailsAsOnKestrel()
    {
        await using var site = await XmlSite(judgeDiscovered: true).StartAsync();

        var probe = await site.WaitForVerdictAsync();
        using var overKestrel = await site.Client.GetAsync("/xml/not-opted-in");

        Assert.That(overKestrel.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError), "Kestrel refuses synchronous writes");
        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "judged (the test opts in), the 500 is a failure");
        Assert.That(probe.Description, Does.Contain("/xml/not-opted-in → 500"));
        Assert.That(site.Logs.Named("UrlFailed").Single().Properties["Url"], Does.EndWith("/xml/not-opted-in"));
    }
}

[Route("xml")]
public sealed class XmlFixtureController : Controller
{
    [HttpGet("opted-in")]
    public void OptedIn()
    {
        HttpContext.Features.Get<IHttpBodyControlFeature>()!.AllowSynchronousIO = true;
        WriteRsd(HttpContext);
    }

    [HttpGet("not-opted-in")]
    public void NotOptedIn() => WriteRsd(HttpContext);

    private static void WriteRsd(HttpContext context)
    {
        context.Response.ContentType = "application/rsd+xml";
        using var xml = XmlWriter.Create(context.Response.Body);
        xml.WriteStartDocument();
        xml.WriteStartElement("rsd");
        xml.WriteAttributeString("version", "1.0");
        xml.WriteElementString("engineName", "a blog");
        xml.WriteEndElement();
    }
}
