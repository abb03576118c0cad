using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Stasis.Host.Tests.Support;

/// <summary>
/// Debian's Chromium, headless, driven over the DevTools protocol (a WebSocket): navigate, evaluate JavaScript, take
/// a screenshot. Installs the <c>chromium</c> package first when it is missing and the tests run as root with apt
/// (as on CI); otherwise fails with one line saying what to install.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _page;
    private int _nextId;

    private HeadlessChromium(Process process, string profile, ClientWebSocket page) => (_process, _profile, _page) = (process, profile, page);

    public static async Task<HeadlessChromium> LaunchAsync(Uri url)
    {
        var executable = await FindOrInstallAsync();
        var profile = Directory.CreateTempSubdirectory("stasis-chromium-").FullName;
        var start = new ProcessStartInfo(executable,
            ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--window-size=1280,860",
             "--remote-debugging-port=0", $"--user-data-dir={profile}", url.ToString()])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        // Chromium announces its DevTools endpoint on stderr: "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/..."
        string? browser = null;
        while (browser is null && await process.StandardError.ReadLineAsync().WaitAsync(Patience) is { } line)
        {
            if (line.StartsWith("DevTools listening on ", StringComparison.Ordinal))
                browser = line["DevTools listening on ".Length..].Trim();
        }
        _ = process.StandardError.ReadToEndAsync();
        if (browser is null)
            throw new InvalidOperationException($"{executable} exited without a DevTools endpoint (exit code {process.ExitCode})");
        var endpoint = new Uri(browser);
        using var http = new HttpClient();
        var targets = JsonNode.Parse(await http.GetStringAsync($"http://{endpoint.Authority}/json/list"))!.AsArray();
        var page = targets.First(t => (string?)t!["type"] == "page")!;
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri((string)page["webSocketDebuggerUrl"]!), CancellationToken.None).WaitAsync(Patience);
        return new HeadlessChromium(process, profile, socket);
    }

    /// <summary>The value of a JavaScript expression in the page (returned by value; a promise is awaited).</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
                return result["result"]?["value"];
            }
            catch (InvalidOperationException ex) when (attempt < 200 && (ex.Message.Contains("context was destroyed", StringComparison.Ordinal)
                                                                         || ex.Message.Contains("Cannot find default execution context", StringComparison.Ordinal)))
            {
                // The page navigated (from its first blank document to the URL) under the evaluation, or its new document
                // has no context yet (a loaded machine): ask again shortly, for up to about 20 s.
                await Task.Delay(100);
            }
        }
    }

    /// <summary>A PNG of the page as shown.</summary>
    public async Task<byte[]> ScreenshotAsync()
    {
        var result = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" });
        return Convert.FromBase64String((string)result["data"]!);
    }

    private async Task<JsonNode> SendAsync(string method, JsonObject parameters)
    {
        var id = ++_nextId;
        var request = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        await _page.SendAsync(Encoding.UTF8.GetBytes(request.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[1 << 20];
        using var message = new MemoryStream();
        while (true)
        {
            var received = await _page.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Patience);
            message.Write(buffer, 0, received.Count);
            if (!received.EndOfMessage)
                continue;
            var reply = JsonNode.Parse(message.ToArray())!;
            message.SetLength(0);
            if ((int?)reply["id"] != id)
                continue; // an event of the page, not our answer
            if (reply["error"] is { } error)
                throw new InvalidOperationException($"DevTools {method}: {error.ToJsonString()}");
            return reply["result"]!;
        }
    }

    private static async Task<string> FindOrInstallAsync()
    {
        const string path = "/usr/bin/chromium";
        await InstallLock.WaitAsync();
        try
        {
            if (File.Exists(path))
                return path;
            if (Environment.UserName == "root" && File.Exists("/usr/bin/apt-get"))
            {
                await RunAsync("apt-get", "update");
                await RunAsync("apt-get", "install", "-y", "chromium");
            }
            return File.Exists(path)
                ? path
                : throw new InvalidOperationException("Debian's chromium is needed for the dashboard spec: apt-get install chromium");
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(10));
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await error}{await output}");
    }

    public async ValueTask DisposeAsync()
    {
        _page.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
