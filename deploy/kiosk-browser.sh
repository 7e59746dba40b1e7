#!/usr/bin/env bash
# The entrance kiosk's browser: wait until Doorbook answers, then Chromium in kiosk mode;
# start it again whenever it exits. Started by the desktop session (labwc autostart).
set -euo pipefail

URL="${DOORBOOK_KIOSK_URL:-http://127.0.0.1:8000/}"
HEALTH="${URL%/}/healthz"

browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "kiosk-browser: neither chromium nor chromium-browser is installed" >&2
  exit 1
fi

wait_for_doorbook() {
  # No fixed sleep: ask /healthz until the server answers. Any answer will do: a 503 (e.g.
  # a full disk) still means the kiosk should show its page, which tells people what to do.
  until curl --silent --max-time 2 --output /dev/null "$HEALTH"; do
    sleep 1
  done
}

while true; do
  wait_for_doorbook
  "$browser" \
    --kiosk --noerrdialogs --disable-infobars --disable-session-crashed-bubble \
    --disable-pinch --overscroll-history-navigation=0 --no-first-run --incognito \
    --kiosk-printing --password-store=basic --check-for-update-interval=31536000 \
    "$URL" || true
done
