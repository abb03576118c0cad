using Stasis.Actors;
using Stasis.Benchmarks.Workloads;

namespace Stasis.Benchmarks.Quick;

/// <summary>Goals for the router, formatter filters and the caching topic.</summary>
public static class ExtraGoals
{
    public static IReadOnlyList<Goal> All =>
    [
        new ThroughputGoal("router-10-routes-vs-publish-1", 0.8, c => new StasisRouterWorkload(c.Bus), c => new StasisPublishWorkload(c.Bus, 1)),
        new ThroughputGoal("router-by-message-type-10-routes-vs-publish-1", 0.8, c => new StasisRouterWorkload(c.Bus, byMessageType: true), c => new StasisPublishWorkload(c.Bus, 1)),
        // Both filters index the subscription by the message types they take, so a publish costs the same: noise around 1.
        new ThroughputGoal("publish-formatter-filter-vs-type-filter", 0.9,
            c => new StasisPublishWorkload(c.Bus, 1, options: new() { AcceptFormatters = MessageFormatters.Json }, type: StasisBench.JsonPingType(c.Bus)),
            c => new StasisPublishWorkload(c.Bus, 1, options: new() { AcceptOnly = [StasisBench.JsonPingType(c.Bus)] }, type: StasisBench.JsonPingType(c.Bus))),
        new ThroughputGoal("caching-topic-update-vs-publish-1", 0.8, c => new StasisCachingWorkload(c.Bus), c => new StasisPublishWorkload(c.Bus, 1)),
        // The gateway against the same JSON sent over raw WebSockets from a loop, to local clients (deliveries = frames received).
        new ThroughputGoal("gateway-websocket-1-vs-raw-websocket-1", 0.8, c => new GatewayWebSocketWorkload(c.Bus, 1), c => new RawWebSocketWorkload(1)),
        new ThroughputGoal("gateway-websocket-50-vs-raw-websocket-50", 0.8, c => new GatewayWebSocketWorkload(c.Bus, 50), c => new RawWebSocketWorkload(50)),
    ];
}
