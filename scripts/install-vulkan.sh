#!/usr/bin/env bash
# The software Vulkan device Duet's WebGPU tests run on where a machine has no GPU: Mesa's lavapipe
# (llvmpipe behind Vulkan) and the Vulkan loader. Dawn refuses Debian 12's Mesa 22.3 lavapipe; Mesa 25
# from Debian's bookworm-backports suite works. The backports entry is copied from this machine's own
# Debian source entry with only its suite changed, so the mirror is whatever the machine already uses.
#
# Idempotent: prints what it found and what it did. Needs root (or sudo).
set -euo pipefail

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

. /etc/os-release
codename="${VERSION_CODENAME:-}"
echo "install-vulkan: ${PRETTY_NAME:-unknown system} (codename ${codename:-none})"

if [ "${ID:-}" != debian ] && [[ " ${ID_LIKE:-} " != *" debian "* ]]; then
  echo "install-vulkan: not a Debian system; install your distribution's Mesa Vulkan drivers (25 or newer) by hand"
  exit 0
fi

installed=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)
major=${installed%%.*}
major=${major#*:}
if [ -n "$installed" ] && [ "${major:-0}" -ge 24 ] 2>/dev/null && dpkg-query -W libvulkan1 >/dev/null 2>&1; then
  echo "install-vulkan: mesa-vulkan-drivers ${installed} and libvulkan1 already installed; nothing to do"
  exit 0
fi

target=()
if [ "$codename" = bookworm ]; then
  backports="${codename}-backports"
  list=/etc/apt/sources.list.d/duet-${backports}.sources
  if grep -rqs -E "(^|[[:space:]])${backports}([[:space:]]|$)" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "install-vulkan: ${backports} is already in apt's sources"
  else
    entry=""
    # deb822 form (/etc/apt/sources.list.d/*.sources): the stanza whose Suites list the release itself.
    for f in /etc/apt/sources.list.d/*.sources; do
      [ -f "$f" ] || continue
      entry=$(awk -v suite="$codename" -v bp="$backports" '
        BEGIN { RS = ""; FS = "\n" }
        {
          hit = 0
          for (i = 1; i <= NF; i++) {
            if ($i ~ /^Suites:/) { n = split(substr($i, 8), s, /[ \t]+/); for (j = 1; j <= n; j++) if (s[j] == suite) hit = 1 }
          }
          if (hit) {
            for (i = 1; i <= NF; i++) {
              if ($i ~ /^#/) continue
              if ($i ~ /^Suites:/) print "Suites: " bp; else print $i
            }
            exit
          }
        }' "$f")
      [ -n "$entry" ] && { echo "install-vulkan: copying the Debian entry of $f with suite ${backports}"; break; }
    done
    if [ -n "$entry" ]; then
      printf '%s\n' "$entry" | as_root tee "$list" >/dev/null
    else
      # One-line form (/etc/apt/sources.list): the first "deb … <codename> …" line.
      line=$(grep -h -E "^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?[^[:space:]]+[[:space:]]+${codename}[[:space:]]" \
        /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n 1 || true)
      if [ -z "$line" ]; then
        echo "install-vulkan: no Debian ${codename} entry found in apt's sources; cannot add ${backports}" >&2
        exit 1
      fi
      list=/etc/apt/sources.list.d/duet-${backports}.list
      echo "install-vulkan: copying the Debian line of apt's sources with suite ${backports}"
      printf '%s\n' "$line" | sed -E "s/[[:space:]]${codename}[[:space:]]/ ${backports} /" | as_root tee "$list" >/dev/null
    fi
    echo "install-vulkan: wrote $list:"
    sed 's/^/  /' "$list"
  fi
  target=(-t "$backports")
fi

echo "install-vulkan: apt-get update"
as_root apt-get update -qq
echo "install-vulkan: apt-get install ${target[*]} mesa-vulkan-drivers libvulkan1"
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${target[@]}" \
  mesa-vulkan-drivers libvulkan1 >/dev/null
echo "install-vulkan: installed mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)," \
  "libvulkan1 $(dpkg-query -W -f='${Version}' libvulkan1)"
ls /usr/share/vulkan/icd.d/ 2>/dev/null | sed 's/^/install-vulkan: ICD /' || true
