"""Decoding in its own process: :class:`OnlineRunner` behind a pipe, out of reach of a busy GUI thread.

In the app, the GUI thread holds the GIL while pyqtgraph paints the live views, and a decode thread
beside it waits: last sample pushed -> prediction on the outlet, p99 11.7 ms in the app against 6-7 ms
alone (``benchmarks/bench_app.py``). :class:`DecoderProcess` runs the same :class:`OnlineRunner` (the
one decode path) in a child process with its own LSL inlet on the same stream (LSL serves any number
of inlets) and the model read from its file by the same safe loader; predictions and the runner's
status come back over a pipe.

The child lives as long as its owner (the online panel) and is told what changes: the model file
(:meth:`~DecoderProcess.set_model`), the stream (:meth:`~DecoderProcess.set_stream`), start and stop.
It imports the model machinery at once and buffers the stream as soon as it knows it, so decoding
starts on samples already received: the first prediction comes at once.
"""

from __future__ import annotations

import dataclasses
import importlib
import multiprocessing as mp
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bcigui.core.online.decoder import Prediction
from bcigui.core.online.runner import RunnerOptions, RunnerStatus
from bcigui.core.stream.lsl import StreamDescription


class _Pipe:
    """One end of the pipe: messages sent whole from any thread; a closed pipe is not an error
    (the other side has gone and its reason is reported otherwise)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self._lock = threading.Lock()

    def send(self, *msg: Any) -> None:
        with self._lock:
            try:
                self.conn.send(msg)
            except (OSError, ValueError):
                pass


class DecoderProcess:
    """An :class:`OnlineRunner` in a child process, with the face the GUI uses for a runner:
    ``status``, ``recent``, :meth:`subscribe`, :meth:`start` (returns ``self``), :meth:`stop`.

    Nothing here blocks: a problem (a model file that does not load, a stream that is gone, a model
    the stream does not fit) comes back as ``status.state == "error"`` with its reason.
    :meth:`close` ends the child.
    """

    def __init__(self, buffer_seconds: float = 60.0) -> None:
        self.status = RunnerStatus(state="idle")
        self.recent: deque[Prediction] = deque(maxlen=1000)
        self.source_id = ""  # of the predictions outlet, once the child has opened it
        self._run = 0  # which start() the child's messages belong to (none from an earlier run)
        # what the child lacks to decode ({"model": reason, "stream": reason}); empty: ready
        self.missing: dict[str, str] = {"model": "starting", "stream": "starting"}
        self._asked = self._answered = 0  # model/stream changes sent, and answered by the child
        self._callbacks: list[Callable[[Prediction], None]] = []
        self._stopped = threading.Event()  # the child confirmed a stop: no prediction of that run follows
        ctx = mp.get_context("spawn")  # never fork a process that runs Qt and LSL threads
        self._conn, child = ctx.Pipe()
        self._send = _Pipe(self._conn).send
        self._proc = ctx.Process(target=_child_main, args=(child, float(buffer_seconds)), name="bcigui-decoder",
                                 daemon=True)
        self._proc.start()
        child.close()
        self._reader = threading.Thread(target=self._read, name="bcigui-decoder-pipe", daemon=True)
        self._reader.start()

    # -- what the child decodes ----------------------------------------------------------------
    def set_model(self, path: str | Path | None) -> None:
        """Load this model file in the child (``None``: none); again if the file has changed since."""
        self._asked += 1
        if path is None:
            self._send("model", None)
            return
        try:
            st = Path(path).stat()
            self._send("model", (str(path), st.st_mtime_ns, st.st_size))
        except OSError:  # gone: the child says so when it tries
            self._send("model", (str(path), 0, 0))

    def set_stream(self, stream: StreamDescription | None) -> None:
        """Open this stream in the child and buffer it (``None``: close it)."""
        self._asked += 1
        self._send("stream", stream)

    # -- the runner's face -----------------------------------------------------------------------
    def subscribe(self, callback: Callable[[Prediction], None]) -> None:
        """Call ``callback(prediction)`` (from the pipe's reader thread) for every prediction."""
        self._callbacks.append(callback)

    def unsubscribe(self, callback: Callable[[Prediction], None]) -> None:
        """Stop calling ``callback`` (a session that ends while the process serves the next one)."""
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def start(self, options: RunnerOptions = RunnerOptions()) -> DecoderProcess:
        """Start decoding with ``options`` (as soon as the child has the model and the stream)."""
        self._run += 1
        self.recent.clear()
        self.status = RunnerStatus(state="starting")
        if not self.alive:
            self.status.state, self.status.reason = "error", self._ended()
        self._send("start", self._run, options)
        return self

    def stop(self, timeout: float = 0.0) -> None:
        """Stop decoding; the child stays, ready for the next :meth:`start`. With a ``timeout``, wait
        (at most that long) until the child has stopped and every prediction it made has been delivered."""
        self._stopped.clear()
        self._send("stop", self._run)
        if self.status.state != "error":
            self.status.state = "stopped"
        if timeout > 0 and self.alive:
            self._stopped.wait(timeout)

    def close(self, timeout: float = 5.0) -> None:
        """End the child (killed if it does not end within ``timeout``)."""
        self._send("quit")
        self._proc.join(timeout)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join(1.0)
        self._reader.join(1.0)
        self._conn.close()

    @property
    def ready(self) -> bool:
        """The child holds a loaded model and an open stream: decoding starts at once."""
        return not self.missing and self.alive

    @property
    def loading(self) -> bool:
        """The child has not yet answered every :meth:`set_model` and :meth:`set_stream` (``missing`` may be stale)."""
        return self._answered < self._asked

    def problem(self) -> str | None:
        """Why decoding cannot start: ``None`` when ready, ``""`` while the child is still answering
        what it was told (model, stream), else the reason."""
        if not self.alive:
            return self._ended()
        if self.loading:
            return ""
        return "; ".join(self.missing.values()) or None

    @property
    def alive(self) -> bool:
        return self._proc.is_alive()

    @property
    def pid(self) -> int | None:
        """The decoding process's id."""
        return self._proc.pid

    def _ended(self) -> str:
        code = self._proc.exitcode
        how = f" (killed by signal {-code})" if code is not None and code < 0 else (
            f" (exit code {code}; its error is in the app's error output)" if code else "")
        return f"the decoding process ended unexpectedly{how}"

    def _read(self) -> None:
        while True:
            try:
                kind, *args = self._conn.recv()
            except (EOFError, OSError):
                if self.status.state in ("starting", "running", "paused"):
                    self._proc.join(1.0)
                    self.status.state, self.status.reason = "error", self._ended()
                return
            if kind == "quit":
                return
            if kind == "holds":
                self.missing = {k: v for k, v in args[0].items() if v}
                self._answered += 1
                continue
            if args[0] != self._run:
                continue  # from a run stopped since
            if kind == "stopped":
                self._stopped.set()
                continue
            args, status = args[1:], self.status
            if kind == "pred":
                p, latency_ms = args
                status.latency_ms = latency_ms
                self.recent.append(p)
                status.predictions += 1
                for cb in list(self._callbacks):
                    try:
                        cb(p)
                    except Exception:  # a view's bug must not stop the pipe
                        pass
            elif kind == "status" and status.state in ("running", "paused"):
                for key, value in args[0].items():
                    if key != "predictions":  # counted here, in step with ``recent``
                        setattr(status, key, value)
            elif kind == "started":
                self.source_id = args[0]
                status.state = "running"
            elif kind == "error" and status.state == "starting":
                status.state, status.reason = "error", args[0]


def live_decoder(decoder: DecoderProcess | None, stream: StreamDescription | None, model_path: str | Path | None,
                 buffer_seconds: float = 60.0) -> DecoderProcess:
    """``decoder`` told this stream and model (a new process if there is none or it has died), so that
    it buffers the stream and loads the model before decoding is asked for."""
    if decoder is not None and not decoder.alive:  # it died (its reason was shown): a new one
        decoder.close()
        decoder = None
    if decoder is None:
        decoder = DecoderProcess(buffer_seconds)
    decoder.set_stream(stream)  # first: it buffers while the model loads
    decoder.set_model(model_path)
    return decoder


def _child_main(conn: Any, buffer_seconds: float) -> None:
    """The child: hold a model and an acquisition as told; run an OnlineRunner between start and stop."""
    from bcigui.core.model_file import load_model
    from bcigui.core.stream.acquisition import Acquisition

    # The slow part of loading a model (importing skops.io, ~2 s), in the background: a stream given
    # meanwhile opens at once and buffers while the model loads. Started after this thread's own
    # imports, so that the two threads never import the same modules at once.
    threading.Thread(target=importlib.import_module, args=("skops.io",), daemon=True).start()

    send = _Pipe(conn).send
    model = acq = runner = None
    model_file: tuple[str, int, int] | None = None  # path, mtime, size of the model loaded
    model_path, run = "", 0
    problem = {"model": "no model loaded", "stream": "no stream connected"}

    def stop_runner() -> None:
        nonlocal runner
        if runner is not None:
            runner.stop()
            runner = None

    try:
        while True:
            if conn.poll(0.1):
                kind, *args = conn.recv()
                if kind == "quit":
                    break
                if kind == "model" and args[0] != model_file:
                    stop_runner()
                    model, model_file = None, args[0]
                    model_path = model_file[0] if model_file else ""
                    problem["model"] = "no model loaded"
                    if model_path:
                        try:
                            model = load_model(model_path)
                        except Exception as err:
                            problem["model"] = f"cannot load {Path(model_path).name}: {err}"
                elif kind == "stream" and (acq is None or args[0] != acq.eeg.desc):
                    stop_runner()
                    if acq is not None:
                        acq.stop()
                    acq, problem["stream"] = None, "no stream connected"
                    if args[0] is not None:
                        try:
                            acq = Acquisition(args[0], markers=None, buffer_seconds=buffer_seconds).start()
                        except Exception as err:
                            problem["stream"] = f"cannot open stream {args[0].name!r}: {err}"
                if kind in ("model", "stream"):  # changed or not: what it holds now
                    send("holds", {"model": "" if model is not None else problem["model"],
                                   "stream": "" if acq is not None else problem["stream"]})
                elif kind == "stop":
                    stop_runner()
                    send("stopped", args[0])
                elif kind == "start" and runner is None:
                    run, opts = args
                    if model is None or acq is None:
                        send("error", run, problem["model"] if model is None else problem["stream"])
                        continue
                    try:
                        runner = opts.runner(model, acq, model_path=model_path)
                    except Exception as err:  # e.g. the stream lacks channels the model needs
                        send("error", run, str(err) if isinstance(err, ValueError) else f"{type(err).__name__}: {err}")
                        continue
                    current = runner
                    runner.subscribe(lambda p, r=current, k=run: send("pred", k, p, r.status.latency_ms))
                    runner.start()
                    send("started", run, runner.source_id)
            if runner is not None:
                send("status", run, dataclasses.asdict(runner.status))
    except (EOFError, OSError, KeyboardInterrupt):  # the app has gone
        pass
    finally:
        stop_runner()
        if acq is not None:
            acq.stop()
        send("quit")
        conn.close()
