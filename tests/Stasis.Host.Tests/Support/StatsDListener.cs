using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Stasis.Host.Tests.Support;

/// <summary>A StatsD server for tests: a UDP socket on 127.0.0.1 (a free port) that keeps every packet it receives.</summary>
public sealed class StatsDListener : IDisposable
{
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly ConcurrentQueue<byte[]> _packets = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;
    private int _lines;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _target = int.MaxValue;

    public StatsDListener()
    {
        _udp.Client.ReceiveBufferSize = 4 * 1024 * 1024;
        _receiving = Task.Run(ReceiveAsync);
    }

    public int Port => ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;

    public string Endpoint => $"127.0.0.1:{Port}";

    public IReadOnlyList<byte[]> Packets => [.. _packets];

    public IReadOnlyList<string> Lines => Packets.SelectMany(p => Encoding.UTF8.GetString(p).Split('\n')).ToList();

    /// <summary>Completes once at least <paramref name="count"/> lines arrived (faults after <paramref name="timeout"/>).</summary>
    public Task WaitForLinesAsync(long count, TimeSpan timeout)
    {
        lock (_packets)
        {
            _target = (int)count;
            if (_lines >= _target)
                return Task.CompletedTask;
            _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _reached.Task.WaitAsync(timeout);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _udp.Dispose();
        try
        {
            _receiving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // the socket was closed under the pending receive
        }
    }

    private async Task ReceiveAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult result;
            try
            {
                result = await _udp.ReceiveAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _packets.Enqueue(result.Buffer);
            lock (_packets)
            {
                _lines += Encoding.UTF8.GetString(result.Buffer).Split('\n').Length;
                if (_lines >= _target)
                    _reached.TrySetResult();
            }
        }
    }
}
