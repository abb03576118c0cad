using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Stasis.Host.StatsD;

/// <summary>
/// Sends StatsD lines over UDP, batched: lines are joined with '\n' into packets of at most
/// <see cref="MaxPacketSize"/> bytes, so a packet never splits a line.
/// </summary>
/// <remarks>
/// Thread-safe (one lock around the batch). Sending never throws: a failed send (no listener, network down) is counted
/// in <see cref="FailedPackets"/> and the first failure is reported through the callback given at construction.
/// </remarks>
internal sealed class StatsDClient : IDisposable
{
    private readonly Socket _socket;
    private readonly EndPoint _remote;
    private readonly byte[] _packet;
    private readonly Action<Exception> _onFirstFailure;
    private readonly object _lock = new();
    private int _length;
    private long _sentPackets;
    private long _sentLines;
    private long _failedPackets;

    private StatsDClient(Socket socket, EndPoint remote, int maxPacketSize, Action<Exception> onFirstFailure)
    {
        _socket = socket;
        _remote = remote;
        _packet = new byte[maxPacketSize];
        _onFirstFailure = onFirstFailure;
        MaxPacketSize = maxPacketSize;
    }

    /// <summary>The largest payload sent, in bytes.</summary>
    public int MaxPacketSize { get; }

    /// <summary>Packets sent.</summary>
    public long SentPackets => Interlocked.Read(ref _sentPackets);

    /// <summary>Lines sent.</summary>
    public long SentLines => Interlocked.Read(ref _sentLines);

    /// <summary>Packets whose send failed.</summary>
    public long FailedPackets => Interlocked.Read(ref _failedPackets);

    /// <summary>Resolves <paramref name="endpoint"/> (IPv4 preferred) and opens the UDP socket.</summary>
    /// <exception cref="SocketException">The host name does not resolve.</exception>
    public static StatsDClient Connect(StatsDEndpoint endpoint, int maxPacketSize, Action<Exception> onFirstFailure)
    {
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : Dns.GetHostAddresses(endpoint.Host);
        var address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.First();
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        return new StatsDClient(socket, new IPEndPoint(address, endpoint.Port), maxPacketSize, onFirstFailure);
    }

    /// <summary>Adds one line (without its '\n') to the batch; sends the batch first if the line would not fit.</summary>
    public void Write(string line)
    {
        var size = Encoding.UTF8.GetByteCount(line);
        if (size > MaxPacketSize)
            return; // a metric name this long is a bug upstream; dropping it keeps every packet valid
        lock (_lock)
        {
            var needed = _length == 0 ? size : _length + 1 + size;
            if (needed > MaxPacketSize)
                SendLocked();
            if (_length > 0)
                _packet[_length++] = (byte)'\n';
            _length += Encoding.UTF8.GetBytes(line, _packet.AsSpan(_length));
            Interlocked.Increment(ref _sentLines);
        }
    }

    /// <summary>Sends the lines batched so far.</summary>
    public void Flush()
    {
        lock (_lock)
            SendLocked();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Flush();
        _socket.Dispose();
    }

    private void SendLocked()
    {
        if (_length == 0)
            return;
        try
        {
            _socket.SendTo(_packet.AsSpan(0, _length), SocketFlags.None, _remote);
            Interlocked.Increment(ref _sentPackets);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            if (Interlocked.Increment(ref _failedPackets) == 1)
                _onFirstFailure(ex);
        }
        _length = 0;
    }
}
