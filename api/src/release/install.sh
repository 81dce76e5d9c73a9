#!/bin/sh
# The residue CLI installer, served by a residue server with its address and release filled in:
#
#   curl -fsSL <server>/install.sh | sh                  # into ~/.local/bin
#   curl -fsSL <server>/install.sh | sh -s -- /opt/bin   # or RESIDUE_INSTALL_DIR=/opt/bin
#
# Picks the build for this OS and CPU, downloads it from the server, checks its SHA-256 against the
# release's SHA256SUMS and that it runs, and only then moves it into place in one rename. Any failure
# before that leaves the machine as it was.
set -eu

SERVER='__RESIDUE_SERVER__'
VERSION='__RESIDUE_VERSION__'

say() { printf 'residue: %s\n' "$*"; }
fail() {
  printf 'residue install: %s\n' "$*" >&2
  exit 1
}
has() { command -v "$1" >/dev/null 2>&1; }

platform_file() {
  os=$(uname -s 2>/dev/null || echo unknown)
  cpu=$(uname -m 2>/dev/null || echo unknown)
  case $os in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT) fail "this is Windows: install from PowerShell instead: irm $SERVER/install.ps1 | iex" ;;
    *) fail "there is no residue build for this operating system ('$os'); builds exist for Linux and macOS (x64, arm64) and Windows (x64)." ;;
  esac
  case $cpu in
    x86_64 | amd64) cpu=x64 ;;
    aarch64 | arm64) cpu=arm64 ;;
    *) fail "there is no residue build for this CPU ('$cpu' on $os); builds exist for x64 and arm64." ;;
  esac
  # A shell running under Rosetta on Apple silicon reports x86_64; the native build is the one to use.
  if [ "$os" = darwin ] && [ "$cpu" = x64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then
    cpu=arm64
  fi
  echo "residue-$os-$cpu"
}

download() {
  if has curl; then
    curl -fsSL --retry 2 -o "$2" "$1" || fail "could not download $1"
  else
    wget -q -O "$2" "$1" || fail "could not download $1"
  fi
}

sha256() {
  if has sha256sum; then
    sha256sum "$1" | awk '{ print $1 }'
  else
    shasum -a 256 "$1" | awk '{ print $1 }'
  fi
}

# Removes the directories this run created, from the install directory up to the first it made.
unmake() {
  d=$asked
  while rmdir "$d" 2>/dev/null && [ "$d" != "$made" ]; do
    d=$(parent "$d")
  done
}

# The directory holding $1 (a trailing slash ignored), without dirname: only the shell is assumed.
parent() {
  case ${1%/} in
    */*) p=${1%/}; p=${p%/*}; echo "${p:-/}" ;;
    *) echo . ;;
  esac
}

# Everything runs from here, at the end: a script cut short in transit defines functions and runs nothing.
main() {
  [ -n "$VERSION" ] || fail "the server $SERVER has no CLI release uploaded yet: its operator uploads one with 'npm run deploy' (or 'npm start' locally)."
  if [ $# -gt 0 ]; then
    dir=$1
  elif [ -n "${RESIDUE_INSTALL_DIR:-}" ]; then
    dir=$RESIDUE_INSTALL_DIR
  elif [ -n "${HOME:-}" ]; then
    dir=$HOME/.local/bin
  else
    fail "HOME is not set: name the install directory, e.g. curl -fsSL $SERVER/install.sh | sh -s -- /usr/local/bin"
  fi
  file=$(platform_file) || exit 1
  has curl || has wget || fail "needs curl or wget to download residue."
  has sha256sum || has shasum || fail "needs sha256sum or shasum to verify the download."
  [ ! -d "$dir/residue" ] || fail "$dir/residue is a directory: move it aside or name another install directory."

  # Whatever fails below undoes what this run made: its temp files, and the directories it created.
  tmp='' part='' made='' asked=$dir
  d=$dir
  while [ ! -d "$d" ]; do
    made=$d
    d=$(parent "$d")
  done
  trap 'rm -rf "$tmp"; [ -z "$part" ] || rm -f "$part"; [ -z "$made" ] || unmake' EXIT
  trap 'exit 1' HUP INT TERM
  mkdir -p "$dir" 2>/dev/null || fail "could not create $dir."
  # Absolute and without a trailing slash, for the PATH check and the advice below.
  dir=$(cd "$dir" && pwd) || fail "could not enter $dir."
  tmp=$(mktemp -d 2>/dev/null || mktemp -d -t residue) || fail "could not create a temporary directory."
  # The binary is downloaded beside its target, not in /tmp (often mounted noexec, where the version check
  # below could not run it), so the last step is a rename within one filesystem: atomic, and a residue
  # running meanwhile keeps its old file.
  part="$dir/.residue.install-$$"

  say "downloading residue $VERSION ($file) from $SERVER"
  download "$SERVER/releases/$VERSION/SHA256SUMS" "$tmp/SHA256SUMS"
  expected=$(awk -v f="$file" '$2 == f || $2 == "*" f { print $1 }' "$tmp/SHA256SUMS")
  [ -n "$expected" ] || fail "the release's SHA256SUMS lists no $file."
  download "$SERVER/releases/$VERSION/$file" "$part"
  actual=$(sha256 "$part")
  [ "$actual" = "$expected" ] || fail "$file failed its checksum (SHA-256 $actual, SHA256SUMS says $expected): the download is damaged or was altered. Nothing was installed."
  chmod 755 "$part" || fail "could not make $part executable."
  ran=$("$part" --version 2>&1) || fail "the downloaded $file does not run on this machine ($ran). Nothing was installed."
  [ "$ran" = "$VERSION" ] || fail "the downloaded $file reports version '$ran', not $VERSION. Nothing was installed."
  mv -f "$part" "$dir/residue" || fail "could not write $dir/residue."
  part='' made=''
  say "installed residue $VERSION to $dir/residue"

  case ":${PATH:-}:" in
    *":$dir:"*)
      found=$(command -v residue 2>/dev/null || true)
      if [ -n "$found" ] && [ "$found" != "$dir/residue" ]; then
        say "note: $found comes first on your PATH, so 'residue' still runs that one."
      fi
      ;;
    *)
      say "$dir is not on your PATH. Add it for this shell, and to ~/.profile (or ~/.bashrc, ~/.zshrc) to keep it:"
      printf '  export PATH="%s:$PATH"\n' "$dir"
      ;;
  esac
  say "next: residue login --url $SERVER"
}

main "$@"
