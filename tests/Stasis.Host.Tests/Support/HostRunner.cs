using Stasis.Host.Hosting;

namespace Stasis.Host.Tests.Support;

/// <summary>An in-process run of the host: its exit code, what it printed, and its internal outcome.</summary>
internal sealed record HostResult(int ExitCode, string Output, string Error, RunOutcome Outcome)
{
    /// <summary>Asserts exit code 0, showing everything the run printed when it is not.</summary>
    public void AssertSucceeded() => Assert.True(ExitCode == 0, $"exit code {ExitCode}; output:\n{Output}\nerror:\n{Error}");
}

/// <summary>Runs the host in-process, as `dotnet run --project src/Stasis.Host -- args` would.</summary>
internal static class HostRunner
{
    /// <summary>Host runs share Serilog's global logger: the specs that start the host run one at a time.</summary>
    public const string Collection = "host runs";

    public static Task<HostResult> RunAsync(params string[] args) => RunAsync(args, CancellationToken.None);

    public static async Task<HostResult> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        // The gateway's fixed default ports stay closed unless a spec asks for them (hosts run side by side here).
        if (!args.Contains("--help") && !args.Contains("--version"))
        {
            if (!args.Any(a => a.StartsWith("--http-port", StringComparison.Ordinal)))
                args = [.. args, "--http-port", "0"];
            if (!args.Any(a => a.StartsWith("--ami-port", StringComparison.Ordinal)))
                args = [.. args, "--ami-port", "0"];
        }
        var outcome = await Program.ExecuteAsync(args, output, error, cancellationToken);
        return new HostResult(outcome.ExitCode, output.ToString(), error.ToString(), outcome);
    }
}

[CollectionDefinition(HostRunner.Collection, DisableParallelization = true)]
public sealed class HostRunsCollection;
