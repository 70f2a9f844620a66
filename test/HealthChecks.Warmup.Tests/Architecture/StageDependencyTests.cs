using System.Text.RegularExpressions;
using NetArchTest.Rules;

namespace HealthChecks.Warmup.Tests.Architecture;

/// <summary>
/// The library's stages depend one way, as docs/architecture.md draws them: a stage may use the stages
/// below it, never one above, so no two stages form a cycle. Read from the compiled library (its IL, through
/// NetArchTest), not from <c>using</c> directives, so a fully qualified name counts too.
/// </summary>
[TestFixture]
public sealed class StageDependencyTests
{
    /// <summary>The stages from the bottom up: the values they share, then each stage on top of the ones before it.</summary>
    internal static readonly string[] Stages =
        ["Model", "Rules", "Reporting", "Discovery", "Fetching", "Extraction", "Crawling", "Coordination", "DependencyInjection"];

    private const string Root = "HealthChecks.Warmup";

    // Every stage but the top one, the composition root, which may use all the others.
    private static IEnumerable<string> StagesBelowTheTop() => Stages[..^1];

    [TestCaseSource(nameof(StagesBelowTheTop))]
    public void AStage_UsesNoStageAboveIt(string stage)
    {
        var above = Stages.SkipWhile(s => s != stage).Skip(1).Select(s => $"{Root}.{s}").ToArray();

        var result = Types.InAssembly(typeof(SiteWarmupOptions).Assembly).That().ResideInNamespace($"{Root}.{stage}")
            .ShouldNot().HaveDependencyOnAny(above).GetResult();

        Assert.That(result.SelectedTypesForTesting, Is.Not.Empty, $"{stage} holds types");
        Assert.That(Failing(result), Is.Empty, $"{stage} uses a stage above it ({string.Join(", ", above)})");
    }

    [Test]
    public void ThePublicSurface_InTheRootNamespace_UsesOnlyTheModel()
    {
        var stages = Stages.Skip(1).Select(s => $"{Root}.{s}").ToArray();

        var result = Types.InAssembly(typeof(SiteWarmupOptions).Assembly).That().ResideInNamespaceMatching($@"^{Regex.Escape(Root)}$")
            .ShouldNot().HaveDependencyOnAny(stages).GetResult();

        Assert.That(result.SelectedTypesForTesting.Select(t => t.Name), Does.Contain(nameof(SiteWarmupOptions)));
        Assert.That(Failing(result), Is.Empty, "the options and the public extensions use the model only");
    }

    private static IEnumerable<string> Failing(TestResult result) =>
        (result.FailingTypes ?? []).Select(t => $"{t.FullName}: {t.Explanation}");

    [Test]
    public void EveryType_LivesInAStage_OrTheRootNamespace()
    {
        var namespaces = typeof(SiteWarmupOptions).Assembly.GetTypes()
            .Where(t => t.Namespace?.StartsWith(Root, StringComparison.Ordinal) == true)
            .Select(t => t.Namespace!).Distinct();

        Assert.That(namespaces.Where(ns => ns != Root && !Stages.Any(s => ns == $"{Root}.{s}" || ns.StartsWith($"{Root}.{s}.", StringComparison.Ordinal))),
            Is.Empty, "a namespace that is no stage has no place in the one-way order");
    }

    [Test]
    public void TheArchitectureDocsDiagram_ListsTheStages_InTheOrderTheCodeObeys()
    {
        var docs = File.ReadAllText(Path.Combine(Support.Processes.RepositoryRoot(), "docs", "architecture.md"));
        var diagram = Regex.Match(docs, @"```text\n(?<lines>(?:.*\n)*?)```").Groups["lines"].Value;
        var drawn = Regex.Matches(diagram, @"\b(Model|Rules|Reporting|Discovery|Fetching|Extraction|Crawling|Coordination|DependencyInjection)\b")
            .Select(m => m.Value).Distinct().Reverse();

        Assert.That(drawn, Is.EqualTo(Stages), "docs/architecture.md's first text diagram, top to bottom, is the stages from the top down");
    }

    [Test]
    public void NoSourceFile_IsLongerThanAScreenfulOrThree()
    {
        var src = Path.Combine(Support.Processes.RepositoryRoot(), "src");
        var separator = Path.DirectorySeparatorChar;
        var tooLong = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{separator}obj{separator}", StringComparison.Ordinal) && !f.Contains($"{separator}bin{separator}", StringComparison.Ordinal))
            .Select(f => (File: Path.GetRelativePath(src, f), Lines: File.ReadLines(f).Count()))
            .Where(f => f.Lines > 300);

        Assert.That(tooLong.Select(f => $"{f.File}: {f.Lines} lines"), Is.Empty, "split a file past 300 lines by responsibility");
    }
}
