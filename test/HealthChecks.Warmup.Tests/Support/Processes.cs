using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace HealthChecks.Warmup.Tests.Support;

/// <summary>The repository, free ports and child processes (dotnet pack, a built app), for the packaging tests.</summary>
internal static class Processes
{
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "HealthChecks.Warmup.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException("HealthChecks.Warmup.sln");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts a process whose output nobody reads (drained, so that it never blocks).</summary>
    public static Process Start(string directory, string file, params string[] arguments) =>
        Start(directory, new Dictionary<string, string>(), _ => { }, file, arguments);

    /// <summary>Starts a process with more environment variables, handing each line it writes to <paramref name="onLine"/>.</summary>
    public static Process Start(string directory, IReadOnlyDictionary<string, string> environment, Action<string> onLine, string file, params string[] arguments)
    {
        var start = StartInfo(directory, file, arguments);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { onLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { onLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>
    /// Runs a process to its end and returns its output; fails the test on a non-zero exit code, or
    /// after 5 minutes, when the process and its children are killed rather than left running.
    /// </summary>
    public static Task<string> RunAsync(string directory, string file, params string[] arguments) =>
        RunAsync(directory, [0], file, arguments);

    /// <summary>As <see cref="RunAsync(string, string, string[])"/>, with the exit codes that are not a failure.</summary>
    public static async Task<string> RunAsync(string directory, int[] successCodes, string file, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(directory, file, arguments))!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var command = $"{file} {string.Join(' ', arguments)}";
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            lock (output)
            {
                Assert.Fail($"{command} did not end within 5 minutes\n{output}");
            }
        }
        lock (output)
        {
            Assert.That(successCodes, Does.Contain(process.ExitCode), $"{command}\n{output}");
            return output.ToString();
        }
    }

    /// <summary>Deletes a temporary folder, leaving it to the system when a file in it is still held open.</summary>
    public static void DeleteQuietly(DirectoryInfo directory)
    {
        try
        {
            directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the temp folder is the system's to clean.
        }
    }

    private static ProcessStartInfo StartInfo(string directory, string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        return start;
    }
}
