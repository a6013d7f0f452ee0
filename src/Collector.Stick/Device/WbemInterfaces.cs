using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Collector.Stick.Device;

// WMI's COM API (wbemcli.h), declared for source-generated COM interop: trim-safe, no built-in
// COM, no System.Management (which needs .NET Framework's wminet_utils.dll and cannot be trimmed).
// Only the way in is generated (ComObjectWrapper): collect calls WMI, WMI never calls collect.
// A vtable is called by slot, so every method before the last one used is declared in wbemcli.h's
// order; slots collect never calls are declared without parameters, as placeholders. Every
// method returns its HRESULT (PreserveSig) so WmiSession can say in words what failed.

/// <summary>IWbemLocator: <c>ConnectServer</c> opens a namespace (wbemcli.h).</summary>
[GeneratedComInterface(StringMarshalling = StringMarshalling.Utf16, Options = ComInterfaceOptions.ComObjectWrapper)]
[Guid("dc12a687-737f-11cf-884d-00aa004b2e24")]
internal partial interface IWbemLocator
{
    [PreserveSig]
    int ConnectServer(
        [MarshalAs(UnmanagedType.BStr)] string strNetworkResource,
        [MarshalAs(UnmanagedType.BStr)] string? strUser,
        [MarshalAs(UnmanagedType.BStr)] string? strPassword,
        [MarshalAs(UnmanagedType.BStr)] string? strLocale,
        int lSecurityFlags,
        [MarshalAs(UnmanagedType.BStr)] string? strAuthority,
        nint pCtx,
        out nint ppNamespace);
}

/// <summary>IWbemServices: a connected namespace; collect only runs <c>ExecQuery</c> (slot 18).</summary>
[GeneratedComInterface(StringMarshalling = StringMarshalling.Utf16, Options = ComInterfaceOptions.ComObjectWrapper)]
[Guid("9556dc99-828c-11cf-a37e-00aa003240c7")]
internal partial interface IWbemServices
{
    [PreserveSig] int OpenNamespace();
    [PreserveSig] int CancelAsyncCall();
    [PreserveSig] int QueryObjectSink();
    [PreserveSig] int GetObject();
    [PreserveSig] int GetObjectAsync();
    [PreserveSig] int PutClass();
    [PreserveSig] int PutClassAsync();
    [PreserveSig] int DeleteClass();
    [PreserveSig] int DeleteClassAsync();
    [PreserveSig] int CreateClassEnum();
    [PreserveSig] int CreateClassEnumAsync();
    [PreserveSig] int PutInstance();
    [PreserveSig] int PutInstanceAsync();
    [PreserveSig] int DeleteInstance();
    [PreserveSig] int DeleteInstanceAsync();
    [PreserveSig] int CreateInstanceEnum();
    [PreserveSig] int CreateInstanceEnumAsync();

    [PreserveSig]
    int ExecQuery(
        [MarshalAs(UnmanagedType.BStr)] string strQueryLanguage,
        [MarshalAs(UnmanagedType.BStr)] string strQuery,
        int lFlags,
        nint pCtx,
        out IEnumWbemClassObject? ppEnum);
}

/// <summary>IEnumWbemClassObject: a query's results, read one at a time with <c>Next</c>.</summary>
[GeneratedComInterface(Options = ComInterfaceOptions.ComObjectWrapper)]
[Guid("027947e1-d731-11ce-a357-000000000001")]
internal partial interface IEnumWbemClassObject
{
    [PreserveSig] int Reset();

    /// <summary>Asks for one object (uCount 1): S_OK with one, WBEM_S_FALSE at the end, WBEM_S_TIMEDOUT.</summary>
    [PreserveSig]
    int Next(int lTimeout, uint uCount, out IWbemClassObject? apObjects, out uint puReturned);
}

/// <summary>IWbemClassObject: one instance; collect reads a property with <c>Get</c> (slot 1).</summary>
[GeneratedComInterface(StringMarshalling = StringMarshalling.Utf16, Options = ComInterfaceOptions.ComObjectWrapper)]
[Guid("dc12a681-737f-11cf-884d-00aa004b2e24")]
internal partial interface IWbemClassObject
{
    [PreserveSig] int GetQualifierSet();

    [PreserveSig]
    int Get(string wszName, int lFlags, out Variant pVal, nint pType, nint plFlavor);
}

/// <summary>
/// OLE's VARIANT as it lies in memory on 64-bit Windows (24 bytes: the type, three reserved
/// words, a 16-byte union). Only BSTR, NULL and EMPTY are read; <see cref="WmiSession"/> clears it.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Variant
{
    public const ushort Empty = 0;
    public const ushort Null = 1;
    public const ushort BStr = 8;

    public ushort Type;
    public ushort Reserved1;
    public ushort Reserved2;
    public ushort Reserved3;
    public nint Value;
    public nint Value2;
}
