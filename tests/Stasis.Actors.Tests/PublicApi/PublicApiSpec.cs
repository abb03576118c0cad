namespace Stasis.Actors.Tests.PublicApi;

public sealed class PublicApiSpec
{
    [Fact]
    public void Public_api_matches_the_approved_listing() =>
        Shared.PublicApiListing.AssertApproved(typeof(StasisBus).Assembly, "Stasis.Actors.approved.txt");

    [Fact]
    public void TestKit_public_api_matches_the_approved_listing() =>
        Shared.PublicApiListing.AssertApproved(typeof(Stasis.Actors.TestKit.StasisProbe).Assembly, "Stasis.Actors.TestKit.approved.txt");

    [Fact]
    public void OpenTelemetry_public_api_matches_the_approved_listing() =>
        Shared.PublicApiListing.AssertApproved(typeof(Stasis.Actors.OpenTelemetry.StasisInstrumentationExtensions).Assembly, "Stasis.Actors.OpenTelemetry.approved.txt");
}
