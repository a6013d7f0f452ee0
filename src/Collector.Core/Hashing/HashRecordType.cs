namespace Collector.Core.Hashing;

/// <summary>Record types of the 4K hash that we read or write (design section 2).</summary>
public static class HashRecordType
{
    public const ushort OsInfo = 1;
    public const ushort DiskSerial = 7;
    public const ushort Network = 8;
    public const ushort OfflineDeviceId = 11;
    public const ushort SmbiosUuid = 12;
    public const ushort TpmVersion = 13;
    public const ushort SmbiosSerial = 14;
    public const ushort Manufacturer = 16;
    public const ushort Model = 17;
    public const ushort ProductKeyId = 24;
    public const ushort TpmEkPub = 25;

    /// <summary>'C' 'S' read as a little-endian u16: the checksum record after the last record.</summary>
    public const ushort Checksum = 0x5343;
}
