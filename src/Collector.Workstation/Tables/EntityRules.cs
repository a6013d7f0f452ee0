using System.Text.RegularExpressions;
using Azure.Data.Tables;

namespace Collector.Workstation.Tables;

/// <summary>
/// The Table service's limits, checked before anything is sent: Azurite (3.37.0) does not enforce
/// several of them, so a test against it would pass what Azure refuses. It accepts a property name
/// with a space, 253 custom properties, an entity over 1 MiB and a batch over 4 MiB; the limits are
/// in https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model
/// and https://learn.microsoft.com/rest/api/storageservices/performing-entity-group-transactions.
/// </summary>
public static partial class EntityRules
{
    /// <summary>Custom properties per entity: 255 less PartitionKey, RowKey and Timestamp.</summary>
    public const int MaxProperties = 252;

    /// <summary>All property data of one entity.</summary>
    public const int MaxEntityBytes = 1024 * 1024;

    /// <summary>A transaction's payload is at most 4 MiB; this leaves room for the multipart envelope.</summary>
    public const int MaxBatchBytes = 3_500_000;

    /// <summary>Actions per entity group transaction.</summary>
    public const int MaxBatchActions = 100;

    /// <summary>Null when the service will take <paramref name="entity"/>; otherwise why not, in words.</summary>
    public static string? Problem(TableEntity entity)
    {
        if ((KeyProblem("PartitionKey", entity.PartitionKey) ?? KeyProblem("RowKey", entity.RowKey)) is { } keyProblem)
        {
            return keyProblem;
        }

        var names = entity.Keys.Where(k => !IsSystem(k)).ToList();
        if (names.Count > MaxProperties)
        {
            return $"it has {names.Count} properties; Azure Table storage takes at most {MaxProperties}";
        }

        foreach (var name in names)
        {
            if (!PropertyName().IsMatch(name))
            {
                return $"property name '{name}' is not one Azure Table storage accepts (letters, digits and _, not starting with a digit, at most 255)";
            }

            if (entity[name] is string text && text.Length > DeviceEntity.MaxStringLength)
            {
                return $"its {name} is {text.Length} characters; Azure Table storage takes at most {DeviceEntity.MaxStringLength}";
            }
        }

        var size = Size(entity);
        return size > MaxEntityBytes ? $"it is {size:N0} bytes; an Azure Table entity is at most {MaxEntityBytes:N0}" : null;
    }

    /// <summary>
    /// The entity's size as the service counts it (4 bytes + keys in UTF-16 + per property 8
    /// bytes, its name in UTF-16 and its value): used for the entity and the batch limits.
    /// </summary>
    public static long Size(TableEntity entity)
    {
        long size = 4 + 2L * (entity.PartitionKey.Length + entity.RowKey.Length);
        foreach (var (name, value) in entity)
        {
            if (IsSystem(name))
            {
                continue;
            }

            size += 8 + 2L * name.Length + value switch
            {
                string s => 4 + 2L * s.Length,
                byte[] b => 4 + b.Length,
                bool => 1,
                int => 4,
                Guid => 16,
                _ => 8,
            };
        }

        return size;
    }

    private static string? KeyProblem(string which, string? key)
    {
        if (key is null)
        {
            return $"it has no {which}";
        }

        if (key.Length > DeviceEntity.MaxKeyLength)
        {
            return $"its {which} is {key.Length} characters; Azure Table storage takes at most {DeviceEntity.MaxKeyLength}";
        }

        foreach (var c in key)
        {
            if (c is '/' or '\\' or '#' or '?' || char.IsControl(c))
            {
                return $"its {which} holds '{(char.IsControl(c) ? $"U+{(int)c:X4}" : c.ToString())}', which Azure Table storage forbids in keys";
            }
        }

        return null;
    }

    private static bool IsSystem(string name) =>
        name is "PartitionKey" or "RowKey" or "Timestamp" or "odata.etag";

    // A C# identifier as the service means it (ASCII letters, digits, _), at most 255 characters.
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,254}$")]
    private static partial Regex PropertyName();
}
