using Collector.Stick.Device;

// wmi-probe NAMESPACE WQL PROPERTY [NAMESPACE WQL PROPERTY]...: each query through one
// WmiSession, as collect asks WMI for the hash and then the BIOS serial. Prints PROPERTY=value
// per query (value <null> when WMI gave none); a failed query prints WMI's message on stderr and
// the probe exits 3.
if (args.Length == 0 || args.Length % 3 != 0)
{
    Console.Error.WriteLine("usage: wmi-probe NAMESPACE WQL PROPERTY [NAMESPACE WQL PROPERTY]...");
    return 1;
}

if (!OperatingSystem.IsWindows())
{
    Console.Error.WriteLine("wmi-probe: WMI exists only on Windows");
    return 1;
}

try
{
    using var session = WmiSession.Open();
    for (var i = 0; i < args.Length; i += 3)
    {
        Console.WriteLine($"{args[i + 2]}={session.QueryFirst(args[i], args[i + 1], args[i + 2]) ?? "<null>"}");
    }

    return 0;
}
catch (WmiQueryException e)
{
    Console.Error.WriteLine($"wmi-probe: {e.Message}");
    return 3;
}
