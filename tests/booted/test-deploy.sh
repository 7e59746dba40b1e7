#!/usr/bin/env bash
# `make test-deploy`: deploy/install.sh run for real on a booted Debian 12, checked from inside.
#
# 1. Builds (once; cached under $DEPLOY_CACHE, keyed by a hash of what goes in) a minimal
#    Debian 12 root with debootstrap, plus the Debian packages install.sh asks for.
# 2. Boots a throw-away copy of it (an overlay over the cache) with systemd as PID 1 under
#    systemd-nspawn, in its own network namespace: its only way out is a proxy on the host
#    that lets through Debian, PyPI and npm (tests/booted/proxy.py).
# 3. Fresh install: the checkout is copied in and install.sh runs non-interactively; then
#    the services, /healthz, the user, the hardening (systemd-analyze security) and a
#    second run that must change nothing.
# 4. Upgrade: another fresh copy gets the previous release ($PREVIOUS_RELEASE, git
#    archive), some data, then this checkout's install.sh: the data stays, the migrations
#    apply.
# Prints the figures: time to a serving kiosk, the exposure score. Needs root.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT="$(cd "$HERE/../.." && pwd)"
CACHE="${DEPLOY_CACHE:-/var/cache/doorbook-test-deploy}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm
BASE_PACKAGES=systemd,systemd-sysv,dbus
# The release before the installer was proven on a booted system (git archive of it).
PREVIOUS_RELEASE="${PREVIOUS_RELEASE:-ef86bc3c3b63292c77e876803a2697e6c82fa470}"
# The recorded `systemd-analyze security doorbook.service` exposure (lower is better;
# 0 is fully locked down, 10 is not at all). The test fails if a change makes it worse.
RECORDED_EXPOSURE="${RECORDED_EXPOSURE:-$(cat "$HERE/exposure-limit")}"
PASSWORD="booted-test-manager-$$"
KIOSK_USER=kiosk
RUN="/tmp/doorbook-test-deploy.$$"

say() { printf '\n==> %s\n' "$*"; }
ok() { printf '    ok: %s\n' "$*"; }
figure() { printf '    FIGURE %s\n' "$*"; printf '%s\n' "$*" >> "$RUN/figures"; }

# ---- Clean-up: always, whatever happened ----

PROXY_PID=""
NSPAWN_PID=""
CONTAINER_PID=""
MERGED=""
NETNS=""
VETH=""

stop_container() {
  if [ -n "$CONTAINER_PID" ] && kill -0 "$CONTAINER_PID" 2>/dev/null; then
    kill -s RTMIN+4 "$CONTAINER_PID" 2>/dev/null || true  # systemd: power off
  fi
  if [ -n "$NSPAWN_PID" ]; then
    for _ in $(seq 60); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$NSPAWN_PID" 2>/dev/null || true
    wait "$NSPAWN_PID" 2>/dev/null || true
  fi
  CONTAINER_PID="" NSPAWN_PID=""
  if [ -n "$MERGED" ]; then
    # nspawn may leave mounts under the root; take them away deepest first.
    { findmnt -rn -o TARGET | grep -F "$MERGED" || true; } | sort -r | while read -r target; do
      umount -l "$target" 2>/dev/null || true
    done
    MERGED=""
  fi
  if [ -n "$PROXY_PID" ]; then kill "$PROXY_PID" 2>/dev/null || true; wait "$PROXY_PID" 2>/dev/null || true; fi
  PROXY_PID=""
  if [ -n "$VETH" ]; then ip link del "$VETH" 2>/dev/null || true; VETH=""; fi
  if [ -n "$NETNS" ]; then ip netns del "$NETNS" 2>/dev/null || true; NETNS=""; fi
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_container
  rm -rf "$RUN"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  printf '\nFAILED: %s\n' "$*" >&2
  if [ -n "$CONTAINER_PID" ]; then
    printf -- '--- inside: systemctl --failed; journalctl -u doorbook (last 40 lines)\n' >&2
    inside systemctl --no-pager --failed >&2 || true
    inside journalctl --no-pager -u doorbook.service -n 40 >&2 || true
  fi
  exit 1
}

[ "$(id -u)" -eq 0 ] || { echo "test-deploy: needs root (debootstrap, mounts, namespaces)" >&2; exit 1; }
for tool in debootstrap systemd-nspawn nsenter ip python3 git findmnt flock; do
  command -v "$tool" >/dev/null || { echo "test-deploy: $tool is missing (.ci/run installs it)" >&2; exit 1; }
done
modprobe overlay 2>/dev/null || true

# What an earlier run killed outright (SIGKILL, a lost machine) left behind: its mounts and
# namespaces, found by the run's process id in their names, once that process is gone.
for stale in /tmp/doorbook-test-deploy.*; do
  [ -d "$stale" ] || continue
  kill -0 "${stale##*.}" 2>/dev/null && continue
  { findmnt -rn -o TARGET | grep -F "$stale/" || true; } | sort -r | while read -r target; do
    umount -l "$target" 2>/dev/null || true
  done
  rm -rf "$stale"
  echo "test-deploy: removed what an earlier run left in $stale"
done
for stale in $(ip netns list | sed -n 's/^\(doorbook-test-\([0-9]*\)-[a-z]*\).*/\1 \2/p' | tr ' ' ':'); do
  kill -0 "${stale##*:}" 2>/dev/null && continue
  ip netns del "${stale%%:*}" 2>/dev/null || true
  echo "test-deploy: removed the network namespace ${stale%%:*} of an earlier run"
done
mkdir -m 0700 "$RUN"

# ---- The cached Debian 12 root ----

packages() {
  # install.sh's own list: the cached root is what install.sh would have made of Debian.
  local line
  line="$(grep '^PACKAGES=(' "$PROJECT/deploy/install.sh")"
  line="${line#PACKAGES=(}"
  printf '%s\n' "${line%)}"
}

hash_of() { printf '%s\n' "$@" | sha256sum | cut -c1-16; }

build_roots() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.lock"
  flock 9
  local base_key root_key base started
  base_key="$(hash_of v1 "$SUITE" minbase "$BASE_PACKAGES" "$MIRROR")"
  base="$CACHE/base-$base_key"
  if [ ! -d "$base" ]; then
    say "Building a minimal Debian 12 with debootstrap (once; cached in $base)"
    started=$SECONDS
    rm -rf "$base.partial"
    debootstrap --variant=minbase --include="$BASE_PACKAGES" "$SUITE" "$base.partial" "$MIRROR" \
      > "$RUN/debootstrap.log" 2>&1 || { tail -20 "$RUN/debootstrap.log"; fail "debootstrap"; }
    mv "$base.partial" "$base"
    figure "debootstrap: $((SECONDS - started)) s"
  fi
  root_key="$(hash_of "$base_key" "$(packages)")"
  ROOT_CACHE="$CACHE/root-$root_key"
  if [ ! -d "$ROOT_CACHE" ]; then
    say "Adding install.sh's Debian packages to it (once; cached in $ROOT_CACHE)"
    started=$SECONDS
    rm -rf "$ROOT_CACHE.partial"
    cp -a "$base" "$ROOT_CACHE.partial"
    # shellcheck disable=SC2046 # the package names are words
    systemd-nspawn --quiet --keep-unit --register=no -D "$ROOT_CACHE.partial" \
      --setenv=DEBIAN_FRONTEND=noninteractive \
      sh -c "apt-get update -qq && apt-get install -y -qq $(packages) && apt-get clean" \
      > "$RUN/packages.log" 2>&1 || { tail -20 "$RUN/packages.log"; fail "apt-get install"; }
    mv "$ROOT_CACHE.partial" "$ROOT_CACHE"
    figure "Debian packages into the cached root: $((SECONDS - started)) s"
  fi
  # Keep only what this run uses: the cache does not grow with every package change.
  find "$CACHE" -mindepth 1 -maxdepth 1 -type d \( -name 'base-*' -o -name 'root-*' \) \
    ! -path "$base" ! -path "$ROOT_CACHE" -exec rm -rf {} +
  flock -u 9
}

# ---- A booted container ----

inside() {
  nsenter -t "$CONTAINER_PID" -a env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 TERM=dumb "$@"
}

# install.sh inside, its output indented and kept in $RUN/install.log; proxies for apt,
# pip and npm (a Pi on a network needs none).
install_inside() {
  local dir="$1"; shift
  local status=0
  nsenter -t "$CONTAINER_PID" -a env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 TERM=dumb \
    "${NET_ENV[@]}" "${INSTALL_ENV[@]}" \
    bash "$dir/deploy/install.sh" "$@" < /dev/null > "$RUN/install.log" 2>&1 || status=$?
  sed 's/^/    | /' "$RUN/install.log"
  return "$status"
}
INSTALL_ENV=()
# pip and npm bring their own lists of authorities; point them at the system's.
CA_ENV=(SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt PIP_CERT=/etc/ssl/certs/ca-certificates.crt
  NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt)

descendant_systemd() {
  local pids=("$1") pid child
  while [ ${#pids[@]} -gt 0 ]; do
    pid="${pids[0]}"; pids=("${pids[@]:1}")
    # shellcheck disable=SC2013 # the file is one line of words
    for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
      if [ "$(cat /proc/"$child"/comm 2>/dev/null)" = systemd ]; then echo "$child"; return 0; fi
      pids+=("$child")
    done
  done
  return 1
}

boot() {
  local name="$1" index="$2"
  local dir="$RUN/$name" third fourth
  say "Booting a fresh Debian 12 ($name)"
  mkdir -p "$dir/upper" "$dir/work" "$dir/root"
  if mount -t overlay overlay -o "lowerdir=$ROOT_CACHE,upperdir=$dir/upper,workdir=$dir/work" \
      "$dir/root" 2>/dev/null; then
    MERGED="$dir/root"
  else
    # No overlayfs here: a full copy instead (about 3 GB, slower, same result).
    ok "no overlayfs: copying the cached root instead"
    cp -a --reflink=auto "$ROOT_CACHE/." "$dir/root/"
    MERGED="$dir/root"
  fi

  # Its own network: a veth pair, a /30 of 100.64.0.0/10 unique to this run.
  NETNS="doorbook-test-$$-$name"
  VETH="dbh$$$index"
  third=$(( ($$ / 64) % 256 )) fourth=$(( ($$ % 64) * 4 ))
  HOST_IP="100.$((64 + index)).$third.$((fourth + 1))"
  CONTAINER_IP="100.$((64 + index)).$third.$((fourth + 2))"
  ip netns add "$NETNS"
  ip link add "$VETH" type veth peer name "dbc$$$index"
  ip link set "dbc$$$index" netns "$NETNS"
  ip addr add "$HOST_IP/30" dev "$VETH"
  ip link set "$VETH" up
  ip -n "$NETNS" addr add "$CONTAINER_IP/30" dev "dbc$$$index"
  ip -n "$NETNS" link set "dbc$$$index" up
  ip -n "$NETNS" link set lo up

  local port
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  python3 "$HERE/proxy.py" "$HOST_IP" "$port" > "$dir/proxy.log" 2>&1 &
  PROXY_PID=$!
  PROXY="http://$HOST_IP:$port"
  NET_ENV=(http_proxy="$PROXY" https_proxy="$PROXY" HTTP_PROXY="$PROXY" HTTPS_PROXY="$PROXY"
    "no_proxy=127.0.0.1,localhost" "${CA_ENV[@]}")

  systemd-nspawn --quiet --keep-unit --register=no -D "$dir/root" -b --console=read-only \
    --machine="doorbook-test-$$-$name" --network-namespace-path="/run/netns/$NETNS" \
    > "$dir/console.log" 2>&1 &
  NSPAWN_PID=$!
  for _ in $(seq 100); do
    CONTAINER_PID="$(descendant_systemd "$NSPAWN_PID" || true)"
    [ -n "$CONTAINER_PID" ] && break
    kill -0 "$NSPAWN_PID" 2>/dev/null || { cat "$dir/console.log"; fail "systemd-nspawn exited"; }
    sleep 0.2
  done
  [ -n "$CONTAINER_PID" ] || fail "no systemd in the container"
  local state=""
  # Until systemd's own socket is there, systemctl cannot even ask; then it waits for the boot.
  for _ in $(seq 240); do
    state="$(timeout 120 nsenter -t "$CONTAINER_PID" -a systemctl is-system-running --wait 2>/dev/null || true)"
    case "$state" in running|degraded|maintenance|stopping) break ;; esac
    sleep 0.5
  done
  case "$state" in
    running) ok "booted: systemd is PID 1, state $state" ;;
    degraded) ok "booted: systemd is PID 1, state degraded:"
              inside systemctl --no-pager --failed --plain --no-legend | sed 's/^/      /' ;;
    *) fail "the container did not finish booting (state: ${state:-none})" ;;
  esac
  # This machine's own certificate authorities (e.g. a TLS-inspecting egress), so that pip
  # and npm inside trust what the host trusts. A Pi on an ordinary network needs none.
  local extra=(/usr/local/share/ca-certificates/*.crt)
  if [ -e "${extra[0]}" ]; then
    tar -C /usr/local/share/ca-certificates -cf - "${extra[@]##*/}" \
      | inside tar -C /usr/local/share/ca-certificates -xf -
    inside update-ca-certificates > /dev/null 2>&1
    ok "the host's extra CA certificates are trusted inside: ${extra[*]##*/}"
  fi
  # The desktop user who shows the kiosk (Raspberry Pi Imager makes one at first boot).
  inside useradd --create-home --shell /bin/bash "$KIOSK_USER"
}

# Copy files into the container: a tar stream on stdin, unpacked into DIR, owned by the
# kiosk user (it is their clone).
unpack_inside() {
  local dir="$1"
  inside install -d -o "$KIOSK_USER" -g "$KIOSK_USER" "$dir"
  inside tar -C "$dir" --no-same-owner -xf -
  inside chown -R "$KIOSK_USER:$KIOSK_USER" "$dir"
}

copy_checkout() {
  # What a clone of this checkout holds, with uncommitted edits, without build output.
  (cd "$PROJECT" && git ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' file; do [ -e "$file" ] && printf '%s\0' "$file"; done \
    | tar --null -T - -cf -) | unpack_inside /home/$KIOSK_USER/doorbook
}

# ---- Checks from inside ----

http() { inside curl --silent --show-error --max-time 10 "$@"; }

wait_for_kiosk() {
  local started="$1"
  for _ in $(seq 600); do
    if http --fail -o /dev/null http://127.0.0.1:8000/healthz 2>/dev/null; then
      echo $((SECONDS - started)); return 0
    fi
    sleep 0.5
  done
  fail "/healthz did not answer within 5 minutes"
}

latest_schema() {
  inside runuser -u doorbook -- env DOORBOOK_DATA=/var/lib/doorbook /opt/doorbook/venv/bin/doorbook check \
    | sed -n 's/^Schema version: \([0-9]*\) of \([0-9]*\)$/\1 \2/p'
}

check_running_system() {
  local unit state health pid uid user exposure schema
  for unit in doorbook.service doorbook-backup.timer; do
    state="$(inside systemctl is-active "$unit" || true)"
    [ "$state" = active ] || fail "$unit is $state"
    ok "$unit is active"
  done
  # Other long-running doorbook units that install.sh enabled (e.g. replication) must run.
  for unit in $(inside systemctl list-unit-files --no-legend --state=enabled 'doorbook*.service' \
      | cut -d' ' -f1); do
    case "$unit" in doorbook.service|doorbook-backup.service) continue ;; esac
    state="$(inside systemctl is-active "$unit" || true)"
    [ "$state" = active ] || fail "$unit is enabled but $state"
    ok "$unit is active"
  done

  health="$(http --fail http://127.0.0.1:8000/healthz)" || fail "/healthz did not answer"
  read -r schema latest < <(latest_schema)
  python3 -c 'import json, sys; h = json.loads(sys.argv[1])
sys.exit(not (h.get("status") == "ok" and h.get("schema") == int(sys.argv[2])))' "$health" "$latest" \
    || fail "/healthz answered $health (expected status ok, schema $latest)"
  [ "$schema" = "$latest" ] || fail "the database has $schema of $latest migrations"
  ok "/healthz on 127.0.0.1: status ok, schema $latest; doorbook check: schema $schema of $latest"
  if http --max-time 3 -o /dev/null "http://$CONTAINER_IP:8000/healthz" 2>/dev/null; then
    fail "Doorbook answers on $CONTAINER_IP:8000: it must listen on 127.0.0.1 only"
  fi
  ok "nothing answers on the network address $CONTAINER_IP:8000 (127.0.0.1 only)"
  http --fail http://127.0.0.1:8000/ | grep -c "Parent or carer" > /dev/null \
    || fail "the kiosk's home screen does not show 'Parent or carer'"
  ok "the kiosk's home screen is served to the Pi itself"
  check_kiosk_speaks_polish
  check_panel_over_https

  pid="$(inside systemctl show -P MainPID doorbook.service)"
  uid="$(inside sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$pid/status")"
  user="$(inside getent passwd "$uid" | cut -d: -f1)"
  [ "$user" = doorbook ] || fail "doorbook.service runs as $user, not doorbook"
  ok "doorbook.service (pid $pid in the container) runs as $user"
  if inside runuser -u "$KIOSK_USER" -- test -w /opt/doorbook/app/doorbook/__init__.py; then
    fail "the kiosk user can change the code the service runs"
  fi
  ok "the app is root's: the kiosk user cannot change it"

  inside systemctl start doorbook-backup.service || fail "the backup service failed"
  inside sh -c 'ls /var/backups/doorbook/doorbook-*.db >/dev/null' || fail "no backup was made"
  ok "doorbook-backup.service makes a backup in /var/backups/doorbook"

  inside grep -qxF "/opt/doorbook/app/deploy/kiosk-browser.sh &" \
    "/home/$KIOSK_USER/.config/labwc/autostart" || fail "the kiosk browser is not in labwc's autostart"
  [ "$(inside stat -c %U "/home/$KIOSK_USER/.config/labwc/autostart")" = "$KIOSK_USER" ] \
    || fail "the autostart file is not the kiosk user's"
  ok "labwc's autostart for $KIOSK_USER starts the kiosk browser"

  exposure="$(inside systemd-analyze security --no-pager doorbook.service \
    | sed -n 's/.*Overall exposure level for doorbook.service: \([0-9.]*\).*/\1/p')"
  [ -n "$exposure" ] || fail "systemd-analyze security printed no exposure level"
  if ! awk -v a="$exposure" -v b="$RECORDED_EXPOSURE" 'BEGIN { exit !(a <= b) }'; then
    inside systemd-analyze security --no-pager doorbook.service | grep -v '✓' | head -40
    fail "exposure $exposure is worse than the recorded $RECORDED_EXPOSURE (tests/booted/exposure-limit)"
  fi
  EXPOSURE="$exposure"
  # The GPIO pins stay reachable under the device rules (a container cannot enforce device
  # rules, so this is what systemd will apply on the Pi).
  inside systemctl show -P DeviceAllow doorbook.service | grep -c "char-gpiochip rw" > /dev/null \
    || fail "doorbook.service's device list does not hold the GPIO pins (char-gpiochip rw)"
  ok "doorbook.service may use the GPIO pins: DeviceAllow $(inside systemctl show -P DeviceAllow doorbook.service | paste -sd, -)"
  ok "systemd-analyze security doorbook.service: exposure $exposure (recorded: $RECORDED_EXPOSURE)"
  # The other Doorbook services, for the record (not held to a figure here).
  OTHER_EXPOSURES=""
  for unit in $(inside systemctl list-unit-files --no-legend 'doorbook?*.service' | cut -d' ' -f1); do
    exposure="$(inside systemd-analyze security --no-pager "$unit" \
      | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')"
    OTHER_EXPOSURES="${OTHER_EXPOSURES:+$OTHER_EXPOSURES, }$unit $exposure"
  done
  ok "exposure of the other units: ${OTHER_EXPOSURES:-none}"
}

# Everything the installer writes, and the data, by content; plus the service's process.
snapshot() {
  # shellcheck disable=SC2016 # expanded inside
  inside sh -c '
    cd / && find etc/systemd/system -maxdepth 1 -name "doorbook*" -type f -print0 \
      | xargs -0 sha256sum
    find etc/doorbook etc/caddy/Caddyfile etc/systemd/journald.conf.d/doorbook.conf \
      opt/doorbook/app home/'"$KIOSK_USER"'/.config/labwc -type f -print0 | sort -z | xargs -0 sha256sum
    find opt/doorbook/app etc/doorbook var/lib/doorbook -printf "%p %U %G %m\n" | sort
    sha256sum var/lib/doorbook/secret_key var/lib/doorbook/credential_key
    echo "doorbook.service pid $(systemctl show -P MainPID doorbook.service)"
    echo "doorbook.service started $(systemctl show -P ActiveEnterTimestampMonotonic doorbook.service)"
  '
  data_counts
}

data_counts() {
  inside runuser -u doorbook -- env DOORBOOK_DATA=/var/lib/doorbook /opt/doorbook/venv/bin/doorbook check \
    | grep -v -e audit_log -e alerts
}

migrations_applied() {
  inside sqlite3 -readonly /var/lib/doorbook/doorbook.db \
    "SELECT name FROM _sqlite_migrations ORDER BY name" | sort
}

log_in_as_manager() {
  local username="${1:-manager}" password="${2:-$PASSWORD}"
  local jar=/root/cookies token status
  inside rm -f "$jar"
  token="$(http -c "$jar" http://127.0.0.1:8000/admin/login \
    | sed -n 's/.*name="csrf_token"[^>]*value="\([^"]*\)".*/\1/p' | head -1)"
  [ -n "$token" ] || fail "no CSRF token on the login page"
  status="$(http -b "$jar" -c "$jar" -o /dev/null -w '%{http_code} %{redirect_url}' \
    --data-urlencode "csrf_token=$token" --data-urlencode "username=$username" \
    --data-urlencode "password=$password" http://127.0.0.1:8000/admin/login)"
  case "$status" in
    302*|303*) ok "the manager $username logs in to the panel ($status)" ;;
    *) fail "the manager $username could not log in (answer: $status)" ;;
  esac
}

# The kiosk as the Pi's own browser uses it: a session cookie, the page's CSRF token, htmx.
KIOSK_JAR=/root/kiosk-cookies
KIOSK_TOKEN=""
kiosk_home() {
  inside rm -f "$KIOSK_JAR"
  KIOSK_TOKEN="$(http -c "$KIOSK_JAR" http://127.0.0.1:8000/ \
    | sed -n 's/.*"X-CSRFToken": &#34;\([^&]*\)&#34;.*/\1/p' | head -1)"
  [ -n "$KIOSK_TOKEN" ] || fail "no CSRF token on the kiosk's home screen"
}
kiosk_post() {
  local path="$1"; shift
  http -b "$KIOSK_JAR" -c "$KIOSK_JAR" -H "HX-Request: true" -H "X-CSRFToken: $KIOSK_TOKEN" \
    "$@" "http://127.0.0.1:8000$path" | sed -e 's/<[^>]*>//g' -e 's/&#39;/'"'"'/g'
}

check_kiosk_speaks_polish() {
  kiosk_home
  kiosk_post /language --data language=pl | grep -c "Rodzic lub opiekun" > /dev/null \
    || fail "the kiosk did not switch to Polish (are the translations compiled?)"
  ok "the kiosk's home screen in Polish says 'Rodzic lub opiekun' (translations compiled)"
}

# The office PC's way in (README: "The office PC"): Caddy's HTTPS, checked against the root
# certificate the README says to install on the PC; the session cookie is Secure.
check_panel_over_https() {
  local root=/var/lib/caddy/.local/share/caddy/pki/authorities/local/root.crt headers=""
  for _ in $(seq 60); do
    if inside test -s "$root" && headers="$(http --fail -D - -o /dev/null --cacert "$root" \
        --resolve doorbook.local:443:127.0.0.1 https://doorbook.local/admin/login 2>/dev/null)"; then
      break
    fi
    headers=""
    sleep 0.5
  done
  [ -n "$headers" ] || fail "Caddy does not serve https://doorbook.local/admin/login with its own root certificate"
  grep -i '^set-cookie:' <<< "$headers" | grep -ci 'secure' > /dev/null \
    || fail "the panel's cookie over HTTPS is not Secure"
  ok "Caddy serves https://doorbook.local/admin/login, trusted with its root.crt; the cookie is Secure"
}

# A parent of the demo setting types her PIN: greeted, and (with sign_in) signs her two in.
kiosk_parent() {
  local page nonce
  kiosk_home
  page="$(http -b "$KIOSK_JAR" -c "$KIOSK_JAR" -H "HX-Request: true" -H "X-CSRFToken: $KIOSK_TOKEN" \
    --data credential=482913 http://127.0.0.1:8000/parent/identify)"
  grep -q "Hello, Rachel" <<< "$page" || fail "PIN 482913 did not greet Rachel at the kiosk"
  ok "at the kiosk, PIN 482913 says 'Hello, Rachel'"
  [ "${1:-}" = sign_in ] || return 0
  nonce="$(grep -o 'name="nonce" value="[^"]*"' <<< "$page" | head -1 | cut -d'"' -f4)"
  local form=(--data "nonce=$nonce") child
  while read -r child; do
    form+=(--data "child=$child")
  done < <(grep -o 'name="child" value="[0-9]*"' <<< "$page" | cut -d'"' -f4)
  [ ${#form[@]} -gt 2 ] || fail "the kiosk offered Rachel no children to sign in"
  kiosk_post /parent/sign-in "${form[@]}" | grep -c "Signed in" > /dev/null \
    || fail "signing in at the kiosk did not say 'Signed in'"
  ok "at the kiosk, Rachel signs her children in"
}

# Someone at the terminal: wait for a line of install.log, then type.
wait_for_line() {
  for _ in $(seq 600); do
    grep -q "$@" "$RUN/install.log" 2>/dev/null && return 0
    sleep 0.5
  done
}
type_when() { wait_for_line -e "$1"; sleep 0.2; printf '%s\n' "$2"; }

# ---- 1. A fresh Debian 12 becomes a kiosk ----

fresh_install() {
  boot fresh 0
  copy_checkout
  local src="/home/$KIOSK_USER/doorbook" started seconds before after

  say "install.sh refuses what it cannot finish, before changing anything"
  if install_inside "$src"; then fail "install.sh ran without a kiosk user"; fi
  grep -q -- "--kiosk-user" "$RUN/install.log" || fail "the error does not name --kiosk-user"
  if install_inside "$src" --kiosk-user pi; then fail "install.sh ran with a kiosk user that does not exist"; fi
  grep -q "no user 'pi'.*--kiosk-user" "$RUN/install.log" \
    || fail "the error does not say that pi does not exist, naming --kiosk-user"
  if install_inside "$src" --kiosk-user "$KIOSK_USER"; then fail "install.sh ran with no password and no terminal"; fi
  grep -q -- "--manager-password-file" "$RUN/install.log" || fail "the error does not name --manager-password-file"
  inside test ! -e /opt/doorbook || fail "a refused run changed the system"
  ok "each refusal names the option to use; nothing was changed"

  say "install.sh for real, non-interactively (the first manager's password from a file)"
  printf '%s\n' "$PASSWORD" | inside sh -c 'umask 077 && cat > /root/manager-password'
  started=$SECONDS
  install_inside "$src" --kiosk-user "$KIOSK_USER" --manager-password-file /root/manager-password \
    || fail "install.sh failed"
  seconds="$(wait_for_kiosk "$started")"
  figure "time to a serving kiosk (fresh Debian 12, its packages cached, Python packages and htmx downloaded): $seconds s"
  grep -q "skipped: screen blanking off" "$RUN/install.log" || fail "the skipped screen blanking was not said"
  ok "the skipped screen blanking was said out loud"
  check_running_system
  log_in_as_manager
  figure "systemd-analyze security doorbook.service: exposure $EXPOSURE (recorded limit $RECORDED_EXPOSURE); $OTHER_EXPOSURES"

  say "install.sh a second time: it must change nothing and keep the data"
  before="$(snapshot)"
  started=$SECONDS
  install_inside "$src" --kiosk-user "$KIOSK_USER" || fail "the second install.sh failed"
  figure "second install.sh run (nothing to do): $((SECONDS - started)) s"
  after="$(snapshot)"
  if [ "$before" != "$after" ]; then
    diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | head -30
    fail "the second run changed something (above)"
  fi
  ! grep -q -e "wrote:" -e "copied:" -e "started:" "$RUN/install.log" \
    || fail "the second run says it wrote, copied or started something"
  ok "the same files, the same data, the same server process (not restarted)"
  check_running_system
  log_in_as_manager

  say "At a terminal, by sudo (no --kiosk-user: the sudo user), install.sh asks for the password"
  inside systemctl stop doorbook.service
  inside mv /var/lib/doorbook /var/lib/doorbook.kept
  local typed="typed-at-a-terminal-$$"
  # script(1) gives install.sh a terminal; the password is typed when asked, then again.
  : > "$RUN/install.log"
  { type_when "Password for manager" "$typed"; type_when "Repeat for confirmation" "$typed"
    wait_for_line -e "==> Done" -e "Error" -e "install.sh:"; } \
    | inside env "${NET_ENV[@]}" SUDO_USER="$KIOSK_USER" \
        timeout 300 script -qec "bash $src/deploy/install.sh" /dev/null \
    > "$RUN/install.log" 2>&1 || { sed 's/^/    | /' "$RUN/install.log"; fail "install.sh at a terminal failed"; }
  sed 's/^/    | /' "$RUN/install.log"
  grep -c "Password for manager" "$RUN/install.log" > /dev/null || fail "install.sh did not ask for the password"
  ! grep -c "$typed" "$RUN/install.log" > /dev/null || fail "the typed password was shown"
  wait_for_kiosk "$SECONDS" > /dev/null
  log_in_as_manager manager "$typed"
  ok "asked at the terminal, not shown, and the manager logs in with it"
  inside systemctl stop doorbook.service
  inside rm -rf /var/lib/doorbook
  inside mv /var/lib/doorbook.kept /var/lib/doorbook
  stop_container
}

# ---- 2. An upgrade from the previous release ----

upgrade() {
  git -C "$PROJECT" cat-file -e "$PREVIOUS_RELEASE^{commit}" 2>/dev/null \
    || git -C "$PROJECT" fetch --quiet origin "$PREVIOUS_RELEASE" 2>/dev/null \
    || git -C "$PROJECT" fetch --quiet --unshallow origin 2>/dev/null \
    || fail "the previous release $PREVIOUS_RELEASE is not in this clone (a shallow clone? git fetch --unshallow, or set PREVIOUS_RELEASE)"
  boot upgrade 1
  local old="/home/$KIOSK_USER/doorbook-previous" src="/home/$KIOSK_USER/doorbook" before after
  local migrations_before migrations_after new started seconds

  say "The previous release ($(git -C "$PROJECT" log -1 --format='%h %cs %s' "$PREVIOUS_RELEASE"))"
  git -C "$PROJECT" archive "$PREVIOUS_RELEASE" | unpack_inside "$old"
  # Raspberry Pi OS has a gpio group; the previous installer relied on it.
  inside groupadd --system gpio
  INSTALL_ENV=(DOORBOOK_MANAGER_PASSWORD="$PASSWORD")
  install_inside "$old" --kiosk-user "$KIOSK_USER" || fail "the previous release's install.sh failed"
  INSTALL_ENV=()
  wait_for_kiosk "$SECONDS" > /dev/null
  ok "the previous release serves"

  say "Some data in it: the demo setting (people, today's register, visits), and a sign-in"
  inside systemctl stop doorbook.service
  inside runuser -u doorbook -- env DOORBOOK_DATA=/var/lib/doorbook \
    /opt/doorbook/venv/bin/doorbook demo --replace | sed 's/^/    | /'
  inside systemctl start doorbook.service
  wait_for_kiosk "$SECONDS" > /dev/null
  kiosk_parent sign_in
  before="$(data_counts | grep -v -e '^Schema' -e '^All checks')"
  printf '%s\n' "$before" | sed 's/^/    /'
  migrations_before="$(migrations_applied)"
  local keys_before keys_after
  keys_before="$(inside sha256sum /var/lib/doorbook/secret_key /var/lib/doorbook/credential_key)"

  say "This checkout's install.sh over it"
  copy_checkout
  started=$SECONDS
  install_inside "$src" --kiosk-user "$KIOSK_USER" || fail "the upgrade failed"
  seconds="$(wait_for_kiosk "$started")"
  figure "upgrade from the previous release until the kiosk serves again: $seconds s"
  after="$(data_counts | grep -v -e '^Schema' -e '^All checks')"
  [ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after"); fail "the upgrade changed the data"; }
  keys_after="$(inside sha256sum /var/lib/doorbook/secret_key /var/lib/doorbook/credential_key)"
  [ "$keys_before" = "$keys_after" ] || fail "the upgrade replaced the secret keys"
  ok "the same people and records; the same secret and credential keys"
  migrations_after="$(migrations_applied)"
  new="$(comm -13 <(echo "$migrations_before") <(echo "$migrations_after") | paste -sd' ' -)"
  [ -z "$(comm -23 <(echo "$migrations_before") <(echo "$migrations_after"))" ] \
    || fail "migrations went missing"
  if [ -n "$new" ]; then
    ok "migrations applied by the upgrade: $new"
  else
    ok "migrations applied by the upgrade: none (the previous release already had all $(echo "$migrations_after" | wc -l))"
  fi
  check_running_system
  log_in_as_manager priya acorns-demo-manager
  kiosk_parent
  check_replication_to_a_folder
  stop_container
}

# The replication unit runs Litestream under the same hardening as the server: prove that a
# copy really reaches a folder destination (a USB stick under /mnt) with it.
check_replication_to_a_folder() {
  local copied=""
  inside install -d -o doorbook -g doorbook -m 0700 /mnt/doorbook-copy
  inside sed -i '/^DOORBOOK_REPLICA_URL=/d' /etc/doorbook/doorbook.env
  inside sh -c 'echo DOORBOOK_REPLICA_URL=file:///mnt/doorbook-copy >> /etc/doorbook/doorbook.env'
  inside systemctl restart doorbook-replication.service
  for _ in $(seq 120); do
    if [ -n "$(inside find /mnt/doorbook-copy -type f -name '*.ltx' -print -quit 2>/dev/null)" ]; then
      copied=yes; break
    fi
    sleep 0.5
  done
  [ -n "$copied" ] || { inside journalctl -u doorbook-replication.service --no-pager -n 30 || true
    fail "Litestream made no copy in /mnt/doorbook-copy within 60 s under the unit's hardening"; }
  [ "$(inside systemctl is-active doorbook-replication.service || true)" = active ] \
    || fail "doorbook-replication.service stopped after copying"
  ok "doorbook-replication.service (hardened as the server) copied the database to a folder"
}

build_roots
fresh_install
upgrade
say "All checks passed. Figures:"
sed 's/^/    /' "$RUN/figures"
