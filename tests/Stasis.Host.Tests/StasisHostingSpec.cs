using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
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
        var hocon = new StasisOptions { HighWaterMark = 1000, DeclinedMessageTypes = ["a", "b\"c"], MessageClock = Stasis.Actors.Configuration.MessageClockKind.Precise, PoolSize = 4 }.ToHocon();

        Assert.Equal(1000, hocon.GetInt("stasis.subscription.high-water-mark"));
        Assert.Equal("precise", hocon.GetString("stasis.message-clock"));
        Assert.Equal(4, hocon.GetInt("stasis.subscription.pool.size"));
        Assert.Equal(["a", "b\"c"], hocon.GetStringList("stasis.declined-message-types"));
        Assert.False(hocon.HasPath("stasis.eid"));
        Assert.True(new StasisOptions().ToHocon().IsEmpty);
    }

    [Fact]
    public async Task WithStasis_inside_your_own_AddAkka_and_AddStasisBus_make_the_bus_injectable()
    {
        var builder = NewBuilder();
        builder.Services.AddAkka("with-stasis-spec", akka => akka.WithStasis(o => o.HighWaterMark = 123));
        builder.Services.AddStasisBus().AddStasisBus();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var bus = host.Services.GetRequiredService<StasisBus>();
            Assert.Same(StasisBus.Get(host.Services.GetRequiredService<ActorSystem>()), bus);
            Assert.Equal(123, bus.Settings.HighWaterMark);
            Assert.Single(builder.Services, d => d.ServiceType == typeof(StasisBus));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task AddStasis_binds_the_Stasis_section_of_appsettings_and_code_overrides_it()
    {
        var builder = NewBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Stasis:Eid"] = "02:00:00:00:00:08",
            ["Stasis:HighWaterMark"] = "1000",
            ["Stasis:LowWaterMark"] = "10",
            ["Stasis:FailurePolicy"] = "Stop",
            ["Stasis:DeclinedMessageTypes:0"] = "noisy_type",
        });
        builder.Services.AddStasis("appsettings-spec", configureStasis: o => o.LowWaterMark = 20);
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var settings = host.Services.GetRequiredService<StasisBus>().Settings;
            Assert.Equal("02:00:00:00:00:08", settings.Eid.Value);
            Assert.Equal(1000, settings.HighWaterMark);
            Assert.Equal(20, settings.LowWaterMark);
            Assert.Equal(Stasis.Actors.Configuration.FailurePolicy.Stop, settings.FailurePolicy);
            Assert.Contains("noisy_type", settings.DeclinedMessageTypes);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Theory]
    [InlineData("Stasis:HighWaterMrk", "1000", "HighWaterMrk")]
    [InlineData("Stasis:HighWaterMark", "lots", "Stasis:HighWaterMark")]
    public async Task A_bad_key_or_value_in_the_Stasis_section_fails_the_start_naming_it(string key, string value, string named)
    {
        var builder = NewBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });
        builder.Services.AddStasis("bad-appsettings-spec");
        using var host = builder.Build();
        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains(named, error.Message);
        Assert.Contains("Stasis", error.Message);
    }

    [Fact]
    public async Task The_health_check_is_healthy_then_degraded_while_congested_then_unhealthy_once_shutting_down()
    {
        var builder = NewBuilder();
        builder.Services.AddStasis("health-spec");
        builder.Services.AddHealthChecks().AddStasis(tags: ["live"]);
        using var host = builder.Build();
        await host.StartAsync();
        var health = host.Services.GetRequiredService<HealthCheckService>();
        var bus = host.Services.GetRequiredService<StasisBus>();
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);

        using var gate = new ManualResetEventSlim();
        var type = bus.CreateMessageType<string>("health_spec");
        var topic = bus.CreateTopic("health:spec");
        var slow = topic.Subscribe((s, t, m) => { if (m.Data is string) gate.Wait(); },
            new SubscriptionOptions { Name = "slow", HighWaterMark = 2 });
        for (var i = 0; i < 40; i++)
            topic.Publish(type, "m" + i);
        var degraded = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Equal(1, degraded.Entries["stasis"].Data["congested_subscriptions"]);
        Assert.Contains("overloaded", degraded.Entries["stasis"].Description);

        gate.Set();
        await slow.UnsubscribeAndJoinAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);

        await host.StopAsync();
        var stopped = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, stopped.Status);
        Assert.Contains("shutting down", stopped.Entries["stasis"].Description);
    }

    private static HostApplicationBuilder NewBuilder() =>
        Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
}
