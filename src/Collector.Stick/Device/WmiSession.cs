using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using System.Runtime.Versioning;

namespace Collector.Stick.Device;

/// <summary>
/// WMI through its COM API, the way Microsoft's "Getting WMI Data from the Local Computer"
/// example does it (learn.microsoft.com/windows/win32/wmisdk/example--getting-wmi-data-from-the-local-computer):
/// COM initialised, process security at impersonate level, <c>CoCreateInstance(CLSID_WbemLocator)</c>,
/// <c>ConnectServer</c>, the proxy blanket set, <c>ExecQuery</c> forward-only, <c>Next</c>, <c>Get</c>.
/// Every failure is a <see cref="WmiQueryException"/> carrying the HRESULT and what was being done.
/// </summary>
[SupportedOSPlatform("windows")]
public sealed partial class WmiSession : IDisposable
{
    private const int WbemFlagReturnImmediately = 0x10;
    private const int WbemFlagForwardOnly = 0x20;
    private const int WbemSTimedOut = 0x40004;
    private const int RpcETooLate = unchecked((int)0x80010119);
    private const int RpcEChangedMode = unchecked((int)0x80010106);

    private static readonly Guid ClsidWbemLocator = new("4590f811-1d3a-11d0-891f-00aa004b2e24");
    private static readonly Guid IidIWbemLocator = new("dc12a687-737f-11cf-884d-00aa004b2e24");
    private static readonly StrategyBasedComWrappers Wrappers = new();

    private readonly IWbemLocator locator;
    private readonly bool uninitialize;

    private WmiSession(IWbemLocator locator, bool uninitialize)
    {
        this.locator = locator;
        this.uninitialize = uninitialize;
    }

    /// <summary>How long <c>Next</c> waits for one result: the MDM bridge can take seconds, never minutes.</summary>
    public static TimeSpan ResultTimeout { get; } = TimeSpan.FromSeconds(60);

    public static WmiSession Open()
    {
        // S_OK and S_FALSE both need a CoUninitialize; a thread already in an STA (RPC_E_CHANGED_MODE)
        // can call WMI as it is.
        var init = CoInitializeEx(0, CoInitMultithreaded);
        if (init < 0 && init != RpcEChangedMode)
        {
            throw new WmiQueryException(init, "COM could not be initialised");
        }

        // Once per process, before the first call that crosses to the WMI service; RPC_E_TOO_LATE
        // means COM already chose the defaults, and the proxy blanket below covers the connection.
        var security = CoInitializeSecurity(0, -1, 0, 0, RpcCAuthnLevelDefault, RpcCImpLevelImpersonate, 0, EoacNone, 0);
        if (security < 0 && security != RpcETooLate)
        {
            Uninitialize(init);
            throw new WmiQueryException(security, "COM security could not be set");
        }

        var created = CoCreateInstance(ClsidWbemLocator, 0, ClsctxInprocServer, IidIWbemLocator, out var pointer);
        if (created < 0)
        {
            Uninitialize(init);
            throw new WmiQueryException(created, "WMI's locator (CLSID_WbemLocator) could not be created");
        }

        return new WmiSession(Wrap<IWbemLocator>(pointer), init >= 0);
    }

    /// <summary>
    /// The named <paramref name="property"/> of the first object <paramref name="wql"/> returns
    /// in <paramref name="namespacePath"/>: a string, or null when there is no object or the
    /// property is NULL. Throws <see cref="WmiQueryException"/>.
    /// </summary>
    public string? QueryFirst(string namespacePath, string wql, string property)
    {
        var services = Connect(namespacePath);
        try
        {
            var hr = services.ExecQuery("WQL", wql, WbemFlagForwardOnly | WbemFlagReturnImmediately, 0, out var results);
            if (hr < 0 || results is null)
            {
                throw new WmiQueryException(hr, $"the query '{wql}' failed in {namespacePath}");
            }

            try
            {
                return FirstProperty(results, namespacePath, wql, property);
            }
            finally
            {
                Release(results);
            }
        }
        finally
        {
            Release(services);
        }
    }

    public void Dispose()
    {
        Release(locator);
        if (uninitialize)
        {
            CoUninitialize();
        }
    }

    private IWbemServices Connect(string namespacePath)
    {
        var hr = locator.ConnectServer(namespacePath, null, null, null, 0, null, 0, out var pointer);
        if (hr < 0)
        {
            throw new WmiQueryException(hr, $"WMI could not open {namespacePath}");
        }

        // The WMI service is another process: its proxy must be allowed to impersonate us, or the
        // providers see an anonymous caller. An in-process WMI (Wine's) has no proxy and says
        // E_NOINTERFACE, which is fine: the query below reports any real refusal.
        _ = CoSetProxyBlanket(pointer, RpcCAuthnWinNT, RpcCAuthzNone, 0, RpcCAuthnLevelCall, RpcCImpLevelImpersonate, 0, EoacNone);
        return Wrap<IWbemServices>(pointer);
    }

    private static string? FirstProperty(IEnumWbemClassObject results, string namespacePath, string wql, string property)
    {
        var hr = results.Next((int)ResultTimeout.TotalMilliseconds, 1, out var item, out var returned);
        if (hr == WbemSTimedOut)
        {
            throw new WmiQueryException(hr, $"the query '{wql}' in {namespacePath} gave no answer within {ResultTimeout.TotalSeconds:0} s");
        }

        if (hr < 0)
        {
            throw new WmiQueryException(hr, $"the query '{wql}' failed in {namespacePath}");
        }

        if (returned == 0 || item is null) // WBEM_S_FALSE: the query found nothing
        {
            return null;
        }

        try
        {
            var got = item.Get(property, 0, out var value, 0, 0);
            if (got < 0)
            {
                // Nothing was written into the VARIANT: there is nothing to clear.
                throw new WmiQueryException(got, $"the property {property} could not be read from '{wql}' in {namespacePath}");
            }

            try
            {
                return value.Type switch
                {
                    Variant.Empty or Variant.Null => null,
                    Variant.BStr => Marshal.PtrToStringBSTR(value.Value),
                    _ => throw new WmiQueryException(WmiErrors.TypeMismatch, $"the property {property} of '{wql}' is of VARIANT type {value.Type}, not a string"),
                };
            }
            finally
            {
                _ = VariantClear(ref value);
            }
        }
        finally
        {
            Release(item);
        }
    }

    private static T Wrap<T>(nint pointer)
    {
        try
        {
            return (T)Wrappers.GetOrCreateObjectForComInstance(pointer, CreateObjectFlags.UniqueInstance);
        }
        finally
        {
            Marshal.Release(pointer); // the wrapper holds its own reference
        }
    }

    /// <summary>Releases the COM object now, not when the collector finalises its wrapper.</summary>
    private static void Release(object wrapper)
    {
        if (wrapper is ComObject com)
        {
            com.FinalRelease();
        }
    }

    private static void Uninitialize(int init)
    {
        if (init >= 0)
        {
            CoUninitialize();
        }
    }

    private const uint CoInitMultithreaded = 0;
    private const uint ClsctxInprocServer = 1;
    private const uint RpcCAuthnLevelDefault = 0;
    private const uint RpcCAuthnLevelCall = 3;
    private const uint RpcCImpLevelImpersonate = 3;
    private const uint RpcCAuthnWinNT = 10;
    private const uint RpcCAuthzNone = 0;
    private const uint EoacNone = 0;

    [LibraryImport("ole32.dll")]
    private static partial int CoInitializeEx(nint reserved, uint coInit);

    [LibraryImport("ole32.dll")]
    private static partial void CoUninitialize();

    [LibraryImport("ole32.dll")]
    private static partial int CoInitializeSecurity(
        nint securityDescriptor, int authServices, nint authServiceList, nint reserved1,
        uint authnLevel, uint impLevel, nint authList, uint capabilities, nint reserved3);

    [LibraryImport("ole32.dll")]
    private static partial int CoCreateInstance(in Guid clsid, nint outer, uint context, in Guid iid, out nint pointer);

    [LibraryImport("ole32.dll")]
    private static partial int CoSetProxyBlanket(
        nint proxy, uint authnService, uint authzService, nint principalName,
        uint authnLevel, uint impLevel, nint authInfo, uint capabilities);

    [LibraryImport("oleaut32.dll")]
    private static partial int VariantClear(ref Variant value);
}

/// <summary>A WMI call failed: <see cref="Exception.HResult"/> is WMI's code, the message says what was being done.</summary>
public sealed class WmiQueryException : Exception
{
    public WmiQueryException(int hresult, string what)
        : base($"{what} ({WmiErrors.Describe(hresult)})") => HResult = hresult;
}
