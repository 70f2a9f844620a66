namespace HealthChecks.Warmup.Benchmarks;

/// <summary>Where the repository is, from wherever the benchmark's assembly was built to (its own bin, or the tests').</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>A project of the repository: <c>Project("src", "HealthChecks.Warmup")</c>.</summary>
    public static string Project(string folder, string name) => Path.Combine(Root, folder, name, name + ".csproj");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "HealthChecks.Warmup.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("the repository root (HealthChecks.Warmup.sln) is not above the benchmark's build output");
    }
}
