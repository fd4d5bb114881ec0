"""Parsed files cached on disk, and parsed in parallel.

As ruff does, sanlint keeps the parse result of every file it reads in a
cache directory, so a re-check (pre-commit!) parses only what changed.

* Where: `--cache-dir`, else `$SANLINT_CACHE_DIR`, else
  `$XDG_CACHE_HOME/sanlint`, else `~/.cache/sanlint` (never inside a checked
  site unless one of those says so); entries live in `parsed/`.
  `--no-cache` or `SANLINT_NO_CACHE=1` turn it off.
* Key: SHA-256 of the file's bytes, its format, how it was reached (two
  parsers look at the name), sanlint's version and a fingerprint of the
  parser code and the grammars.  An entry also carries the fingerprint
  and is ignored when it differs or cannot be read (corrupt, truncated).
* An entry is the parse result pickled with its `SourceFile` left out: on
  loading, the spans are bound to the file being checked now, and the host
  or cluster the result belongs to is decided afterwards by the builder, as
  for a fresh parse.  Results that cannot be pickled (the CIB's, which keep
  their XML tree for lazy positions) are simply not cached.
* Writes are atomic (a temporary file in the same directory, then rename),
  so concurrent runs never see half an entry; the directory is trimmed to
  `SANLINT_CACHE_MAX_MB` (default 256) by dropping the oldest entries.

Parallel parsing: `ParseEngine.prefetch` parses a batch of files in a
process pool (`--jobs`, default the number of cores) when the batch is big
enough to pay for the pool; the builder then takes each result as it
reaches the file, so the site is built in the same order, with the same
results, as a serial run.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from pathlib import Path
from typing import Any, Iterable

from sanlint.source import ParseError, SourceFile, Span

MAGIC = b"sanlint-parse-2\0"
PARALLEL_MIN_FILES = 64  # smaller batches parse faster in-process than a pool starts
PARALLEL_MIN_BYTES = 2 * 1024 * 1024


def default_dir() -> Path:
    from sanlint.parsers.grammar import cache_dir

    return cache_dir()


_FINGERPRINT: bytes | None = None


def fingerprint() -> bytes:
    """sanlint's version, the Python/pickle generation, and the size and
    mtime of every parser, model and grammar file (a development tree that
    changes a parser invalidates its entries without a version bump)."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        import sys

        import sanlint
        from sanlint.parsers.grammar import grammar_dir

        h = hashlib.sha256(f"{sanlint.__version__}\0{sys.version_info[:2]}\0{pickle.HIGHEST_PROTOCOL}".encode())
        pkg = Path(sanlint.__file__).resolve().parent
        files = sorted([*(pkg / "parsers").glob("*.py"), *(pkg / "model").glob("*.py"), pkg / "source.py",
                        pkg / "formats.py", *grammar_dir().glob("*.lark")])
        for f in files:
            try:
                st = f.stat()
            except OSError:
                continue
            h.update(f"{f.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        _FINGERPRINT = h.hexdigest()[:32].encode()
    return _FINGERPRINT


def key_of(fmt: str, display: str, path: Path | str | None, data: bytes) -> str:
    h = hashlib.sha256(fingerprint())
    h.update(f"\0{fmt}\0{display}\0{path or ''}\0".encode("utf-8", "surrogateescape"))
    h.update(data)
    return h.hexdigest()


# -- pickling with the source file left out ------------------------------------
#
# Spans are pickled as (start, end) and SourceFile references as a marker,
# through the pickler's dispatch table (looked up in C: only Span and
# SourceFile objects cost a Python call; a persistent_id hook is called for
# every object and made writing an entry slower than parsing the file).
# On loading they are bound to the file being checked now.

_LOADING: list[SourceFile] = []  # the file entries are being bound to (a stack: loads may nest)


def _span(start: int, end: int) -> Span:
    return Span(_LOADING[-1], start, end)


def _source() -> SourceFile:
    return _LOADING[-1]


def _reduce_span(span: Span) -> tuple:
    if span.file is not _DUMPING[-1]:
        raise pickle.PicklingError("a span into another file")  # never cached: parsed again instead
    return (_span, (span.start, span.end))


def _reduce_source(src: SourceFile) -> tuple:
    if src is not _DUMPING[-1]:
        raise pickle.PicklingError("another source file")
    return (_source, ())


_DUMPING: list[SourceFile] = []
_DISPATCH = {Span: _reduce_span, SourceFile: _reduce_source}


def dumps(outcome: tuple, src: SourceFile) -> bytes:
    buf = io.BytesIO()
    buf.write(MAGIC + fingerprint() + b"\0")
    p = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    p.dispatch_table = _DISPATCH
    _DUMPING.append(src)
    try:
        p.dump(outcome)
    finally:
        _DUMPING.pop()
    return buf.getvalue()


def loads(blob: bytes, src: SourceFile) -> tuple | None:
    """The (kind, value) stored by `dumps`, bound to `src`; None when the
    blob is not a valid entry of this sanlint."""
    head = MAGIC + fingerprint() + b"\0"
    if not blob.startswith(head):
        return None
    _LOADING.append(src)
    try:
        outcome = pickle.loads(memoryview(blob)[len(head):])
    except Exception:  # corrupt or truncated: parse again
        return None
    finally:
        _LOADING.pop()
    if not (isinstance(outcome, tuple) and len(outcome) == 2 and outcome[0] in ("ok", "err")):
        return None
    return outcome


def _error_fields(e: ParseError) -> tuple:
    return (e.message, e.line, e.column, e.found, e.expected, e.char_offset)


def _raise(fields: tuple) -> None:
    message, line, column, found, expected, char_offset = fields
    raise ParseError(message, line, column, found=found, expected=expected, char_offset=char_offset)


def parse_outcome(src: SourceFile) -> tuple:
    """("ok", result) or ("err", ParseError fields); other exceptions propagate."""
    from sanlint.parsers import parse

    try:
        return ("ok", parse(src))
    except ParseError as e:
        return ("err", _error_fields(e))


def parse_outcome_or_raise(src: SourceFile) -> Any:
    """sanlint.parsers.parse, its ParseError rebuilt as the cache does (same fields)."""
    kind, value = parse_outcome(src)
    if kind == "err":
        _raise(value)
    return value


# -- the on-disk store -----------------------------------------------------------

class Store:
    def __init__(self, directory: Path, max_bytes: int | None = None) -> None:
        self.dir = Path(directory) / "parsed"
        if max_bytes is None:
            try:
                max_bytes = int(float(os.environ.get("SANLINT_CACHE_MAX_MB", "256")) * 1024 * 1024)
            except ValueError:
                max_bytes = 256 * 1024 * 1024
        self.max_bytes = max_bytes
        self.written = 0
        self.broken = False  # an unwritable directory: stop trying, never fail the check

    def path(self, key: str) -> Path:
        return self.dir / key[:2] / key[2:]

    def get(self, key: str) -> bytes | None:
        try:
            with open(self.path(key), "rb") as fh:
                return fh.read()
        except OSError:
            return None

    def put(self, key: str, blob: bytes) -> None:
        if self.broken:
            return
        target = self.path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            import tempfile

            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(blob)
                os.replace(tmp, target)  # atomic: a concurrent reader sees the old entry or the new one
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except OSError:
            self.broken = True
            return
        self.written += len(blob)

    def trim(self) -> None:
        """Drop the oldest entries until the store is within its bound."""
        if not self.written or not self.dir.is_dir():
            return
        entries = []
        total = 0
        for sub in os.scandir(self.dir):
            if not sub.is_dir():
                continue
            for e in os.scandir(sub.path):
                try:
                    st = e.stat()
                except OSError:
                    continue
                entries.append((st.st_mtime_ns, st.st_size, e.path))
                total += st.st_size
        if total <= self.max_bytes:
            return
        entries.sort()
        goal = self.max_bytes * 0.8
        for _mtime, size, path in entries:
            if total <= goal:
                break
            try:
                os.unlink(path)
            except OSError:
                continue
            total -= size


# -- the engine the site builder parses through ----------------------------------

def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


_DEFAULTS: dict[str, Any] = {"cache": None, "cache_dir": None, "jobs": None, "progress": None}


def configure(**options: Any) -> None:
    """Process-wide defaults for engines built without arguments: the CLI's
    --no-cache (`cache=False`), --cache-dir, --jobs and a `progress` callback."""
    unknown = set(options) - set(_DEFAULTS)
    if unknown:
        raise TypeError(f"unknown engine options: {sorted(unknown)}")
    _DEFAULTS.update(options)


class ParseEngine:
    """Parses source files for the site builder: from the cache when it can,
    in a process pool for big batches, in-process otherwise."""

    def __init__(self, cache: bool | None = None, cache_dir: str | os.PathLike | None = None,
                 jobs: int | None = None) -> None:
        cache = _DEFAULTS["cache"] if cache is None else cache
        cache_dir = cache_dir or _DEFAULTS["cache_dir"]
        jobs = jobs or _DEFAULTS["jobs"]
        if cache is None:
            cache = os.environ.get("SANLINT_NO_CACHE", "") in ("", "0")
        self.store = Store(Path(cache_dir) if cache_dir else default_dir()) if cache else None
        self.jobs = max(1, jobs if jobs else _cpus())
        self.ready: dict[str, bytes] = {}  # prefetched blobs by key, consumed by parse()
        self._pool = None
        self.on_parsed = _DEFAULTS["progress"]  # progress callback: called with the number of files parsed

    # -- one file --------------------------------------------------------
    def parse(self, src: SourceFile) -> Any:
        """Like sanlint.parsers.parse, through the cache (except for the
        formats whose parser is faster than the cache: `Format.pool`)."""
        from sanlint.formats import BY_NAME

        spec = BY_NAME.get(src.format or "")
        if spec is not None and not spec.pool:
            if self.on_parsed:
                self.on_parsed(1)
            return parse_outcome_or_raise(src)
        key = key_of(src.format or "", src.display, src.path, src.data)
        blob = self.ready.pop(key, None)
        if blob is None and self.store is not None:
            blob = self.store.get(key)
        outcome = loads(blob, src) if blob is not None else None
        if outcome is None:
            outcome = parse_outcome(src)
            if self.store is not None:
                try:
                    blob = dumps(outcome, src)
                except Exception:  # e.g. a CIB's lxml tree: not cached
                    blob = None
                if blob is not None:
                    self.store.put(key, blob)
        if self.on_parsed:
            self.on_parsed(1)
        kind, value = outcome
        if kind == "err":
            _raise(value)
        return value

    # -- many files ------------------------------------------------------
    def prefetch(self, items: Iterable[tuple[str, str, Path | None, bytes]]) -> None:
        """Parse (format, display, path, data) items ahead, in parallel when
        enough of them are not cached.  Nothing is reported here: a file that
        fails to parse is parsed again (and reported) when the builder
        reaches it."""
        if self.jobs < 2:
            return
        todo = []
        size = 0
        from sanlint.formats import BY_NAME

        for fmt, display, path, data in items:
            spec = BY_NAME.get(fmt)
            if spec is not None and not spec.pool:
                continue  # parsed in-process faster than a worker's result is unpickled
            key = key_of(fmt, display, path, data)
            if key in self.ready or (self.store is not None and self.store.path(key).exists()):
                continue
            todo.append((key, fmt, display, str(path) if path else None, data))
            size += len(data)
        if len(todo) < PARALLEL_MIN_FILES and size < PARALLEL_MIN_BYTES:
            return
        pool = self._get_pool()
        if pool is None:
            return
        n = max(1, min(self.jobs * 4, len(todo)))
        chunks = [todo[i::n] for i in range(n)]
        store_dir = str(self.store.dir.parent) if self.store is not None else None
        try:
            for results in pool.map(_parse_batch, chunks, [store_dir] * len(chunks)):
                self.ready.update(results)
                if self.store is not None:
                    self.store.written += sum(len(b) for _k, b in results)  # the workers wrote them
        except Exception:  # a broken pool (killed worker...): the builder parses in-process
            self.close()

    def _get_pool(self):
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            try:
                ctx = multiprocessing.get_context("fork")
            except ValueError:  # no fork on this platform: serial
                self.jobs = 1
                return None
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=ctx)
        return self._pool

    def close(self) -> None:
        clear = getattr(self.on_parsed, "clear", None)
        if clear is not None:
            clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self.ready.clear()
        if self.store is not None:
            self.store.trim()


def _parse_batch(items: list, store_dir: str | None) -> list[tuple[str, bytes]]:
    """In a worker: parse each item, write its cache entry, return the blobs."""
    store = Store(Path(store_dir)) if store_dir else None
    out = []
    for key, fmt, display, path, data in items:
        src = SourceFile(display=display, data=data, path=Path(path) if path else None, format=fmt)
        try:
            outcome = parse_outcome(src)
            blob = dumps(outcome, src)
        except Exception:  # an internal parser error or an unpicklable result: the builder handles it
            continue
        if store is not None:
            store.put(key, blob)
        out.append((key, blob))
    return out
