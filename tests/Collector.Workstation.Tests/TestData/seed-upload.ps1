# The seed script's request (Export-AutopilotHashToAzure.ps1, the upload script Collector grew
# from), made as it makes it:
# a PUT of one entity per device to the table SAS URL with the key appended to its path, the
# x-ms-version and nometadata Accept headers, and its body hashtable. One change, as the design
# says: the body is JSON-encoded (as written, PowerShell form-encodes it and the service says 400).
# The devices come from a JSON file (the seed reads WMI; tests have no WMI).
param(
  [parameter(Mandatory)] [string]$StorageUrl,
  [parameter(Mandatory)] [string]$DevicesFile
)
$ErrorActionPreference = 'Stop'
$devices = Get-Content -Raw -Path $DevicesFile | ConvertFrom-Json
foreach ($device in $devices) {
  $Storage = [System.UriBuilder]$StorageUrl
  $serial = $device.Serial
  $hash = $device.Hash
  $TenantId = [guid]$device.TenantId
  $GroupTag = $device.GroupTag

  $Storage.Path += "(PartitionKey='$TenantId', RowKey='$serial')"
  $body = @{
    "Device_Serial_Number" = $serial
    "Windows_Product_ID"   = ""
    "Hardware_Hash"        = $hash
  }
  if ($GroupTag) {
    $body.Group_Tag = $GroupTag
  }
  Invoke-RestMethod -Method PUT -Uri $Storage.Uri -Body ($body | ConvertTo-Json) -Headers @{
    "x-ms-version" = "2025-01-05"
    "Accept"       = "application/json;odata=nometadata"
  } -ContentType "application/json" | Out-Null
}
