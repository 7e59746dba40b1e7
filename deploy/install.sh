#!/usr/bin/env bash
# Doorbook on a Raspberry Pi (Raspberry Pi OS Bookworm, 64-bit, desktop): one script, run
# as root, from a checkout of Doorbook. Safe to run again: it upgrades in place and keeps
# the data.
#
#   sudo deploy/install.sh [--kiosk-user USER] [--dry-run] [--root DIR]
#
# --dry-run  prints what it would do and changes nothing.
# --root DIR writes every file it would install under DIR instead of /, and skips what
#            changes the system itself (packages, users, services), so tests can check it.
set -euo pipefail

SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT=""
DRY_RUN=0
KIOSK_USER="${SUDO_USER:-pi}"
APP=/opt/doorbook/app
VENV=/opt/doorbook/venv
DATA=/var/lib/doorbook
PACKAGES=(python3-venv python3-dev make npm chromium curl caddy sqlite3 fonts-noto-core fonts-noto-ui-core fonts-noto-color-emoji printer-driver-ptouch cups)

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT="${2:?--root needs a folder}"; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    --kiosk-user) KIOSK_USER="${2:?--kiosk-user needs a user}"; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "install.sh: unknown option $1" >&2; usage 2 ;;
  esac
done

say() { printf '==> %s\n' "$*"; }

# Run a command that changes the system; printed instead with --dry-run, skipped with --root.
system() {
  if [ "$DRY_RUN" = 1 ]; then printf '    would run: %s\n' "$*"; return 0; fi
  if [ -n "$ROOT" ]; then return 0; fi
  "$@"
}

# Install a file from deploy/ (with @APP@ and @VENV@ filled in) at PATH, with MODE.
put() {
  local from="$1" to="$2" mode="$3"
  if [ "$DRY_RUN" = 1 ]; then printf '    would write: %s (%s)\n' "$to" "$mode"; return 0; fi
  install -d -m 0755 "$(dirname "$ROOT$to")"
  sed -e "s|@APP@|$APP|g" -e "s|@VENV@|$VENV|g" "$from" > "$ROOT$to.new"
  chmod "$mode" "$ROOT$to.new"
  mv "$ROOT$to.new" "$ROOT$to"
}

if [ -z "$ROOT" ] && [ "$DRY_RUN" = 0 ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run it as root (sudo deploy/install.sh), or with --dry-run" >&2
  exit 1
fi

say "Debian packages: ${PACKAGES[*]}"
system apt-get update -qq
system env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${PACKAGES[@]}"

say "The doorbook system user (in the gpio group)"
if ! id doorbook >/dev/null 2>&1; then
  system useradd --system --home-dir "$DATA" --no-create-home --shell /usr/sbin/nologin doorbook
fi
system usermod -a -G gpio doorbook

say "The app in $APP, its virtual environment in $VENV, htmx from the npm registry"
if [ "$DRY_RUN" = 1 ]; then
  printf '    would copy: %s -> %s\n' "$SOURCE" "$APP"
else
  install -d -m 0755 "$ROOT$APP"
  tar -C "$SOURCE" --exclude=.git --exclude=.venv --exclude=node_modules \
      --exclude=instance --exclude=screenshots --exclude=__pycache__ -cf - . \
    | tar -C "$ROOT$APP" -xf -
fi
system python3 -m venv "$VENV"
system "$VENV/bin/pip" install --quiet --upgrade pip
system "$VENV/bin/pip" install --quiet -c "$APP/constraints.txt" --editable "${APP}[pi]"
system make -C "$APP" VENV="$VENV" static/vendor/htmx.min.js static/vendor/sse.min.js

say "The data folder $DATA (the doorbook user only)"
if [ "$DRY_RUN" = 1 ]; then
  printf '    would create: %s (0700)\n' "$DATA"
else
  install -d -m 0700 "$ROOT$DATA"
  install -d -m 0700 "$ROOT/var/backups/doorbook"
fi
system chown doorbook:doorbook "$DATA" /var/backups/doorbook

say "Settings, services and timers"
if [ ! -e "$ROOT/etc/doorbook/doorbook.env" ]; then
  put "$SOURCE/deploy/doorbook.env" /etc/doorbook/doorbook.env 0640
fi
put "$SOURCE/deploy/doorbook.service" /etc/systemd/system/doorbook.service 0644
put "$SOURCE/deploy/doorbook-backup.service" /etc/systemd/system/doorbook-backup.service 0644
put "$SOURCE/deploy/doorbook-backup.timer" /etc/systemd/system/doorbook-backup.timer 0644
put "$SOURCE/deploy/journald-doorbook.conf" /etc/systemd/journald.conf.d/doorbook.conf 0644
put "$SOURCE/deploy/Caddyfile" /etc/caddy/Caddyfile 0644

say "The first manager (only when there is no database yet)"
if [ ! -e "$ROOT$DATA/doorbook.db" ]; then
  system runuser -u doorbook -- env DOORBOOK_DATA="$DATA" "$VENV/bin/doorbook" init
fi

system systemctl daemon-reload
system systemctl enable --now doorbook.service doorbook-backup.timer
system systemctl restart doorbook.service
system systemctl reload-or-restart systemd-journald.service caddy.service

say "The kiosk session for $KIOSK_USER (labwc autostart), screen blanking off"
home="/home/$KIOSK_USER"
autostart="$home/.config/labwc/autostart"
line="$APP/deploy/kiosk-browser.sh &"
if [ "$DRY_RUN" = 1 ]; then
  printf '    would add to %s: %s\n' "$autostart" "$line"
else
  install -d -m 0755 "$ROOT$home/.config/labwc"
  touch "$ROOT$autostart"
  grep -qxF "$line" "$ROOT$autostart" || printf '%s\n' "$line" >> "$ROOT$autostart"
  chmod 0755 "$ROOT$APP/deploy/kiosk-browser.sh"
fi
system chown -R "$KIOSK_USER:$KIOSK_USER" "$home/.config/labwc"
if command -v raspi-config >/dev/null 2>&1; then
  system raspi-config nonint do_blanking 1
fi

say "Done. The kiosk starts on the touchscreen; the panel is at https://doorbook.local/admin"
