using System.Reflection;
using System.Text.RegularExpressions;

namespace HealthChecks.Warmup.Tests.Docs;

/// <summary>The docs stay true to the code: every option is in the configuration reference.</summary>
[TestFixture]
public sealed partial class DocsTests
{
    private static string RepositoryFile(string relative)
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException(relative);
    }

    private static IEnumerable<string> OptionNames() =>
        typeof(SiteWarmupOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name);

    [TestCaseSource(nameof(OptionNames))]
    public void EveryOption_IsInTheConfigurationReference(string option)
    {
        var reference = File.ReadAllText(RepositoryFile("docs/configuration.md"));

        Assert.That(reference, Does.Match($@"\|\s*`{option}`\s*\|"), $"docs/configuration.md has no row for {option}");
    }

    [TestCaseSource(nameof(OptionNames))]
    public void EveryOption_IsInTheReadme(string option)
    {
        var readme = File.ReadAllText(RepositoryFile("README.md"));

        Assert.That(readme, Does.Contain($"`{option}`"), $"README.md does not mention {option}");
    }

    [Test]
    public void EveryDocLinkedFromTheReadme_Exists()
    {
        var readme = File.ReadAllText(RepositoryFile("README.md"));
        var links = DocLink().Matches(readme).Select(m => m.Groups[1].Value).Distinct().ToList();

        Assert.That(links, Is.Not.Empty);
        Assert.That(links.Where(link => !File.Exists(Path.Combine(Path.GetDirectoryName(RepositoryFile("README.md"))!, link))), Is.Empty);
    }

    [Test]
    public void WhatIsReadFromHtml_InTheArchitecture_IsTheExtractionCases()
    {
        var architecture = File.ReadAllText(RepositoryFile("docs/architecture.md"));
        var section = architecture[architecture.IndexOf("What is read from HTML", StringComparison.Ordinal)..architecture.IndexOf("From CSS:", StringComparison.Ordinal)];
        var rows = TableCase().Matches(section).Select(m => m.Groups[1].Value).ToList();
        var cases = typeof(Coordination.ExtractionEndToEndTests).GetMethod(nameof(Coordination.ExtractionEndToEndTests.FrontPageReference_IsRequested))!
            .GetCustomAttributes<TestCaseAttribute>().Select(c => c.TestName!).ToList();

        Assert.That(rows, Is.EquivalentTo(cases), "docs/architecture.md's table of what is read from HTML has a row for each extraction case, and no other");
    }

    [GeneratedRegex(@"^\| `([^`]+)` \|", RegexOptions.Multiline)]
    private static partial Regex TableCase();

    [GeneratedRegex(@"\]\((docs/[^)#]+)")]
    private static partial Regex DocLink();
}
