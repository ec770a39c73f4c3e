#Requires -RunAsAdministrator
<#
.SYNOPSIS
Stops and removes the odailies-uploader Windows service and its program
folder. The config, state and log in ProgramData stay unless -Purge is given.
#>
param([switch]$Purge)
$ErrorActionPreference = 'Stop'

$name = 'odailies-uploader'
$programDir = Join-Path $env:ProgramFiles $name
$dataDir = Join-Path $env:ProgramData $name
$exe = Join-Path $programDir "$name.exe"
$config = Join-Path $dataDir 'config.toml'

if (Get-Service -Name $name -ErrorAction SilentlyContinue) {
    & $exe uninstall -config $config
    if ($LASTEXITCODE -ne 0) {
        # uninstall needs a config it can read; without one, ask Windows directly.
        Write-Warning "odailies-uploader uninstall failed (exit $LASTEXITCODE); removing the service with sc.exe"
        Stop-Service -Name $name -ErrorAction SilentlyContinue
        & sc.exe delete $name
        if ($LASTEXITCODE -ne 0) { throw "sc.exe delete $name failed (exit $LASTEXITCODE)" }
    }
}
Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $programDir
if ($Purge) {
    Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $dataDir
}
Write-Host "$name removed"
