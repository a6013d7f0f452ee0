namespace Collector.Stick.Device;

/// <summary>
/// WMI's HRESULTs that a capture can meet, in words (WMI error constants,
/// learn.microsoft.com/windows/win32/wmisdk/wmi-error-constants), so a technician's screen and
/// a bug report say more than a number.
/// </summary>
public static class WmiErrors
{
    public const int Failed = unchecked((int)0x80041001);
    public const int AccessDenied = unchecked((int)0x80041003);
    public const int InvalidNamespace = unchecked((int)0x8004100E);
    public const int InvalidClass = unchecked((int)0x80041010);
    public const int ProviderLoadFailure = unchecked((int)0x80041013);
    public const int InvalidQuery = unchecked((int)0x80041017);
    public const int ComAccessDenied = unchecked((int)0x80070005);
    public const int ClassNotRegistered = unchecked((int)0x80040154);
    public const int ServerUnavailable = unchecked((int)0x800706BA);
    public const int TypeMismatch = unchecked((int)0x80020005);

    private static readonly Dictionary<int, string> Names = new()
    {
        [Failed] = "WBEM_E_FAILED, a generic failure",
        [AccessDenied] = "WBEM_E_ACCESS_DENIED",
        [InvalidNamespace] = "WBEM_E_INVALID_NAMESPACE, no such namespace",
        [InvalidClass] = "WBEM_E_INVALID_CLASS, no such class",
        [ProviderLoadFailure] = "WBEM_E_PROVIDER_LOAD_FAILURE",
        [InvalidQuery] = "WBEM_E_INVALID_QUERY",
        [unchecked((int)0x80041002)] = "WBEM_E_NOT_FOUND",
        [unchecked((int)0x8004100C)] = "WBEM_E_NOT_SUPPORTED",
        [unchecked((int)0x80041014)] = "WBEM_E_INITIALIZATION_FAILURE",
        [0x40004] = "WBEM_S_TIMEDOUT",
        [ComAccessDenied] = "E_ACCESSDENIED",
        [ClassNotRegistered] = "REGDB_E_CLASSNOTREG: WMI is not installed",
        [ServerUnavailable] = "RPC_S_SERVER_UNAVAILABLE: the WMI service is not running",
        [TypeMismatch] = "DISP_E_TYPEMISMATCH",
    };

    /// <summary>"WBEM_E_INVALID_NAMESPACE, no such namespace, 0x8004100E"; an unknown code as its number.</summary>
    public static string Describe(int hresult) =>
        Names.TryGetValue(hresult, out var name) ? $"{name}, 0x{hresult:X8}" : $"0x{hresult:X8}";

    /// <summary>True when the code says the namespace or class is not there (as in WinPE, or Wine).</summary>
    public static bool IsMissing(int hresult) => hresult is InvalidNamespace or InvalidClass;

    public static bool IsAccessDenied(int hresult) => hresult is AccessDenied or ComAccessDenied;
}
