using System.Globalization;
using Stasis.Cluster.Soak;

// The multi-process cluster soak: `run` orchestrates node processes (this program in `node` mode); see SoakRun.
//   run [--seed N] [--nodes K] [--duration SECONDS] [--stable-after SECONDS] [--plant skip-purge|duplicate|reorder] [--faults kill,stop,pause] [--short]
//   node --port P --seed-port S [--stable-after SECONDS] [--plant KIND]
const string Usage = "usage: run [--seed N] [--nodes 3-5] [--duration SECONDS] [--stable-after SECONDS] [--plant skip-purge|duplicate|reorder] [--faults kill,stop,pause] [--short]";

if (args is not [var mode, .. var rest] || mode is not ("run" or "node"))
{
    Console.Error.WriteLine(Usage);
    return 2;
}
var values = new Dictionary<string, string>();
for (var i = 0; i < rest.Length; i++)
{
    if (rest[i] == "--short")
        values["short"] = "";
    else if (rest[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < rest.Length)
        values[rest[i][2..]] = rest[++i];
    else
    {
        Console.Error.WriteLine($"soak: unexpected '{rest[i]}'; {Usage}");
        return 2;
    }
}

try
{
    var isShort = values.Remove("short");
    var stableAfter = Number("stable-after", 5, 1, 60);
    var plant = values.Remove("plant", out var p)
        ? Enum.TryParse<Plant>(p.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var planted)
            ? planted
            : throw new ArgumentException($"--plant: '{p}' is not none, skip-purge, duplicate or reorder")
        : Plant.None;
    if (mode == "node")
        return SoakNode.Run(Number("port", 0, 1, 65535), Number("seed-port", 0, 1, 65535), stableAfter, plant);
    var options = new SoakOptions(Number("seed", 1, 0, int.MaxValue), Number("nodes", isShort ? 3 : 4, 3, 5),
        TimeSpan.FromSeconds(Number("duration", isShort ? 20 : 60, 0, 86_400)), stableAfter, plant,
        values.Remove("faults", out var faults) ? [.. faults.Split(',').Select(ParseFault)] : null);
    if (values.Keys.FirstOrDefault() is { } unknown)
        throw new ArgumentException($"unknown option --{unknown}; {Usage}");
    return await new SoakRun(options, Console.Out).RunAsync();
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"soak: {e.Message}");
    return 2;
}

static Fault ParseFault(string text) =>
    Enum.TryParse<Fault>(text, ignoreCase: true, out var fault) && Enum.IsDefined(fault)
        ? fault
        : throw new ArgumentException($"--faults: '{text}' is not kill, stop or pause");

int Number(string key, int fallback, int min, int max)
{
    if (!values.Remove(key, out var text))
        return fallback > 0 || min == 0 ? fallback : throw new ArgumentException($"--{key} is required");
    return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
        ? n
        : throw new ArgumentException($"--{key}: '{text}' is not a whole number from {min} to {max}");
}
