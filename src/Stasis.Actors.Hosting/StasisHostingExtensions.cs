using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Stasis.Actors.Configuration;

namespace Stasis.Actors.Hosting;

/// <summary>
/// Registers the Stasis message bus with an Akka.Hosting (<c>Microsoft.Extensions.Hosting</c>) application.
/// </summary>
/// <remarks>
/// <para>Two lines host the bus in any .NET service:</para>
/// <code>
/// var builder = Host.CreateApplicationBuilder(args);
/// builder.Services.AddStasis("pbx");          // an ActorSystem with the bus, and StasisBus in DI
/// </code>
/// <para>or, inside an existing <c>AddAkka</c> call, <c>akka.WithStasis()</c> plus <c>services.AddStasisBus()</c> (Akka.Hosting
/// runs the <c>AddAkka</c> callback only when the actor system starts, after the service container is built, so
/// <c>WithStasis</c> itself cannot add services). The bus is started with the actor system
/// (an Akka extension), so it exists before any actor started by <c>WithActors</c>/<c>StartActors</c> runs. It is
/// shut down by the actor system's coordinated shutdown, which the hosted service runs when the host stops: every live
/// subscription then receives its queued messages and its final message.</para>
/// <para>Configuration precedence, highest first: <see cref="StasisOptions"/> set in code, the <c>"Stasis"</c> section of
/// the application's <see cref="IConfiguration"/> (appsettings.json, environment variables <c>Stasis__HighWaterMark</c>,
/// command line), the application's own HOCON (<c>AddHocon</c>), the library's embedded <c>stasis.conf</c> defaults.</para>
/// </remarks>
public static class StasisHostingExtensions
{
    /// <summary>
    /// Adds the bus to the actor system being configured: the embedded <c>stasis { }</c> defaults as a fallback,
    /// <paramref name="configure"/>'s overrides in front, and the bus extension started with the system.
    /// </summary>
    /// <param name="builder">The Akka.Hosting builder.</param>
    /// <param name="configure">Optional code-side settings.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static AkkaConfigurationBuilder WithStasis(this AkkaConfigurationBuilder builder, Action<StasisOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new StasisOptions();
        configure?.Invoke(options);
        builder.AddHocon(StasisSettings.DefaultConfig, HoconAddMode.Append);
        var overrides = options.ToHocon();
        if (!overrides.IsEmpty)
            builder.AddHocon(overrides, HoconAddMode.Prepend);
        return builder.WithExtension<StasisBusProvider>();
    }

    /// <summary>
    /// Adds the bus to the actor system being configured, with settings bound from <paramref name="configuration"/>
    /// (a <c>"Stasis"</c> section: keys named as the properties of <see cref="StasisOptions"/>), then
    /// <paramref name="configure"/>'s code-side overrides.
    /// </summary>
    /// <param name="builder">The Akka.Hosting builder.</param>
    /// <param name="configuration">The <c>"Stasis"</c> configuration section (e.g. <c>config.GetSection("Stasis")</c>).</param>
    /// <param name="configure">Optional code-side settings, applied after the section.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="InvalidOperationException">A value in the section cannot be read (the message names the key).</exception>
    public static AkkaConfigurationBuilder WithStasis(this AkkaConfigurationBuilder builder, IConfiguration configuration, Action<StasisOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return builder.WithStasis(options =>
        {
            options.BindFrom(configuration);
            configure?.Invoke(options);
        });
    }

    /// <summary>
    /// Registers <see cref="StasisBus"/> as a singleton service, taken from the application's <see cref="ActorSystem"/>:
    /// call it beside your own <c>AddAkka(..., akka =&gt; akka.WithStasis())</c>. <see cref="AddStasis"/> does it for you.
    /// Calling it twice registers the bus once.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddStasisBus(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(provider => StasisBus.Get(provider.GetRequiredService<ActorSystem>()));
        return services;
    }

    /// <summary>
    /// Adds an actor system named <paramref name="actorSystemName"/> hosting the bus (see <see cref="WithStasis(AkkaConfigurationBuilder, Action{StasisOptions})"/>), and
    /// registers its <see cref="StasisBus"/> as a singleton service. Settings come from the <c>"Stasis"</c> section of the
    /// application's <see cref="IConfiguration"/> when there is one, then from <paramref name="configureStasis"/>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="actorSystemName">The actor system's name.</param>
    /// <param name="configure">Optional further configuration of the actor system (HOCON, actors, ...).</param>
    /// <param name="configureStasis">Optional code-side bus settings.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddStasis(
        this IServiceCollection services,
        string actorSystemName,
        Action<AkkaConfigurationBuilder, IServiceProvider>? configure = null,
        Action<StasisOptions>? configureStasis = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddAkka(actorSystemName, (akka, provider) =>
        {
            var configuration = provider.GetService<IConfiguration>();
            if (configuration is null)
                akka.WithStasis(configureStasis);
            else
                akka.WithStasis(configuration.GetSection(StasisOptions.SectionName), configureStasis);
            configure?.Invoke(akka, provider);
        });
        return services.AddStasisBus();
    }
}
