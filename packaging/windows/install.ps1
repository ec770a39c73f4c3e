#Requires -RunAsAdministrator
<#
.SYNOPSIS
Installs or upgrades the odailies-uploader Windows service from the folder
this script is in (the unpacked release zip).

.DESCRIPTION
Copies odailies-uploader.exe to Program Files\odailies-uploader and, when
missing, the example config to ProgramData\odailies-uploader\config.toml
(never overwritten), readable by SYSTEM and Administrators only since it
holds the token. Once `check -offline` accepts the config it installs the
service (first time) and starts it; until then it says what to edit, and
running it again finishes the job. An upgrade stops the service, replaces
the exe and starts it again.
#>
$ErrorActionPreference = 'Stop'

$name = 'odailies-uploader'
$programDir = Join-Path $env:ProgramFiles $name
$dataDir = Join-Path $env:ProgramData $name
$exe = Join-Path $programDir "$name.exe"
$config = Join-Path $dataDir 'config.toml'

# Run the exe and stop the script if it fails.
function Invoke-Uploader {
    & $exe @args
    if ($LASTEXITCODE -ne 0) {
        throw "odailies-uploader $($args -join ' ') failed (exit $LASTEXITCODE)"
    }
}

$service = Get-Service -Name $name -ErrorAction SilentlyContinue
if ($service -and $service.Status -ne 'Stopped') {
    Stop-Service -Name $name
    $service.WaitForStatus('Stopped', [TimeSpan]::FromSeconds(30))
}

New-Item -ItemType Directory -Force -Path $programDir, $dataDir | Out-Null
Copy-Item -Force (Join-Path $PSScriptRoot "$name.exe") $exe
if (-not (Test-Path $config)) {
    # SIDs, not names: S-1-5-18 is SYSTEM, S-1-5-32-544 Administrators, in every language.
    & icacls $dataDir /inheritance:r /grant:r '*S-1-5-18:(OI)(CI)F' '*S-1-5-32-544:(OI)(CI)F' | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "icacls $dataDir failed (exit $LASTEXITCODE)" }
    Copy-Item (Join-Path $PSScriptRoot 'config.example.toml') $config
}

& $exe check -offline -config $config
if ($LASTEXITCODE -ne 0) {
    Write-Host "Edit $config (project_id, token, watch root), then run this script again."
    exit 2
}
if (-not $service) {
    Invoke-Uploader install -config $config
}
Invoke-Uploader start -config $config
Write-Host "$name is running; log: $(Join-Path $dataDir "logs\$name.log")"
