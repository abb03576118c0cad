using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Stasis.Actors;
using Stasis.Actors.Hosting;

namespace Stasis.Host.Tests;

public sealed class StasisHostingSpec
{
    [Fact]
    public async Task AddStasis_hosts_the_bus_in_the_actor_system_and_registers_it_as_a_service()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddStasis("hosting-spec", configureStasis: o => o.Eid = "02:00:00:00:00:07");
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var bus = host.Services.GetRequiredService<StasisBus>();

            Assert.Same(StasisBus.Get(host.Services.GetRequiredService<ActorSystem>()), bus);
            Assert.Equal("02:00:00:00:00:07", bus.Eid.Value);
            Assert.Contains(typeof(StasisBusProvider).FullName!, string.Join(",", bus.System.Settings.Config.GetStringList("akka.extensions")));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public void Options_become_hocon_with_only_the_keys_set()
    {
        var hocon = new StasisOptions { HighWaterMark = 1000, DeclinedMessageTypes = ["a", "b\"c"], MessageClock = Stasis.Actors.Configuration.MessageClockKind.Precise }.ToHocon();

        Assert.Equal(1000, hocon.GetInt("stasis.subscription.high-water-mark"));
        Assert.Equal("precise", hocon.GetString("stasis.message-clock"));
        Assert.Equal(["a", "b\"c"], hocon.GetStringList("stasis.declined-message-types"));
        Assert.False(hocon.HasPath("stasis.eid"));
        Assert.True(new StasisOptions().ToHocon().IsEmpty);
    }
}
