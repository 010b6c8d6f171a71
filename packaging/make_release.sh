#!/usr/bin/env bash
# Linux release archive of a built bundle:
#   packaging/make_release.sh DIR VERSION  ->  dist/bcigui-VERSION-linux-x86_64.tar.gz
# The archive unpacks to bcigui-VERSION-linux-x86_64/ holding the onedir bundle (bcigui, _internal/),
# the desktop entry, the icon, install.sh (menu entry + `bcigui` on PATH for the current user) and a README.
set -euo pipefail

DIR=${1:?usage: packaging/make_release.sh DIR VERSION}
VERSION=${2:?usage: packaging/make_release.sh DIR VERSION}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
ARCH=$(uname -m)
NAME=bcigui-$VERSION-linux-$ARCH
OUT=$ROOT/dist/$NAME.tar.gz

[ -x "$DIR/bcigui" ] || { echo "make_release: no bundle in $DIR (run make bundle)" >&2; exit 1; }
got=$("$DIR/bcigui" --version)
[ "$got" = "bcigui $VERSION" ] || { echo "make_release: bundle is '$got', expected 'bcigui $VERSION'" >&2; exit 1; }

# The oldest glibc the bundle runs on: the newest GLIBC_x.y symbol version any of its binaries needs.
GLIBC=$(find "$DIR" -type f \( -name '*.so*' -o -name bcigui \) -exec objdump -T {} + 2>/dev/null \
        | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
cp -a "$DIR" "$STAGE/$NAME"
cp "$HERE/bcigui.desktop" "$HERE/install.sh" "$STAGE/$NAME/"
cp "$ROOT/bcigui/resources/icons/app.svg" "$STAGE/$NAME/bcigui.svg"
cat > "$STAGE/$NAME/README.txt" <<EOF
bcigui $VERSION for Linux $ARCH (self-contained: no Python or pip needed; needs glibc $GLIBC or newer).

Run it from here:       ./bcigui              (GUI; ./bcigui --help lists the headless sub-commands)
Add it to the menu:     ./install.sh          (desktop entry, icon, ~/.local/bin/bcigui link)
Remove it from the menu: ./install.sh --uninstall

Plugins: put a plugin module in ~/.local/share/bcigui/plugins/ (see bcigui plugins).
Without a display: QT_QPA_PLATFORM=offscreen, or use the sub-commands.
EOF
tar -C "$STAGE" --owner=0 --group=0 -czf "$OUT" "$NAME"
echo "$OUT ($(du -h "$OUT" | cut -f1))"
