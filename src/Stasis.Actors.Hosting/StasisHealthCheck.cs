using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Stasis.Actors.Hosting;

/// <summary>
/// Reports the bus's health: <see cref="HealthStatus.Unhealthy"/> while the actor system shuts down (or after),
/// <see cref="HealthStatus.Degraded"/> while overloaded (a subscription is above its high-water mark; nothing is dropped,
/// but it lags), else <see cref="HealthStatus.Healthy"/>. The data carries the congested subscriptions' count. Cheap enough for a liveness probe: no snapshot of every subscription is taken.
/// </summary>
public sealed class StasisHealthCheck : IHealthCheck
{
    private readonly StasisBus _bus;

    /// <summary>Creates the check for <paramref name="bus"/>.</summary>
    /// <param name="bus">The bus to report on.</param>
    public StasisHealthCheck(StasisBus bus) => _bus = bus ?? throw new ArgumentNullException(nameof(bus));

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["bus"] = _bus.System.Name,
            ["congested_subscriptions"] = _bus.CongestedSubscriptionCount,
        };
        HealthCheckResult result;
        if (_bus.IsShuttingDown || _bus.System.WhenTerminated.IsCompleted || CoordinatedShutdown.Get(_bus.System).ShutdownReason is not null)
            result = new HealthCheckResult(context.Registration.FailureStatus, $"bus {_bus.System.Name} is shutting down", data: data);
        else if (_bus.IsOverloaded)
            result = HealthCheckResult.Degraded($"bus {_bus.System.Name} is overloaded: {_bus.CongestedSubscriptionCount} subscription(s) above their high-water mark", data: data);
        else
            result = HealthCheckResult.Healthy($"bus {_bus.System.Name} is running", data);
        return Task.FromResult(result);
    }
}

/// <summary>Registers <see cref="StasisHealthCheck"/> with ASP.NET Core / Microsoft.Extensions health checks.</summary>
public static class StasisHealthCheckExtensions
{
    /// <summary>
    /// Adds the bus's health check (<c>services.AddHealthChecks().AddStasis()</c>); it needs <see cref="StasisBus"/>
    /// in DI (<see cref="StasisHostingExtensions.AddStasis"/> or <see cref="StasisHostingExtensions.AddStasisBus"/>).
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="failureStatus">The status while shutting down; <see cref="HealthStatus.Unhealthy"/> when null.</param>
    /// <param name="tags">Tags to filter checks by (e.g. <c>"live"</c>, <c>"ready"</c>).</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static IHealthChecksBuilder AddStasis(this IHealthChecksBuilder builder, string name = "stasis",
        HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(name,
            provider => new StasisHealthCheck(provider.GetRequiredService<StasisBus>()), failureStatus, tags));
    }
}
