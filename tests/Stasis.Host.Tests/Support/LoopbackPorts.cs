using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Stasis.Host.Tests.Support;

/// <summary>Ports the operating system just handed out on 127.0.0.1, for hosts the specs start.</summary>
public static class LoopbackPorts
{
    /// <summary>Two free ports, held together while chosen, so they differ.</summary>
    public static (int First, int Second) Pair()
    {
        var a = new TcpListener(IPAddress.Loopback, 0);
        var b = new TcpListener(IPAddress.Loopback, 0);
        a.Start();
        b.Start();
        var ports = (((IPEndPoint)a.LocalEndpoint).Port, ((IPEndPoint)b.LocalEndpoint).Port);
        a.Stop();
        b.Stop();
        return ports;
    }

    /// <summary>A port as a command-line argument.</summary>
    public static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);
}
