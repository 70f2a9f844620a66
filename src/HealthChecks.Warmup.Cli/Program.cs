namespace HealthChecks.Warmup.Cli;

/// <summary>The <c>dotnet-warmup</c> entry point.</summary>
internal static class CliProgram
{
    public static Task<int> Main(string[] args) =>
        WarmupCommand.RunAsync(args, Console.Out, Console.Error, interactive: !Console.IsOutputRedirected);
}
