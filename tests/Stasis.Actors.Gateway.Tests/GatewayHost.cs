using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stasis.Actors.Hosting;

namespace Stasis.Actors.Gateway.Tests;

/// <summary>A payload of the specs: a sequence number and padding.</summary>
public sealed record Beat(int Seq, string Padding = "");

/// <summary>A real Kestrel server on 127.0.0.1 (a free port) with the bus and the gateway mapped.</summary>
public sealed class GatewayHost : IAsyncDisposable
{
    public const string Token = "spec-token";
    public const string AmiUser = "spec";
    public const string AmiSecret = "spec-secret";

    private readonly WebApplication _app;

    private GatewayHost(WebApplication app)
    {
        _app = app;
        Bus = app.Services.GetRequiredService<StasisBus>();
        Gateway = app.Services.GetRequiredService<StasisGateway>();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        HttpBase = new Uri(address);
        WebSocketBase = new Uri(address.Replace("http://", "ws://", StringComparison.Ordinal));
        All = Bus.CreateTopic("channel:all");
        BeatType = Bus.CreateMessageType("beat", new MessageTypeFormatters<Beat>
        {
            ToJson = (m, _) => new JsonObject { ["type"] = "Beat", ["seq"] = m.Payload.Seq, ["padding"] = m.Payload.Padding },
            ToAmi = m => new AmiEvent("Beat", [new("Seq", m.Payload.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture))]),
        });
        SilentType = Bus.CreateMessageType<Beat>("silent"); // no formatter: never on the wire
    }

    public StasisBus Bus { get; }

    public StasisGateway Gateway { get; }

    public Uri HttpBase { get; }

    public Uri WebSocketBase { get; }

    public Topic All { get; }

    public MessageType<Beat> BeatType { get; }

    public MessageType<Beat> SilentType { get; }

    public static async Task<GatewayHost> StartAsync(Action<StasisGatewayOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddStasis("gateway-spec-" + Guid.NewGuid().ToString("N")[..8]);
        builder.Services.AddStasisGateway(o =>
        {
            o.Token = Token;
            o.AmiUsername = AmiUser;
            o.AmiSecret = AmiSecret;
            o.AmiPort = FreePort();
            configure?.Invoke(o);
        });
        var app = builder.Build();
        app.UseWebSockets();
        app.MapStasisGateway();
        await app.StartAsync();
        return new GatewayHost(app);
    }

    public Uri Events(params string[] topics) =>
        new(WebSocketBase, "/events?" + string.Join("&", topics.Select(t => "topic=" + Uri.EscapeDataString(t))) + "&token=" + Token);

    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
