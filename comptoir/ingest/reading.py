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
from typing import TYPE_CHECKING, Any

from comptoir.bulk import collector_paused
from comptoir.understanding.analyzer import (
    INTENT_THRESHOLD,
    Reading,
    analyze_lean,
    end_with_parent,
    languages_of,
)

if TYPE_CHECKING:  # the helper process imports this module without Django
    from comptoir.channels.events import InboundEvent

logger = logging.getLogger(__name__)

SLICE = 250  # texts per piece of work handed to the helper: about 40 ms of reading

_HELPER: list[ProcessPoolExecutor] = []
_HELPER_LOCK = threading.Lock()

_Arguments = tuple[list[str], list[str], list[bool], list[str], str]
_Stored = dict[str, Any]  # a message's stored readings, see ``reading_fields``


def read(
    events: Sequence[InboundEvent], channel_kind: str, *, share: bool
) -> Callable[[], dict[str, _Stored]]:
    """Starts reading ``events``; returns the call that gives, by external id, each
    event's stored readings (``reading_fields``; the first of duplicates wins). With
    ``share``, and two cores, the helper process reads alongside this one (see the module
    docstring).
    """
    if not events:
        return dict
    # Plain str and bool only: the helper process unpickles them without Django.
    texts = [str(e.text or e.subject) for e in events]
    hints = [str(e.language) for e in events]
    publics = [e.visibility == "public" for e in events]
    directions = [str(e.direction) for e in events]
    pieces: list[_Arguments] = [
        (
            texts[s : s + SLICE],
            hints[s : s + SLICE],
            publics[s : s + SLICE],
            directions[s : s + SLICE],
            str(channel_kind),
        )
        for s in range(0, len(texts), SLICE)
    ]
    if not share or _cores() < 2:
        readings = _by_id(events, [r for piece in pieces for r in read_piece(*piece)])
        return lambda: readings
    futures = _hand_over(pieces)

    def collect() -> dict[str, _Stored]:
        return _by_id(events, list(chain.from_iterable(_gather(pieces, futures))))

    return collect


def read_piece(
    texts: list[str],
    hints: list[str],
    publics: list[bool],
    directions: list[str],
    channel_kind: str,
) -> list[_Stored]:
    """The stored readings of a piece of a batch, in this process or the helper. Only the
    language of the brand's own messages is stored (``reading_fields``), so that is all
    they are read for: an import of a brand's own posts costs a fraction of the rest."""
    with collector_paused():
        stored: list[_Stored] = [{} for _ in texts]
        inbound = [n for n, direction in enumerate(directions) if direction == "inbound"]
        if inbound:
            readings = analyze_lean(
                [texts[n] for n in inbound],
                [hints[n] for n in inbound],
                [publics[n] for n in inbound],
                channel_kind,
            )
            for n, reading in zip(inbound, readings, strict=True):
                stored[n] = reading_fields(reading, "inbound")
        own = [n for n, direction in enumerate(directions) if direction != "inbound"]
        if own:
            languages = languages_of([texts[n] for n in own], [hints[n] for n in own])
            for n, language in zip(own, languages, strict=True):
                stored[n] = {**reading_fields(None, directions[n]), "language": language}
        return stored


def reading_fields(reading: Reading | None, direction: str) -> _Stored:
    """A message's stored readings: the language always; sentiment, intents and urgency
    for inbound messages only, as they describe what people say to the brand, not its
    replies. Only the intents that fire are kept, with their scores rounded."""
    if reading is None or direction != "inbound":
        return {
            "language": reading.language if reading else "",
            "sentiment_label": "",
            "sentiment_score": None,
            "intents": {},
            "urgency": "",
            "urgency_reasons": [],
        }
    return {
        "language": reading.language,
        "sentiment_label": reading.sentiment,
        "sentiment_score": round(reading.sentiment_score, 3),
        "intents": {
            name: round(score, 2)
            for name, score in reading.intents.items()
            if score >= INTENT_THRESHOLD
        },
        "urgency": str(reading.urgency),
        "urgency_reasons": [str(reason) for reason in reading.urgency_reasons],
    }


def _hand_over(pieces: list[_Arguments]) -> list[Future[list[_Stored]] | None]:
    """Each piece handed to the helper; None for those it could not take (it died)."""
    futures: list[Future[list[_Stored]] | None] = []
    for piece in pieces:
        try:
            futures.append(_helper().submit(read_piece, *piece))
        except BrokenProcessPool:
            _helper_died()
            futures.append(None)
    return futures


def _gather(
    pieces: list[_Arguments], futures: list[Future[list[_Stored]] | None]
) -> list[list[_Stored]]:
    """Each piece's readings. The helper works from the first piece: this process takes
    back, from the last, those it has not started and reads them itself."""
    results: list[list[_Stored] | None] = [None] * len(pieces)
    for index in reversed(range(len(pieces))):
        future = futures[index]
        if future is None or future.cancel():
            results[index] = read_piece(*pieces[index])
    gathered: list[list[_Stored]] = []
    for index, result in enumerate(results):
        future = futures[index]
        if result is None and future is not None:
            try:
                result = future.result()
            except BrokenProcessPool:
                _helper_died()
                result = read_piece(*pieces[index])
        gathered.append(result or [])
    return gathered


def _by_id(events: Sequence[InboundEvent], readings: list[_Stored]) -> dict[str, _Stored]:
    by_id: dict[str, _Stored] = {}
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


def _forget_helper() -> None:
    with _HELPER_LOCK:
        while _HELPER:
            _HELPER.pop().shutdown(wait=False, cancel_futures=True)


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
