#!/usr/bin/env bash
# Doorbook on a Raspberry Pi (Raspberry Pi OS Bookworm, 64-bit, desktop) or any Debian 12:
# one script, run as root, from a checkout of Doorbook. Safe to run again: it upgrades in
# place, keeps the data, and when nothing changed it changes nothing.
#
#   sudo deploy/install.sh --kiosk-user USER [--manager-password-file FILE] [--dry-run]
#
# --kiosk-user USER  the desktop user whose session shows the kiosk (default: the user
#                    running sudo). It must exist: Raspberry Pi OS Bookworm has no "pi".
# --manager-password-file FILE  the first manager's password (first line of FILE), for
#                    installing without a terminal; or set DOORBOOK_MANAGER_PASSWORD.
#                    Asked for when neither is given and a terminal is there.
# --dry-run          prints what it would do and changes nothing.
# --root DIR         writes every file it would install under DIR instead of /, and skips
#                    what changes the system itself (packages, users, services), so tests
#                    can check it.
set -euo pipefail

SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT=""
DRY_RUN=0
KIOSK_USER="${SUDO_USER:-}"
PASSWORD_FILE=""
APP=/opt/doorbook/app
VENV=/opt/doorbook/venv
DATA=/var/lib/doorbook
BACKUPS=/var/backups/doorbook
PACKAGES=(python3-venv python3-dev make npm chromium curl caddy sqlite3 fonts-noto-core fonts-noto-ui-core fonts-noto-color-emoji printer-driver-ptouch cups)
# What a checkout holds that the installed app must not (build output, local data, git).
EXCLUDES=(.git .venv node_modules instance screenshots __pycache__ .pytest_cache .ruff_cache
  test-results '*.egg-info')

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT="${2:?--root needs a folder}"; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    --kiosk-user) KIOSK_USER="${2:?--kiosk-user needs a user}"; shift 2 ;;
    --manager-password-file) PASSWORD_FILE="${2:?--manager-password-file needs a file}"; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "install.sh: unknown option $1" >&2; usage 2 ;;
  esac
done

say() { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
skip() { printf '    skipped: %s\n' "$*"; }
fail() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }
real() { [ "$DRY_RUN" = 0 ] && [ -z "$ROOT" ]; }

# Run a command that changes the system; printed instead with --dry-run, skipped with --root.
system() {
  if [ "$DRY_RUN" = 1 ]; then note "would run: $*"; return 0; fi
  if [ -n "$ROOT" ]; then skip "$* (--root)"; return 0; fi
  "$@"
}

CHANGED_UNITS=0
CHANGED_CADDY=0
CHANGED_JOURNAL=0
CHANGED_APP=0
CHANGED_PYTHON=0

# Install a file from deploy/ (with @APP@ and @VENV@ filled in) at PATH, with MODE.
# Sets CHANGED to 1 when the file was missing or different.
put() {
  local from="$1" to="$2" mode="$3" target="$ROOT$2"
  CHANGED=0
  if [ "$DRY_RUN" = 1 ]; then note "would write: $to ($mode)"; CHANGED=1; return 0; fi
  install -d -m 0755 "$(dirname "$target")"
  sed -e "s|@APP@|$APP|g" -e "s|@VENV@|$VENV|g" "$from" > "$target.new"
  chmod "$mode" "$target.new"
  if [ -e "$target" ] && cmp -s "$target.new" "$target" \
      && [ "$(stat -c %a "$target")" = "$(stat -c %a "$target.new")" ]; then
    rm -f "$target.new"
    note "unchanged: $to"
  else
    mv "$target.new" "$target"
    note "wrote: $to ($mode)"
    CHANGED=1
  fi
}

# The checkout's files, by content: the same fingerprint means the same app.
fingerprint() {
  local prune=() name
  for name in "${EXCLUDES[@]}"; do prune+=(-name "$name" -o); done
  (cd "$SOURCE" && find . \( "${prune[@]}" -false \) -prune -o -type f -print0 \
    | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
}

# ---- Checks first: a run that cannot finish changes nothing. ----

if real && [ "$(id -u)" -ne 0 ]; then
  fail "run it as root (sudo deploy/install.sh), or with --dry-run"
fi

if [ -z "$KIOSK_USER" ] || [ "$KIOSK_USER" = root ]; then
  fail "which desktop user shows the kiosk? Give it with --kiosk-user USER (the user who logs in on the touchscreen; see README, Install)"
fi
if [ -n "$ROOT" ]; then
  KIOSK_HOME="/home/$KIOSK_USER"
  skip "checking that the kiosk user $KIOSK_USER exists (--root)"
elif ! KIOSK_HOME="$(getent passwd "$KIOSK_USER" | cut -d: -f6)" || [ -z "$KIOSK_HOME" ]; then
  fail "there is no user '$KIOSK_USER' on this system. Give the desktop user who shows the kiosk with --kiosk-user USER (Raspberry Pi OS Bookworm has no 'pi' user unless you made one)"
fi

FIRST_INSTALL=0
[ -e "$ROOT$DATA/doorbook.db" ] || FIRST_INSTALL=1
MANAGER_PASSWORD="${DOORBOOK_MANAGER_PASSWORD:-}"
unset DOORBOOK_MANAGER_PASSWORD
if [ -n "$PASSWORD_FILE" ]; then
  [ -r "$PASSWORD_FILE" ] || fail "cannot read the password file $PASSWORD_FILE (--manager-password-file)"
  IFS= read -r MANAGER_PASSWORD < "$PASSWORD_FILE" || true
  [ -n "$MANAGER_PASSWORD" ] || fail "the password file $PASSWORD_FILE is empty (--manager-password-file)"
fi
if [ "$FIRST_INSTALL" = 1 ] && real && [ -z "$MANAGER_PASSWORD" ] && ! [ -t 0 ]; then
  fail "no terminal to ask for the first manager's password: give it with --manager-password-file FILE or DOORBOOK_MANAGER_PASSWORD"
fi

# ---- The system ----

say "Debian packages: ${PACKAGES[*]}"
system apt-get update -qq
system env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${PACKAGES[@]}"

say "The doorbook system user (in the gpio group)"
if ! real; then
  system groupadd --system gpio
  system useradd --system --home-dir "$DATA" --no-create-home --shell /usr/sbin/nologin doorbook
  system usermod -a -G gpio doorbook
else
  if getent group gpio >/dev/null; then
    note "the gpio group is there"
  else
    groupadd --system gpio
    note "made the gpio group (Raspberry Pi OS has one; this system had none)"
  fi
  if id doorbook >/dev/null 2>&1; then
    note "the doorbook user is there"
  else
    useradd --system --home-dir "$DATA" --no-create-home --shell /usr/sbin/nologin doorbook
    note "made the doorbook user"
  fi
  if id -nG doorbook | tr ' ' '\n' | grep -qx gpio; then
    note "doorbook is in the gpio group"
  else
    usermod -a -G gpio doorbook
    note "added doorbook to the gpio group"
  fi
fi

# ---- The app ----

say "The app in $APP, its virtual environment in $VENV, htmx from the npm registry"
SOURCE_PRINT="$(fingerprint)"
if [ "$DRY_RUN" = 1 ]; then
  note "would copy: $SOURCE -> $APP (unless the same files are there already)"
elif [ -f "$ROOT$APP/.doorbook-source" ] \
    && [ "$(cat "$ROOT$APP/.doorbook-source")" = "$SOURCE_PRINT" ]; then
  note "unchanged: $APP (the same files as last time)"
else
  CHANGED_APP=1
  rm -rf "$ROOT$APP.new"
  install -d -m 0755 "$ROOT$APP.new"
  tar_excludes=()
  for name in "${EXCLUDES[@]}"; do tar_excludes+=("--exclude=$name"); done
  # Owned by root and not writable by anyone else: the desktop user cannot change the code
  # the service runs.
  tar -C "$SOURCE" "${tar_excludes[@]}" -cf - . \
    | (umask 022 && tar -C "$ROOT$APP.new" --no-same-owner --no-same-permissions -xf -)
  chmod 0755 "$ROOT$APP.new/deploy/kiosk-browser.sh"
  if real; then
    make --no-print-directory -C "$APP.new" VENV="$VENV" static/vendor/htmx.min.js \
      static/vendor/sse.min.js >/dev/null
  else
    skip "fetching htmx from npm (--root)"
  fi
  printf '%s\n' "$SOURCE_PRINT" > "$ROOT$APP.new/.doorbook-source"
  if real && systemctl is-active --quiet doorbook.service; then
    note "stopping doorbook.service for the upgrade (the new code starts in a minute)"
    systemctl stop doorbook.service
  fi
  rm -rf "$ROOT$APP.old"
  if [ -d "$ROOT$APP" ]; then mv "$ROOT$APP" "$ROOT$APP.old"; fi
  mv "$ROOT$APP.new" "$ROOT$APP"
  rm -rf "$ROOT$APP.old"
  note "copied: $SOURCE -> $APP"
fi

if [ "$DRY_RUN" = 1 ]; then
  note "would make the virtual environment and pip install the app (when pyproject.toml changed)"
elif [ -n "$ROOT" ]; then
  skip "the virtual environment and the Python packages (--root)"
elif [ -x "$VENV/bin/doorbook" ] \
    && cat "$APP/pyproject.toml" "$APP/constraints.txt" | cmp -s - "$VENV/.doorbook-requirements"; then
  note "unchanged: the Python packages (pyproject.toml and constraints.txt as last time)"
else
  CHANGED_PYTHON=1
  if systemctl is-active --quiet doorbook.service; then
    note "stopping doorbook.service for the upgrade"
    systemctl stop doorbook.service
  fi
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
  # The exact versions that were tested (constraints.txt), with the Pi's GPIO library (the
  # pi extra: lgpio; gpiozero uses it only when pins are set).
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -c "$APP/constraints.txt" \
    --editable "${APP}[pi]"
  cat "$APP/pyproject.toml" "$APP/constraints.txt" > "$VENV/.doorbook-requirements"
  note "installed: the Python packages into $VENV (the versions in constraints.txt)"
fi

if [ "$CHANGED_APP" = 1 ] || [ "$CHANGED_PYTHON" = 1 ]; then
  if real; then
    "$VENV/bin/pybabel" -q compile -d "$APP/translations"
    note "compiled: the kiosk's translations"
  else
    skip "compiling the kiosk's translations (no virtual environment with --root or --dry-run)"
  fi
fi

say "The data folder $DATA and the backup folder $BACKUPS (the doorbook user only)"
if [ "$DRY_RUN" = 1 ]; then
  note "would create: $DATA, $BACKUPS (0700)"
else
  install -d -m 0700 "$ROOT$DATA" "$ROOT$BACKUPS"
fi
system chown doorbook:doorbook "$DATA" "$BACKUPS"

say "Settings, services and timers"
if [ -e "$ROOT/etc/doorbook/doorbook.env" ]; then
  note "kept: /etc/doorbook/doorbook.env (yours; compare with $APP/deploy/doorbook.env)"
else
  put "$SOURCE/deploy/doorbook.env" /etc/doorbook/doorbook.env 0640
  CHANGED_UNITS=1
fi
for unit in "$SOURCE"/deploy/doorbook*.service "$SOURCE"/deploy/doorbook*.timer; do
  put "$unit" "/etc/systemd/system/${unit##*/}" 0644
  [ "$CHANGED" = 0 ] || CHANGED_UNITS=1
done
put "$SOURCE/deploy/journald-doorbook.conf" /etc/systemd/journald.conf.d/doorbook.conf 0644
CHANGED_JOURNAL=$CHANGED
put "$SOURCE/deploy/Caddyfile" /etc/caddy/Caddyfile 0644
CHANGED_CADDY=$CHANGED

say "The first manager"
if [ "$FIRST_INSTALL" = 0 ]; then
  skip "the database in $DATA is there already, and kept (add more people with doorbook create-user)"
elif ! real; then
  system runuser -u doorbook -- env DOORBOOK_DATA="$DATA" "$VENV/bin/doorbook" init
else
  # The password goes through the environment, never the command line (ps shows that);
  # without one, doorbook init asks at the terminal.
  if ! (cd "$DATA" && if [ -n "$MANAGER_PASSWORD" ]; then export DOORBOOK_MANAGER_PASSWORD="$MANAGER_PASSWORD"; fi \
        && runuser -u doorbook -- env DOORBOOK_DATA="$DATA" "$VENV/bin/doorbook" init); then
    # This run made the database a moment ago and it holds nothing yet: take it away, so
    # that the next run asks again instead of leaving Doorbook with no manager.
    rm -f "$DATA/doorbook.db" "$DATA/doorbook.db-wal" "$DATA/doorbook.db-shm"
    fail "the first manager was not made (see above); run install.sh again"
  fi
fi

say "Services"
if [ "$CHANGED_UNITS" = 1 ]; then
  system systemctl daemon-reload
else
  note "unchanged: the unit files (no daemon-reload)"
fi
system systemctl enable doorbook.service doorbook-backup.timer
system systemctl start doorbook-backup.timer
if [ "$CHANGED_APP$CHANGED_PYTHON$CHANGED_UNITS" != 000 ]; then
  system systemctl restart doorbook.service
  note "started: doorbook.service with what changed"
else
  system systemctl start doorbook.service
  note "unchanged: doorbook.service keeps running (nothing it uses changed)"
fi
say "The off-site copy: Litestream (pinned in pyproject.toml), idle until a destination is set"
system "$VENV/bin/litestream" version
system systemctl enable doorbook-replication.service
if [ "$CHANGED_APP$CHANGED_PYTHON$CHANGED_UNITS" != 000 ]; then
  system systemctl restart doorbook-replication.service
else
  system systemctl start doorbook-replication.service
fi
if [ "$CHANGED_JOURNAL" = 1 ]; then
  system systemctl restart systemd-journald.service
else
  note "unchanged: the journal's limits"
fi
if [ "$CHANGED_CADDY" = 1 ]; then
  system systemctl reload-or-restart caddy.service
else
  note "unchanged: Caddy's settings"
fi

say "The kiosk session for $KIOSK_USER (labwc autostart), screen blanking off"
autostart="$KIOSK_HOME/.config/labwc/autostart"
line="$APP/deploy/kiosk-browser.sh &"
if [ "$DRY_RUN" = 1 ]; then
  note "would add to $autostart: $line"
elif grep -qxF "$line" "$ROOT$autostart" 2>/dev/null; then
  note "unchanged: $autostart"
else
  install -d -m 0755 "$ROOT$KIOSK_HOME/.config/labwc"
  printf '%s\n' "$line" >> "$ROOT$autostart"
  note "added the kiosk browser to $autostart"
fi
system chown "$KIOSK_USER:" "$KIOSK_HOME/.config" "$KIOSK_HOME/.config/labwc" "$autostart"
if command -v raspi-config >/dev/null 2>&1; then
  system raspi-config nonint do_blanking 1
else
  skip "screen blanking off: there is no raspi-config (not Raspberry Pi OS); turn blanking off in the desktop's own settings"
fi

say "Done. The kiosk starts on the touchscreen; the panel is at https://doorbook.local/admin"
