#!/bin/sh
# Checks the systemd files offline, without a running systemd (CI, containers):
#   1. systemd-analyze verify on portd.socket + portd.service and an instance of the templates
#      (portd@.service, portd@.socket) in a scratch root that holds the host's units and the
#      binaries the units name; any warning counts as a failure
#      (verify exits 0 on an unknown key or a typo'd directive, so stderr is checked too);
#   2. systemd-analyze security --offline=true: overall exposure must be <= 1.5;
#   3. portd.sysusers and portd.tmpfiles applied to the scratch root: the users, groups and
#      directories come out as the units expect;
#   4. portd.toml.example documents every key and portd accepts it;
#   5. the unit does not restart portd on the exit statuses that mean "restarting won't help".
# Usage: check-units.sh [path/to/portd [UNIT_DIR]]
#   path/to/portd: the built daemon (a stub is used when omitted or empty);
#   UNIT_DIR: the units CMake generated from systemd/*.in (build/<preset>/systemd); when omitted
#   they are generated here for the prefix /usr, as CMake does.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
portd_bin=${1:-}
unit_dir=${2:-}
max_exposure=${PORTD_MAX_EXPOSURE:-1.5}

root=$(mktemp -d "${TMPDIR:-/tmp}/portd-units-XXXXXX")
trap 'rm -rf "$root"' EXIT
fail() { echo "check-units: FAIL: $*" >&2; exit 1; }

# The scratch root: merged /usr like Debian 12, the host's unit files (for sysinit.target and
# friends), ours, and the executables ExecStart=/ExecReload= name.
mkdir -p "$root/usr/lib/systemd" "$root/usr/bin" "$root/usr/sbin" "$root/etc" "$root/var/lib" "$root/run"
ln -s usr/bin "$root/bin"; ln -s usr/sbin "$root/sbin"; ln -s usr/lib "$root/lib"
[ -d /usr/lib/systemd/system ] || fail "no /usr/lib/systemd/system on this machine"
cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
if [ -z "$unit_dir" ]; then
  unit_dir="$root/generated"; mkdir -p "$unit_dir"
  gen() {  # suffix description config secret state listen
    for kind in service socket; do
      sed -e "s|@UNIT_NAME@|portd$1|g; s|@UNIT_DESCRIPTION@|$2|g; s|@UNIT_CONFIG@|$3|g" \
          -e "s|@UNIT_SECRET@|$4|g; s|@UNIT_STATE@|$5|g; s|@UNIT_LISTEN@|$6|g; s|@UNIT_NOTE@|check-units|g" \
          -e "s|@UNIT_SOCKET@|$7|g; s|@PORTD_SBINDIR@|/usr/sbin|g; s|@PORTD_DOCDIR@|/usr/share/doc/portd|g" \
          -e "s|@PORTD_CONFDIR@|/etc/portd|g; s|@PORTD_STATEDIR@|/var/lib|g" \
          "$here/portd.$kind.in" > "$unit_dir/portd$1.$kind"
    done
  }
  gen "" "portd" /etc/portd/portd.toml /etc/portd/telegent-secret portd /run/portd/portd.sock portd.socket
  gen "@" "portd %i" /etc/portd/%i/portd.toml /etc/portd/%i/telegent-secret portd/%i /run/portd/%i.sock "portd@%i.socket"
fi
for u in portd.service portd.socket portd@.service portd@.socket; do
  [ -f "$unit_dir/$u" ] || fail "no $u in $unit_dir"
  if grep -n '@[A-Z_]*@' "$unit_dir/$u"; then fail "$u has a placeholder left"; fi
done
cp "$unit_dir"/portd.service "$unit_dir"/portd.socket "$unit_dir"/portd@.service "$unit_dir"/portd@.socket \
  "$root/usr/lib/systemd/system/"
cp /bin/kill "$root/usr/bin/kill" 2>/dev/null || printf '#!/bin/sh\n' > "$root/usr/bin/kill"; chmod 755 "$root/usr/bin/kill"
# The daemon where ExecStart= says (the units are generated for the build's install prefix).
exec_path=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit_dir/portd.service")
[ -n "$exec_path" ] || fail "portd.service has no ExecStart="
mkdir -p "$root$(dirname "$exec_path")"
if [ -n "$portd_bin" ]; then
  cp "$portd_bin" "$root$exec_path"
else
  printf '#!/bin/sh\nexit 0\n' > "$root$exec_path"
fi
chmod 755 "$root$exec_path"

# 1. verify
for units in "portd.socket portd.service" "portd@acct1.socket portd@acct1.service"; do
  # (--man=no: the manual pages come with the package, not in this scratch root)
  # shellcheck disable=SC2086
  out=$(systemd-analyze verify --man=no --root="$root" $units 2>&1) || fail "systemd-analyze verify $units: $out"
  [ -z "$out" ] || fail "systemd-analyze verify $units warned: $out"
  echo "check-units: systemd-analyze verify $units: clean"
done

# 2. security
for unit in portd.service portd@acct1.service; do
  report=$(systemd-analyze security --offline=true --root="$root" "$unit" 2>&1) || true
  level=$(printf '%s\n' "$report" | sed -n "s/.*Overall exposure level for $unit: \\([0-9.]*\\).*/\\1/p")
  [ -n "$level" ] || fail "no exposure level in: $report"
  awk -v l="$level" -v m="$max_exposure" 'BEGIN { exit !(l + 0 <= m + 0) }' ||
    fail "$unit: exposure $level is above $max_exposure:
$(printf '%s\n' "$report" | grep '✗')"
  echo "check-units: systemd-analyze security --offline=true $unit: exposure $level (<= $max_exposure)"
done

# 3. sysusers + tmpfiles
out=$(systemd-sysusers --root="$root" "$here/portd.sysusers" 2>&1) || fail "systemd-sysusers: $out"
for g in portd portd-clients portd-operators; do
  grep -q "^$g:" "$root/etc/group" || fail "sysusers did not create group $g"
done
grep -q '^portd:[^:]*:[0-9]*:[0-9]*:[^:]*:/var/lib/portd:' "$root/etc/passwd" || fail "sysusers: no user portd with home /var/lib/portd"
out=$(systemd-tmpfiles --root="$root" --create "$here/portd.tmpfiles" 2>&1) || fail "systemd-tmpfiles: $out"
[ -z "$out" ] || fail "systemd-tmpfiles warned: $out"
check_dir() {
  got=$(stat -c '%a %U %G' "$root$1" 2>/dev/null) || fail "tmpfiles did not create $1"
  # Owners are resolved against the host's user database by stat; compare numerically.
  uid=$(stat -c %u "$root$1"); gid=$(stat -c %g "$root$1")
  want_uid=$(awk -F: -v u="$3" '$1 == u { print $3 }' "$root/etc/passwd"); [ "$3" = root ] && want_uid=0
  want_gid=$(awk -F: -v g="$4" '$1 == g { print $3 }' "$root/etc/group")
  [ "$(stat -c %a "$root$1")" = "$2" ] && [ "$uid" = "$want_uid" ] && [ "$gid" = "$want_gid" ] ||
    fail "$1 is $got (uid $uid gid $gid), want $2 $3:$4 ($want_uid:$want_gid)"
}
check_dir /etc/portd 750 root portd
check_dir /var/lib/portd 700 portd portd
check_dir /run/portd 755 portd portd
echo "check-units: sysusers and tmpfiles snippets: users, groups and directories as expected"

# 4. portd.toml.example documents every key config.cpp accepts, and portd accepts the file.
config_cpp="$here/../lib/portd/runtime/config.cpp"
if [ -f "$config_cpp" ]; then
  keys=$(tr '\n' ' ' < "$config_cpp" | grep -o 'only_keys([^;]*;' | sed 's/^[^{]*{//' | grep -o '"[a-z_]*"' | tr -d '"' | sort -u)
  [ -n "$keys" ] || fail "found no keys in $config_cpp"
  for k in $keys; do
    grep -Eq "(^|[^a-z_])$k( =|\\]|\\]\\])" "$here/portd.toml.example" || fail "portd.toml.example does not document '$k'"
  done
  echo "check-units: portd.toml.example documents all $(echo "$keys" | wc -l) keys"
fi
if [ -n "$portd_bin" ]; then
  mkdir -m 0700 "$root/credentials"
  printf 'example-secret\n' > "$root/credentials/telegent-secret"
  chmod 0600 "$root/credentials/telegent-secret"
  out=$(CREDENTIALS_DIRECTORY="$root/credentials" "$portd_bin" --check-config --config "$here/portd.toml.example" 2>&1) ||
    fail "portd --check-config rejects portd.toml.example: $out"
  echo "check-units: portd --check-config accepts portd.toml.example"
fi

# 5. Restarting does not help with a bad configuration (portd exits 78) or a database that is
#    damaged or newer than portd (65; e2e_reliability checks that portd exits so): the unit
#    must not restart on either.
prevent=" $(sed -n 's/^RestartPreventExitStatus=//p' "$unit_dir/portd.service" | tr '\n' ' ') "
for s in 78 65; do
  case "$prevent" in *" $s "*) ;; *) fail "portd.service does not list exit status $s in RestartPreventExitStatus=" ;; esac
done
echo "check-units: portd.service does not restart on exit status 78 (configuration) or 65 (database)"
