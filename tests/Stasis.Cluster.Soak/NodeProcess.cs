using System.Diagnostics;
using System.Threading.Channels;

namespace Stasis.Cluster.Soak;

/// <summary>
/// One <see cref="SoakNode"/> OS process (this program in <c>node</c> mode), spoken to over its standard input and
/// output. Its other output (Akka's warnings) is kept, the last lines shown if it fails.
/// </summary>
public sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _answers = Channel.CreateUnbounded<string>();
    private readonly Queue<string> _log = new();

    private NodeProcess(string name, int port, Process process) => (Name, Port, _process) = (name, port, process);

    public string Name { get; }

    public int Port { get; }

    /// <summary>The node's EID, known once it is up (a new one for every process).</summary>
    public string Eid { get; private set; } = "";

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The node's last report, refreshed by <see cref="ReportAsync"/> and by its final report on <see cref="StopAsync"/>.</summary>
    public NodeReport? LastReport { get; private set; }

    /// <summary>The last lines the node wrote that were not answers.</summary>
    public string Log
    {
        get
        {
            lock (_log)
                return string.Join(Environment.NewLine, _log);
        }
    }

    /// <summary>Starts a node and waits until it is up in the cluster.</summary>
    public static async Task<NodeProcess> StartAsync(string name, int port, int seedPort, int stableAfterSeconds, Plant plant, TimeSpan timeout)
    {
        var start = SelfStart();
        foreach (var arg in (string[])["node", "--port", $"{port}", "--seed-port", $"{seedPort}", "--stable-after", $"{stableAfterSeconds}", "--plant", $"{plant}"])
            start.ArgumentList.Add(arg);
        start.RedirectStandardInput = start.RedirectStandardOutput = start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var node = new NodeProcess(name, port, Process.Start(start) ?? throw new InvalidOperationException($"{name}: the process did not start"));
        node._process.OutputDataReceived += (_, e) => node.Received(e.Data);
        node._process.ErrorDataReceived += (_, e) => node.Logged(e.Data);
        node._process.BeginOutputReadLine();
        node._process.BeginErrorReadLine();
        var ready = await node.AnswerAsync("ready", timeout).ConfigureAwait(false);
        node.Eid = ready?.Split(' ')[1] ?? throw new SoakException($"{name} (port {port}) was not up within {ClusterChecker.Seconds(timeout)}; its last lines:{Environment.NewLine}{node.Log}");
        return node;
    }

    /// <summary>Asks for a report; null when the node does not answer within the timeout.</summary>
    public async Task<NodeReport?> ReportAsync(TimeSpan timeout)
    {
        if (await AskAsync("report", NodeReport.Kind, timeout).ConfigureAwait(false) is not { } line)
            return null;
        return LastReport = NodeReport.Parse(line);
    }

    /// <summary>The EIDs whose entries the node's cache holds; null when it does not answer within the timeout.</summary>
    public async Task<IReadOnlySet<string>?> CacheAsync(TimeSpan timeout) =>
        await AskAsync("cache", "cache", timeout).ConfigureAwait(false) is { } line
            ? line.Split(' ', 2) is [_, var eids] ? eids.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet() : new HashSet<string>()
            : null;

    /// <summary><c>kill -9</c>.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>A graceful stop: the node leaves the cluster; its final report is kept. False when it did not exit in time.</summary>
    public async Task<bool> StopAsync(TimeSpan timeout)
    {
        await _process.StandardInput.WriteLineAsync("stop").ConfigureAwait(false);
        if (await AnswerAsync(NodeReport.Kind, timeout).ConfigureAwait(false) is { } line)
            LastReport = NodeReport.Parse(line);
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Sends a signal with the OS's <c>kill</c> (<c>STOP</c> pauses the process, <c>CONT</c> resumes it).</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", $"{_process.Id}"]);
        kill.WaitForExit();
        if (kill.ExitCode != 0)
            throw new SoakException($"kill -{signal} {_process.Id} ({Name}) failed with {kill.ExitCode}");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
                Kill(); // SIGKILL ends a paused (SIGSTOP) process too
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }

    private async Task<string?> AskAsync(string command, string kind, TimeSpan timeout)
    {
        if (_process.HasExited)
            return null;
        try
        {
            await _process.StandardInput.WriteLineAsync(command).ConfigureAwait(false);
        }
        catch (IOException)
        {
            return null; // exited meanwhile
        }
        return await AnswerAsync(kind, timeout).ConfigureAwait(false);
    }

    /// <summary>The next answer of <paramref name="kind"/>; answers of other kinds before it (late ones) are skipped.</summary>
    private async Task<string?> AnswerAsync(string kind, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var line = await _answers.Reader.ReadAsync(cancel.Token).ConfigureAwait(false);
                if (line.StartsWith(kind + " ", StringComparison.Ordinal) || line == kind)
                    return line;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            return null;
        }
    }

    private void Received(string? line)
    {
        if (line is null)
            _answers.Writer.TryComplete(); // the output ended: no answer will come
        else if (line.StartsWith(SoakNode.Prefix, StringComparison.Ordinal))
            _answers.Writer.TryWrite(line[SoakNode.Prefix.Length..]);
        else
            Logged(line);
    }

    private void Logged(string? line)
    {
        if (line is null)
            return;
        lock (_log)
        {
            _log.Enqueue(line);
            if (_log.Count > 20)
                _log.Dequeue();
        }
    }

    /// <summary>This program again: its apphost, or <c>dotnet</c> with its assembly when it was started that way.</summary>
    private static ProcessStartInfo SelfStart()
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("the process path is unknown");
        if (!Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            return new ProcessStartInfo(host);
        var start = new ProcessStartInfo(host);
        start.ArgumentList.Add(typeof(NodeProcess).Assembly.Location);
        return start;
    }
}

/// <summary>A soak that could not go on (a node that never came up, a signal that failed): reported as one line.</summary>
public sealed class SoakException(string message) : Exception(message);
