namespace Stasis.Benchmarks.Quick;

/// <summary>Goals for the router and the caching topic (issue 3), added when those features exist on this branch.</summary>
public static class ExtraGoals
{
    public static IReadOnlyList<Goal> All => [];
}
