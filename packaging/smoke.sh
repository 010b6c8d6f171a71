#!/usr/bin/env bash
# Smoke test of a frozen bcigui bundle: runs the bundled executable through every step below and stops
# with "SMOKE FAILED: <step>" and a non-zero status at the first one that fails.
#
#   packaging/smoke.sh DIR        DIR is the onedir bundle (dist/bcigui, or an unpacked release archive)
#
# Steps: --version; `plugins` lists every built-in plugin (the same as the source install) and a
# pure-Python plugin dropped into the user plugin folder, with no failures; `simulate` streams while
# `streams` sees it; `train` on PhysioNet S001 writes a model that `evaluate` reads back (with a built-in
# pipeline and with the folder plugin's pipeline); every listed pipeline trains (2-fold) and its model loads; the GUI starts offscreen (and on X11 under Xvfb when
# xvfb-run is installed), shows its main window, imports every plugin's code and quits; a model trained by the bundle loads and scores identically in the source
# install, and a model trained by the source install loads and scores identically in the bundle.
#
# Environment: BCIGUI_SOURCE (source-install `bcigui`, default .venv/bin/bcigui of this repository),
# BCIGUI_DATA (default ../shared/data beside the repository), PYTHON (any python3, to read JSON).
set -euo pipefail

DIR=${1:?usage: packaging/smoke.sh DIR  (the onedir bundle, e.g. dist/bcigui)}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC=${BCIGUI_SOURCE:-$REPO/.venv/bin/bcigui}
DATA=${BCIGUI_DATA:-$REPO/../shared/data}
PY=${PYTHON:-python3}
EVENTS=T1=hands,T2=feet

STEP="setup"
WORK=
SIM_PID=
cleanup() { [ -z "$SIM_PID" ] || kill "$SIM_PID" 2>/dev/null || true; [ -z "$WORK" ] || rm -rf "$WORK"; }
FAILED=
trap 'rc=$?; cleanup; [ $rc -eq 0 ] || [ -n "$FAILED" ] || echo "SMOKE FAILED: $STEP (exit status $rc; see the output above)" >&2' EXIT
fail() { FAILED=1; echo "SMOKE FAILED: $STEP: $*" >&2; exit 1; }
step() { STEP=$1; echo "== $STEP"; }
now() { date +%s.%N; }
elapsed() { "$PY" -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$(now)"; }
json() { "$PY" -c "import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2], {'d': d}))" "$@"; }

[ -d "$DIR" ] || fail "no such bundle folder $DIR (build it with: make bundle)"
[ -d "$DATA" ] || fail "no data folder $DATA (set BCIGUI_DATA)"
APP=$(cd "$DIR" && pwd)/bcigui
DATA=$(cd "$DATA" && pwd)
EDF=$DATA/physionet-eegmmidb/MNE-eegbci-data/files/eegmmidb/1.0.0/S001
RUNS=("$EDF/S001R06.edf" "$EDF/S001R10.edf" "$EDF/S001R14.edf")
[ -x "$APP" ] || fail "no executable $APP (build it with: make bundle)"
[ -x "$SRC" ] || fail "no source install at $SRC (make .venv/.installed, or set BCIGUI_SOURCE)"
for f in "${RUNS[@]}"; do [ -f "$f" ] || fail "missing data file $f (set BCIGUI_DATA)"; done

# Everything the app writes goes to a throw-away home; run from there, so nothing comes from the source tree.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bcigui-smoke.XXXXXX")
export HOME=$WORK/home XDG_DATA_HOME=$WORK/home/.local/share XDG_CONFIG_HOME=$WORK/home/.config \
       MPLCONFIGDIR=$WORK/home/.mpl BCIGUI_SETTINGS=$WORK/settings.json BCIGUI_WORKSPACE=$WORK/workspace \
       BCIGUI_PLUGINS_DIR=$WORK/plugins
unset PYTHONPATH PYTHONHOME
mkdir -p "$HOME" "$BCIGUI_PLUGINS_DIR"
cd "$WORK"

# A pure-Python plugin in the user plugin folder, importing stdlib modules bcigui itself never imports.
cat > "$BCIGUI_PLUGINS_DIR/smoke_folder.py" <<'EOF'
"""Folder plugin written by packaging/smoke.sh: a CSP + LDA decoder with 4 filters."""
import graphlib
import sqlite3

from bcigui.core.plugins import PluginSpec


def make_pipeline(sfreq, ch_names, classes):
    from bcigui.core.decoders.pipelines import make_csp_lda

    return make_csp_lda(sfreq, ch_names, classes, n_components=4)


def bcigui_plugins():
    sqlite3.connect(":memory:").execute("select 1")  # the stdlib extension modules are there too
    graphlib.TopologicalSorter({"a": {"b"}}).static_order()
    tags = {"paradigm": "mi", "filter": {"l_freq": 8.0, "h_freq": 30.0, "order": 2}, "tmin": 0.5, "tmax": 2.5}
    return [PluginSpec("smoke_folder_csp", "decoder", make_pipeline, "CSP (4) + LDA, smoke-test folder plugin",
                       tags=tags)]
EOF

step "version"
t0=$(now)
out=$("$APP" --version)
echo "$out  ($(elapsed "$t0") s)"
expected=$("$SRC" --version)
[ "$out" = "$expected" ] || fail "bundle says '$out', source install says '$expected'"

step "plugins"
"$APP" plugins --json > plugins-frozen.json
BCIGUI_PLUGINS_DIR=$WORK/no-plugins "$SRC" plugins --json > plugins-source.json
# Built-in plugins: those declared by bcigui's own entry points ("entry point NAME (bcigui.xxx:PLUGINS)").
builtin='sorted((p["kind"], p["name"]) for p in d["plugins"] if p["origin"].split("(")[-1].startswith("bcigui."))'
frozen=$(json plugins-frozen.json "$builtin")
src_list=$(json plugins-source.json "$builtin")
echo "bundle: $(json plugins-frozen.json 'len(d["plugins"])') plugins, $(json plugins-frozen.json 'len(d["failed"])') failed"
[ "$(json plugins-frozen.json 'd["failed"]')" = "[]" ] || fail "plugins failed: $(json plugins-frozen.json 'd["failed"]')"
[ "$frozen" = "$src_list" ] || fail "built-in plugins differ from the source install: bundle $frozen, source $src_list"
for kind in source feature decoder paradigm view; do
  n=$(json plugins-frozen.json "sum(p['kind'] == '$kind' for p in d['plugins'])")
  [ "$n" -gt 0 ] || fail "no built-in $kind plugin"
done
[ "$(json plugins-frozen.json '[p["origin"].startswith("plugin folder") for p in d["plugins"] if p["name"] == "smoke_folder_csp"]')" = "[True]" ] \
  || fail "the folder plugin smoke_folder_csp is not listed"

step "simulate + streams"
NAME=bcigui-smoke-$$-$RANDOM
"$APP" simulate --paradigm mi --seconds 5 --name "$NAME" --quiet > simulate.log 2>&1 &
SIM_PID=$!
seen=
for _ in 1 2 3 4; do
  "$APP" streams --json --timeout 1 > streams.json
  seen=$(json streams.json "sorted(s['name'] for s in d['streams'] if s['name'].startswith('$NAME'))")
  [ "$seen" = "['$NAME', '$NAME-markers']" ] && break
done
echo "streams seen: $seen"
[ "$seen" = "['$NAME', '$NAME-markers']" ] || { cat simulate.log; fail "streams did not see $NAME and $NAME-markers"; }
wait "$SIM_PID" || { cat simulate.log; fail "simulate exited with status $?"; }
SIM_PID=

train() {  # train EXE PIPELINE OUT (progress goes to OUT.log, shown if training fails)
  "$1" train --data "${RUNS[@]}" --paradigm mi --events "$EVENTS" --pipeline "$2" --out "$3" --report "$3.json" \
    2> "$3.log" || { tail -40 "$3.log"; fail "$1 train --pipeline $2 failed"; }
}
evaluate() {  # evaluate EXE MODEL REPORT
  "$1" evaluate --model "$2" --data "${RUNS[@]}" --report "$3" 2> "$3.log" \
    || { tail -40 "$3.log"; fail "$1 evaluate --model $2 failed"; }
}

step "train + evaluate (bundle)"
t0=$(now)
train "$APP" csp_lda frozen.bcimodel
echo "train: $(elapsed "$t0") s"
evaluate "$APP" frozen.bcimodel frozen-by-frozen.json
[ "$(json frozen-by-frozen.json 'd["n_trials"]')" -gt 0 ] || fail "no trial scored"

step "train + evaluate with the folder plugin (bundle)"
train "$APP" smoke_folder_csp folder.bcimodel
evaluate "$APP" folder.bcimodel folder-by-frozen.json

step "every pipeline trains (bundle, 2-fold)"
# Pipelines import much of their code lazily (pyriemann, mne-connectivity, filter banks ...): train each
# once so that a module PyInstaller missed shows up here, not at a clinic.
# Enough trials for the pipelines' inner 5-fold searches: 30 MI trials, 64 SSVEP trials.
KAL=("$DATA"/kalunga2016-ssvep/subject01/*_raw.fif)
"$APP" pipelines > pipelines.txt
while read -r name paradigm _; do
  if [ "$paradigm" = mi ]; then
    data=("${RUNS[@]:0:2}"); args=(--paradigm mi --events "$EVENTS")
  else
    data=("${KAL[@]}"); args=(--paradigm ssvep --events 1=rest,2=13,4=17,3=21 --tmin 2 --tmax 4)
  fi
  t0=$(now)
  "$APP" train --data "${data[@]}" "${args[@]}" --pipeline "$name" --cv 2 --out "p-$name.bcimodel" > "p-$name.out" \
    2> "p-$name.log" || { tail -30 "p-$name.log"; fail "pipeline $name failed to train"; }
  "$APP" evaluate --model "p-$name.bcimodel" --data "${data[0]}" > "p-$name.eval" 2>> "p-$name.log" \
    || { tail -30 "p-$name.log"; fail "pipeline $name: its model failed to load"; }
  printf '  %-20s %-6s %6s s  %s\n' "$name" "$paradigm" "$(elapsed "$t0")" "$(head -1 "p-$name.eval")"
done < pipelines.txt
[ "$(wc -l < pipelines.txt)" -ge 10 ] || fail "only $(wc -l < pipelines.txt) pipelines listed"

step "GUI offscreen"
t0=$(now)
QT_QPA_PLATFORM=offscreen BCIGUI_SMOKE_GUI=1 timeout 300 "$APP" > gui.log 2>&1 || { cat gui.log; fail "the GUI failed"; }
line=$(grep '^smoke-gui: ' gui.log | tail -1)
echo "${line#smoke-gui: }  (total $(elapsed "$t0") s)"
echo "${line#smoke-gui: }" > gui.json
[ "$(json gui.json 'd["ok"] and d["frozen"] and d["n_plugins"] > 0')" = "True" ] || { cat gui.log; fail "$line"; }

step "GUI on X11 (Xvfb)"
# The xcb platform plugin is what a Linux desktop uses; it needs more libraries than offscreen.
if command -v xvfb-run >/dev/null; then
  QT_QPA_PLATFORM=xcb BCIGUI_SMOKE_GUI=1 timeout 300 xvfb-run -a -s "-screen 0 1600x1000x24" "$APP" > gui-x11.log 2>&1 \
    || { cat gui-x11.log; fail "the GUI failed on X11"; }
  line=$(grep '^smoke-gui: ' gui-x11.log | tail -1)
  echo "${line#smoke-gui: }"
  echo "${line#smoke-gui: }" > gui-x11.json
  [ "$(json gui-x11.json 'd["ok"] and d["frozen"]')" = "True" ] || { cat gui-x11.log; fail "$line"; }
else
  echo "WARNING: xvfb-run not installed, the X11 start was NOT tested (make bundle-deps installs it)" >&2
fi

step "model interchange"
evaluate "$SRC" frozen.bcimodel frozen-by-source.json
train "$SRC" csp_lda source.bcimodel
evaluate "$APP" source.bcimodel source-by-frozen.json
evaluate "$SRC" source.bcimodel source-by-source.json
for pair in "frozen-by-frozen frozen-by-source" "source-by-source source-by-frozen"; do
  set -- $pair
  a=$(json "$1.json" '(d["accuracy"], d["n_trials"], d["predictions"])'); b=$(json "$2.json" '(d["accuracy"], d["n_trials"], d["predictions"])')
  [ "$a" = "$b" ] || fail "$1 scored $a but $2 scored $b"
done
echo "bundle model in source install: $(json frozen-by-source.json 'd["accuracy"]'); source model in bundle: $(json source-by-frozen.json 'd["accuracy"]')"

STEP=done
echo "SMOKE OK: $APP"
