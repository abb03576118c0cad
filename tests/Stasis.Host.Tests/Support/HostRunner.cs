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

    public static Task<HostResult> RunAsync(string[] args, CancellationToken cancellationToken) => RunAsync(args, new StringWriter(), cancellationToken);

    /// <summary>
    /// Starts a run and returns it with a task that completes once its output shows <paramref name="marker"/> (e.g. the
    /// gateway's "Gateway: dashboard" line, printed once it listens); it faults if the run ends first.
    /// </summary>
    public static (Task<HostResult> Run, Task Shown) RunUntilShown(string marker, params string[] args)
    {
        var output = new SignallingWriter(marker);
        var run = RunAsync(args, output, CancellationToken.None);
        run.ContinueWith(_ => output.Shown.TrySetException(new InvalidOperationException($"The run ended without printing '{marker}'")),
            TaskScheduler.Default);
        return (run, output.Shown.Task);
    }

    private static async Task<HostResult> RunAsync(string[] args, StringWriter output, CancellationToken cancellationToken)
    {
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

/// <summary>A run's output that completes <see cref="Shown"/> once the text written so far contains a marker.</summary>
internal sealed class SignallingWriter(string marker) : StringWriter
{
    public TaskCompletionSource Shown { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override void Write(char value)
    {
        base.Write(value);
        Check();
    }

    public override void Write(string? value)
    {
        base.Write(value);
        Check();
    }

    public override void Write(char[] buffer, int index, int count)
    {
        base.Write(buffer, index, count);
        Check();
    }

    private void Check()
    {
        if (!Shown.Task.IsCompleted && GetStringBuilder().ToString().Contains(marker, StringComparison.Ordinal))
            Shown.TrySetResult();
    }
}

[CollectionDefinition(HostRunner.Collection, DisableParallelization = true)]
public sealed class HostRunsCollection;
