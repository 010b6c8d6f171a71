#!/usr/bin/env bash
# Install (or with --uninstall remove) the unpacked bcigui release for the current user: a menu entry
# (~/.local/share/applications/bcigui.desktop), its icon (hicolor theme) and ~/.local/bin/bcigui.
# The bundle itself stays where it was unpacked; move the folder first if you want it elsewhere.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
APPS=$DATA/applications
ICONS=$DATA/icons/hicolor/scalable/apps
BIN=$HOME/.local/bin

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$APPS/bcigui.desktop" "$ICONS/bcigui.svg"
  [ "$(readlink "$BIN/bcigui" 2>/dev/null)" = "$HERE/bcigui" ] && rm -f "$BIN/bcigui"
  echo "bcigui removed from the menu (the folder $HERE is left in place)"
  exit 0
fi
[ -z "${1:-}" ] || { echo "usage: $0 [--uninstall]" >&2; exit 2; }
[ -x "$HERE/bcigui" ] || { echo "install.sh: no bcigui executable next to this script" >&2; exit 1; }

mkdir -p "$APPS" "$ICONS" "$BIN"
cp "$HERE/bcigui.svg" "$ICONS/bcigui.svg"
# The desktop entry starts this copy by its absolute path (quoted: the path may contain spaces).
sed "s|^Exec=.*|Exec=\"$HERE/bcigui\"|" "$HERE/bcigui.desktop" > "$APPS/bcigui.desktop"
ln -sfn "$HERE/bcigui" "$BIN/bcigui"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$APPS" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$DATA/icons/hicolor" || true
echo "bcigui installed: menu entry $APPS/bcigui.desktop, command $BIN/bcigui -> $HERE/bcigui"
