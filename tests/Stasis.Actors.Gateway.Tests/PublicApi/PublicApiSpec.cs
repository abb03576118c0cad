namespace Stasis.Actors.Gateway.Tests.PublicApi;

public sealed class PublicApiSpec
{
    [Fact]
    public void Public_api_matches_the_approved_listing() =>
        Stasis.Actors.Tests.Shared.PublicApiListing.AssertApproved(typeof(StasisGateway).Assembly, "Stasis.Actors.Gateway.approved.txt");
}
