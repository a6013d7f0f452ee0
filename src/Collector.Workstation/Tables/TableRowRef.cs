namespace Collector.Workstation.Tables;

/// <summary>A table row as it was read: its keys, and the ETag a conditional write to it names.</summary>
public sealed record TableRowRef(string PartitionKey, string RowKey, string ETag);
