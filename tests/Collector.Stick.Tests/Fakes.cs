using Collector.Stick.Device;

namespace Collector.Stick.Tests;

/// <summary>A device the test describes: which OS, elevated or not, and where its System32 is.</summary>
public sealed class FakePlatform(DeviceOs os, string systemDirectory) : IDevicePlatform
{
    public DeviceOs Os { get; set; } = os;

    public bool IsElevated { get; set; } = true;

    public string SystemDirectory { get; } = systemDirectory;

    public System.Runtime.InteropServices.Architecture ProcessArchitecture { get; set; } = System.Runtime.InteropServices.Architecture.X64;

    public System.Runtime.InteropServices.Architecture MachineArchitecture { get; set; } = System.Runtime.InteropServices.Architecture.X64;
}

/// <summary>WMI as the test wants it to answer: a reading, or a failure. Counts the questions.</summary>
public sealed class FakeWmi : IWmiHashSource
{
    public WmiReading? Reading { get; set; }

    public string? Failure { get; set; } = "WMI is not available in this test";

    public int Calls { get; private set; }

    public WmiReading Read()
    {
        Calls++;
        return Reading ?? throw new WmiUnavailableException(Failure!);
    }
}

/// <summary>
/// A keyboard on the test's manual clock: keys are pressed at chosen moments, and a wait that
/// sees no key moves the clock on by the whole wait, so a minute without a key passes at once.
/// <see cref="CanAsk"/> false stands for redirected input.
/// </summary>
public sealed class FakeKeyboard(Collector.Testing.ManualClock clock) : IKeyboard
{
    private readonly Queue<(DateTimeOffset At, char Key)> presses = new();

    public bool CanAsk { get; set; } = true;

    /// <summary>How many times collect waited for a key.</summary>
    public int Waits { get; private set; }

    /// <summary>Presses <paramref name="key"/> <paramref name="after"/> from now (by the clock), after any pressed before.</summary>
    public void Press(char key, TimeSpan after) => presses.Enqueue((clock.Now + after, key));

    public Task<char?> ReadKeyAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        Waits++;
        if (presses.TryPeek(out var next) && next.At <= clock.Now + wait)
        {
            presses.Dequeue();
            clock.Now = next.At > clock.Now ? next.At : clock.Now;
            return Task.FromResult<char?>(next.Key);
        }

        clock.Advance(wait);
        return Task.FromResult<char?>(null);
    }
}
