namespace Stasis.Host.Tests.PublicApi;

public sealed class PublicApiSpec
{
    [Fact]
    public void Hosting_package_public_api_matches_the_approved_listing() =>
        Stasis.Actors.Tests.Shared.PublicApiListing.AssertApproved(typeof(Stasis.Actors.Hosting.StasisHostingExtensions).Assembly, "Stasis.Actors.Hosting.approved.txt");
}
