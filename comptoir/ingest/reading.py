"""The pipeline's understand step, spread over two cores for long inputs.

Reading (language, sentiment, intents, urgency) is CPU-bound and needs no database, so a
long input shares it with a helper process: each batch is cut into slices, all handed to
the helper as soon as the batch is validated, and this process takes back the slices the
helper has not started yet when it needs the readings. The helper reads ahead while this
process stores the batch before; when storing is quicker than reading, this process reads
too, so neither core waits for the other. Short inputs (a webhook's few events) are read
here: starting a process would cost more than it saves.

The helper is a fresh interpreter (spawn), started on first use and kept for the next long
input, so its models load once. It shares no database connection, exits with this process
(even a killed one), and if it dies its slices are read here and the next long input starts
a new one. Its readings are exactly this process's: the same function on the same models.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import chain
from multiprocessing import get_context

from comptoir.channels.events import InboundEvent
from comptoir.understanding.analyzer import Reading, analyze_lean, end_with_parent

logger = logging.getLogger(__name__)

SLICE = 250  # texts per piece of work handed to the helper: about 40 ms of reading

_HELPER: list[ProcessPoolExecutor] = []
_HELPER_LOCK = threading.Lock()

_Arguments = tuple[list[str], list[str], list[bool], str]


def read(
    events: Sequence[InboundEvent], channel_kind: str, *, share: bool
) -> Callable[[], dict[str, Reading]]:
    """Starts reading ``events``; returns the call that gives each event's reading by
    external id (the first of duplicates wins). With ``share``, and two cores, the helper
    process reads alongside this one (see the module docstring).

    Every event is read, whatever its direction: the language is stored for all, while
    sentiment, intents and urgency are stored for inbound messages only (see
    ``pipeline.reading_fields``), as they describe what people say to the brand.
    """
    if not events:
        return dict
    # Plain str and bool only: the helper process unpickles them without Django.
    texts = [str(e.text or e.subject) for e in events]
    hints = [str(e.language) for e in events]
    publics = [e.visibility == "public" for e in events]
    pieces: list[_Arguments] = [
        (texts[s : s + SLICE], hints[s : s + SLICE], publics[s : s + SLICE], str(channel_kind))
        for s in range(0, len(texts), SLICE)
    ]
    if not share or _cores() < 2:
        readings = _by_id(events, [r for piece in pieces for r in analyze_lean(*piece)])
        return lambda: readings
    futures = _hand_over(pieces)

    def collect() -> dict[str, Reading]:
        return _by_id(events, list(chain.from_iterable(_gather(pieces, futures))))

    return collect


def _hand_over(pieces: list[_Arguments]) -> list[Future[list[Reading]] | None]:
    """Each piece handed to the helper; None for those it could not take (it died)."""
    futures: list[Future[list[Reading]] | None] = []
    for piece in pieces:
        try:
            futures.append(_helper().submit(analyze_lean, *piece))
        except BrokenProcessPool:
            _helper_died()
            futures.append(None)
    return futures


def _gather(
    pieces: list[_Arguments], futures: list[Future[list[Reading]] | None]
) -> list[list[Reading]]:
    """Each piece's readings. The helper works from the first piece: this process takes
    back, from the last, those it has not started and reads them itself."""
    results: list[list[Reading] | None] = [None] * len(pieces)
    for index in reversed(range(len(pieces))):
        future = futures[index]
        if future is None or future.cancel():
            results[index] = analyze_lean(*pieces[index])
    gathered: list[list[Reading]] = []
    for index, result in enumerate(results):
        future = futures[index]
        if result is None and future is not None:
            try:
                result = future.result()
            except BrokenProcessPool:
                _helper_died()
                result = analyze_lean(*pieces[index])
        gathered.append(result or [])
    return gathered


def _by_id(events: Sequence[InboundEvent], readings: list[Reading]) -> dict[str, Reading]:
    by_id: dict[str, Reading] = {}
    for event, reading in zip(events, readings, strict=True):
        by_id.setdefault(event.external_id, reading)
    return by_id


def _helper_died() -> None:
    """The helper died (killed, out of memory): what it had is read here, and the next
    long input starts a new helper."""
    logger.warning("the reading helper process died; reading in this process")
    _forget_helper()


def _helper() -> ProcessPoolExecutor:
    with _HELPER_LOCK:
        if not _HELPER:
            _HELPER.append(
                ProcessPoolExecutor(
                    1,
                    mp_context=get_context("spawn"),
                    initializer=end_with_parent,
                    initargs=(os.getpid(),),
                )
            )
            atexit.register(_forget_helper)
        return _HELPER[0]


def helper_running() -> bool:
    return bool(_HELPER)


def _forget_helper() -> None:
    with _HELPER_LOCK:
        while _HELPER:
            _HELPER.pop().shutdown(wait=False, cancel_futures=True)


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
