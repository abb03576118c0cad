using Stasis.Benchmarks.Workloads;

namespace Stasis.Benchmarks.Quick;

/// <summary>Goals for the router and the caching topic (issue 3).</summary>
public static class ExtraGoals
{
    public static IReadOnlyList<Goal> All =>
    [
        new ThroughputGoal("router-10-routes-vs-publish-1", 0.8, c => new StasisRouterWorkload(c.Bus), c => new StasisPublishWorkload(c.Bus, 1)),
        new ThroughputGoal("caching-topic-update-vs-publish-1", 0.5, c => new StasisCachingWorkload(c.Bus), c => new StasisPublishWorkload(c.Bus, 1)),
    ];
}
