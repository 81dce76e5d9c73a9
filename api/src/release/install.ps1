# The residue CLI installer for Windows, served by a residue server with its address and release filled in:
#
#   irm <server>/install.ps1 | iex
#
# Installs residue.exe into $env:LOCALAPPDATA\residue\bin (or $env:RESIDUE_INSTALL_DIR) after checking its
# SHA-256 against the release's SHA256SUMS and that it runs; any failure before the final rename leaves the
# machine as it was. It throws instead of calling exit, which would close the shell that ran `iex`.
& {
  $ErrorActionPreference = 'Stop'
  $ProgressPreference = 'SilentlyContinue' # the progress bar slows Invoke-WebRequest's downloads many times over
  $Server = '__RESIDUE_SERVER__'
  $Version = '__RESIDUE_VERSION__'
  function Fail([string]$Message) { throw "residue install: $Message" }

  if (-not $Version) { Fail "the server $Server has no CLI release uploaded yet: its operator uploads one with 'npm run deploy' (or 'npm start' locally)." }
  if ($IsLinux -or $IsMacOS) { Fail "this is not Windows: install with: curl -fsSL $Server/install.sh | sh" }
  $cpu = if ($env:PROCESSOR_ARCHITEW6432) { $env:PROCESSOR_ARCHITEW6432 } else { $env:PROCESSOR_ARCHITECTURE }
  # Windows on Arm runs x64 programs through its own emulation; there is no 32-bit build.
  if ($cpu -ne 'AMD64' -and $cpu -ne 'ARM64') { Fail "there is no residue build for this CPU ('$cpu'); the Windows build is x64." }
  $file = 'residue-windows-x64.exe'
  $dir = if ($env:RESIDUE_INSTALL_DIR) { $env:RESIDUE_INSTALL_DIR } else { Join-Path $env:LOCALAPPDATA 'residue\bin' }

  $tmp = Join-Path ([IO.Path]::GetTempPath()) ("residue-install-" + [Guid]::NewGuid())
  New-Item -ItemType Directory -Path $tmp | Out-Null
  try {
    Write-Host "residue: downloading residue $Version ($file) from $Server"
    $sums = Join-Path $tmp 'SHA256SUMS'
    $download = Join-Path $tmp $file
    Invoke-WebRequest -UseBasicParsing -Uri "$Server/releases/$Version/SHA256SUMS" -OutFile $sums
    $line = Get-Content $sums | Where-Object { $_ -match "^[0-9a-f]{64} [ *]$([regex]::Escape($file))$" } | Select-Object -First 1
    if (-not $line) { Fail "the release's SHA256SUMS lists no $file." }
    $expected = $line.Substring(0, 64)
    Invoke-WebRequest -UseBasicParsing -Uri "$Server/releases/$Version/$file" -OutFile $download
    $actual = (Get-FileHash -Algorithm SHA256 $download).Hash.ToLowerInvariant()
    if ($actual -ne $expected) { Fail "$file failed its checksum (SHA-256 $actual, SHA256SUMS says $expected): the download is damaged or was altered. Nothing was installed." }
    $ran = (& $download --version 2>&1 | Out-String).Trim()
    if ($ran -ne $Version) { Fail "the downloaded $file reports '$ran', not $Version. Nothing was installed." }

    New-Item -ItemType Directory -Force -Path $dir | Out-Null
    $target = Join-Path $dir 'residue.exe'
    $part = Join-Path $dir ".residue.install-$PID.exe"
    $old = Join-Path $dir ".residue.old-$PID.exe"
    Copy-Item $download $part
    # A running residue.exe cannot be overwritten, but it can be renamed aside; put it back if the swap fails.
    if (Test-Path $target) { Move-Item -Force $target $old }
    try { Move-Item -Force $part $target } catch {
      if (Test-Path $old) { Move-Item -Force $old $target }
      Remove-Item -Force -ErrorAction SilentlyContinue $part
      throw
    }
    Remove-Item -Force -ErrorAction SilentlyContinue $old
    Write-Host "residue: installed residue $Version to $target"

    $userPath = [Environment]::GetEnvironmentVariable('Path', 'User')
    if (-not (($userPath -split ';') -contains $dir)) {
      Write-Host "residue: $dir is not on your PATH. Add it for new terminals with:"
      Write-Host "  [Environment]::SetEnvironmentVariable('Path', '$dir;' + [Environment]::GetEnvironmentVariable('Path', 'User'), 'User')"
    }
    Write-Host "residue: next: residue login --url $Server"
  } finally {
    Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $tmp
  }
}
