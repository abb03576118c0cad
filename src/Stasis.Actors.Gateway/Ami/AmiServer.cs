using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Stasis.Actors.Gateway.Ami;

/// <summary>
/// The AMI-compatible event port: a TCP listener (default 127.0.0.1:5038) running one <see cref="AmiConnection"/> per
/// client. Off when <see cref="StasisGatewayOptions.AmiPort"/> is 0.
/// </summary>
internal sealed class AmiServer(StasisGateway gateway) : BackgroundService
{
    private TcpListener? _listener;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (gateway.Options.AmiPort == 0)
            return Task.CompletedTask;
        // Bound here, not in ExecuteAsync, so a port in use fails the host's start with the listener's own error.
        _listener = new TcpListener(IPAddress.Parse(gateway.Options.AmiAddress), gateway.Options.AmiPort);
        _listener.Start();
        gateway.AmiPort = ((IPEndPoint)_listener.LocalEndpoint).Port;
        gateway.Log.LogInformation("Stasis gateway: AMI port listening on {Address}:{Port}", gateway.Options.AmiAddress, gateway.AmiPort);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var clients = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var client = await _listener!.AcceptTcpClientAsync(stoppingToken);
                clients.RemoveAll(t => t.IsCompleted);
                clients.Add(ServeAsync(client, stoppingToken));
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _listener!.Stop();
            await Task.WhenAll(clients);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken stoppingToken)
    {
        using (client)
        {
            if (!gateway.TryOpenAmi())
            {
                gateway.Log.LogWarning("Stasis gateway: AMI connection from {Remote} refused: {Max} connections open", client.Client.RemoteEndPoint, gateway.Options.MaxConnections);
                return;
            }
            try
            {
                await new AmiConnection(gateway, client).RunAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // The client went away: nothing to tell anyone.
            }
            catch (Exception ex)
            {
                gateway.Log.LogError(ex, "Stasis gateway: AMI connection from {Remote} failed", client.Client.RemoteEndPoint);
            }
            finally
            {
                gateway.CloseAmi();
            }
        }
    }
}
