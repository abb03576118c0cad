using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Stasis.Actors.Gateway.Ami;
using Stasis.Actors.Gateway.Events;

namespace Stasis.Actors.Gateway;

/// <summary>
/// Puts the bus on the wire in an ASP.NET Core application:
/// <code>
/// builder.Services.AddStasis("pbx").AddStasisGateway(o => o.Token = "...");
/// var app = builder.Build();
/// app.UseWebSockets();
/// app.MapStasisGateway();     // GET / (dashboard), GET /events (WebSocket), GET /stats (JSON)
/// </code>
/// </summary>
public static class StasisGatewayExtensions
{
    /// <summary>
    /// Adds the gateway (<see cref="StasisGateway"/>) and, unless <see cref="StasisGatewayOptions.AmiPort"/> is 0, the AMI
    /// port as a hosted service. Needs <see cref="StasisBus"/> in DI (<c>AddStasis</c> or <c>AddStasisBus</c>).
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Settings: credentials, limits, the AMI port.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddStasisGateway(this IServiceCollection services, Action<StasisGatewayOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<StasisGatewayOptions>().Configure(o => configure?.Invoke(o));
        services.AddSingleton<StasisGateway>();
        services.AddHostedService<AmiServer>();
        return services;
    }

    /// <summary>
    /// Maps the dashboard (<c>GET {prefix}/</c>, a static page), the events WebSocket (<c>GET {prefix}/events?topic=...</c>)
    /// and the statistics (<c>GET {prefix}/stats</c>, JSON). Every route but the page needs the token. The application
    /// must call <c>UseWebSockets()</c> before.
    /// </summary>
    /// <param name="endpoints">The application's routes.</param>
    /// <param name="prefix">A path prefix, e.g. <c>/stasis</c>; empty for the root.</param>
    /// <returns>The group of the gateway's routes.</returns>
    public static RouteGroupBuilder MapStasisGateway(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(prefix);
        group.MapGet("/", () => Results.Content(Dashboard.Value, "text/html; charset=utf-8"));
        group.Map("/events", (HttpContext context, StasisGateway gateway) => EventsEndpoint.HandleAsync(context, gateway));
        group.MapGet("/stats", (HttpContext context, StasisGateway gateway) => Statistics(context, gateway));
        return group;
    }

    private static readonly Lazy<string> Dashboard = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Stasis.Actors.Gateway.dashboard.html")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    private static IResult Statistics(HttpContext context, StasisGateway gateway)
    {
        if (!gateway.Authorized(context.Request))
        {
            gateway.AuthFailed("GET /stats", context.Connection.RemoteIpAddress?.ToString());
            return Results.Text("a valid token is required\n", statusCode: StatusCodes.Status401Unauthorized);
        }
        var stats = gateway.Bus.GetStatistics();
        return Results.Json(new
        {
            bus = gateway.Bus.System.Name,
            takenAt = stats.TakenAt,
            overloaded = stats.IsOverloaded,
            shuttingDown = stats.IsShuttingDown,
            congestedSubscriptions = stats.CongestedSubscriptions,
            topics = stats.Topics.Count,
            subscriptions = stats.Subscriptions.Count,
            published = stats.Published,
            messageTypes = stats.MessageTypes.Select(t => new { name = t.Name, published = t.Published }),
            gateway = new
            {
                webSockets = gateway.WebSocketConnections,
                amiConnections = gateway.AmiConnections,
                framesSent = gateway.FramesSent,
                amiEventsSent = gateway.AmiEventsSent,
                authFailures = gateway.AuthFailures,
                overflows = gateway.Overflows,
            },
        });
    }
}
