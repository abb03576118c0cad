using System.Globalization;
using System.Text;
using Akka.Configuration;
using Microsoft.Extensions.Configuration;
using Stasis.Actors.Configuration;

namespace Stasis.Actors.Hosting;

/// <summary>
/// Code-side overrides of the bus's <c>stasis { }</c> settings, for <see cref="StasisHostingExtensions.WithStasis(Akka.Hosting.AkkaConfigurationBuilder, Action{StasisOptions})"/>.
/// Every property left null keeps the value from HOCON (the application's, else the library's embedded defaults).
/// </summary>
public sealed record StasisOptions
{
    /// <summary>The configuration section <see cref="StasisHostingExtensions.AddStasis"/> binds: <c>"Stasis"</c>.</summary>
    public const string SectionName = "Stasis";

    /// <summary>The local node's entity id (<c>stasis.eid</c>).</summary>
    public string? Eid { get; set; }

    /// <summary>Message type names this node declines (<c>stasis.declined-message-types</c>).</summary>
    public IReadOnlyCollection<string>? DeclinedMessageTypes { get; set; }

    /// <summary>Queue length at which a subscription is reported congested (<c>stasis.subscription.high-water-mark</c>).</summary>
    public int? HighWaterMark { get; set; }

    /// <summary>Queue length at which a congested subscription is reported recovered (<c>stasis.subscription.low-water-mark</c>).</summary>
    public int? LowWaterMark { get; set; }

    /// <summary>What happens when a handler throws (<c>stasis.subscription.failure-policy</c>).</summary>
    public FailurePolicy? FailurePolicy { get; set; }

    /// <summary>The dispatcher that runs subscription handlers (<c>stasis.subscription.dispatcher</c>).</summary>
    public string? Dispatcher { get; set; }

    /// <summary>How messages are stamped with their creation time (<c>stasis.message-clock</c>).</summary>
    public MessageClockKind? MessageClock { get; set; }

    /// <summary>The number of actors that run pooled subscriptions (<c>stasis.subscription.pool.size</c>; 0: the number of processors).</summary>
    public int? PoolSize { get; set; }

    /// <summary>
    /// Sets the properties named by <paramref name="section"/>'s keys (case-insensitive, as .NET configuration binding
    /// does); keys absent from the section leave their property as it is.
    /// </summary>
    /// <param name="section">A <c>"Stasis"</c> section, e.g. from appsettings.json: <c>{ "Stasis": { "HighWaterMark": 1000 } }</c>.</param>
    /// <exception cref="InvalidOperationException">A key is unknown or its value cannot be read; the message names the key.</exception>
    public void BindFrom(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var path = section is IConfigurationSection s ? s.Path : SectionName;
        try
        {
            section.Bind(this, binder => binder.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"Configuration section '{path}': {e.Message}", e);
        }
    }

    /// <summary>The options as HOCON: only the keys that are set, or an empty config.</summary>
    public Config ToHocon()
    {
        var hocon = new StringBuilder();
        if (Eid is not null)
            hocon.Append("stasis.eid = ").AppendLine(Quote(Eid));
        if (DeclinedMessageTypes is not null)
            hocon.Append("stasis.declined-message-types = [").AppendJoin(", ", DeclinedMessageTypes.Select(Quote)).AppendLine("]");
        if (HighWaterMark is { } high)
            hocon.Append("stasis.subscription.high-water-mark = ").AppendLine(high.ToString(CultureInfo.InvariantCulture));
        if (LowWaterMark is { } low)
            hocon.Append("stasis.subscription.low-water-mark = ").AppendLine(low.ToString(CultureInfo.InvariantCulture));
        if (FailurePolicy is { } policy)
            hocon.Append("stasis.subscription.failure-policy = ").AppendLine(policy.ToString().ToLowerInvariant());
        if (Dispatcher is not null)
            hocon.Append("stasis.subscription.dispatcher = ").AppendLine(Quote(Dispatcher));
        if (MessageClock is { } clock)
            hocon.Append("stasis.message-clock = ").AppendLine(clock.ToString().ToLowerInvariant());
        if (PoolSize is { } poolSize)
            hocon.Append("stasis.subscription.pool.size = ").AppendLine(poolSize.ToString(CultureInfo.InvariantCulture));
        return hocon.Length == 0 ? Config.Empty : ConfigurationFactory.ParseString(hocon.ToString());
    }

    private static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
