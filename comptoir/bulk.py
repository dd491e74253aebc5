"""Fast bulk inserts and updates for hot paths (the ingest pipeline, cases it opens).

Django's ``bulk_create`` and ``bulk_update`` compile and prepare every value of every row
through the field machinery (about 150 µs a row for a message); at ingestion rates that is
most of the time. This writer keeps what matters and drops the rest: primary keys are
reserved up front (a sequence on PostgreSQL; on SQLite the table's high-water mark under the
write lock that the IMMEDIATE transaction already holds), rows are read from each object's
``__dict__`` in one C call, only JSON and (on SQLite) datetime values are converted, and
statements go to the database with ``executemany``. Knowing the ids before inserting also
lets a reply point at a parent from the same batch without a second write.

Only plain concrete fields are supported (no multi-table inheritance, no generated fields,
no field-level ``pre_save`` other than auto_now/auto_now_add); the caller must be inside
``transaction.atomic()``.

The other helpers serve the same hot paths: ``one_of`` passes the values of an IN lookup as
one parameter, ``loaded`` builds saved instances from plain rows, and ``collector_paused``
keeps Python's cycle collector out of a batch.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from operator import itemgetter
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL
from django.utils import timezone

_M = TypeVar("_M", bound=models.Model)
_T = TypeVar("_T")
CHUNK = 1000


def chunks(values: Sequence[_T], size: int) -> list[Sequence[_T]]:
    """``values`` cut into slices of ``size``, for batched statements."""
    return [values[start : start + size] for start in range(0, len(values), size)]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused for one batch of work, then run over what it left.

    An ingest batch allocates a few hundred thousand objects (events, model instances,
    rows), and the collector runs every 700 of them; its older generations walk every
    object alive in the process, the caller's whole input included. That was a quarter of
    the batch's time. Reference counting frees the batch's objects as usual; the young
    generation, collected at the end, catches the few cycles the batch made. A caller who
    turned the collector off keeps it off."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)


def one_of(values: Sequence[str] | Sequence[int]) -> RawSQL | list[Any]:
    """``values`` as one parameter for an ``__in`` lookup: ``filter(pk__in=one_of(ids))``.

    Django's IN lookup prepares each value through the field machinery and sends one
    parameter per value, which at ingestion sizes costs more than the query itself. This
    passes them all as one: a JSON array read by ``json_each`` on SQLite, an array on
    PostgreSQL. The values must be plain text or integers, as the column stores them.
    No values is an empty list, which Django answers without a query.
    """
    if not values:
        return []
    if connection.vendor == "postgresql":
        array = "bigint[]" if isinstance(values[0], int) else "text[]"
        return RawSQL(f"SELECT unnest(%s::{array})", [list(values)])  # noqa: S611 - fixed SQL, values as a parameter
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(values))])


@cache
def _defaults(
    model: type[models.Model],
) -> tuple[dict[str, Any], tuple[tuple[str, Any], ...], dict[str, str]]:
    """Each concrete field's default (constants once, callables such as dict per object),
    and the attname of each relation (``person`` -> ``person_id``)."""
    constants: dict[str, Any] = {}
    factories: list[tuple[str, Any]] = []
    relations: dict[str, str] = {}
    for field in model._meta.concrete_fields:
        if field.is_relation:
            relations[field.name] = field.attname
        if field.has_default() and callable(field.default):
            factories.append((field.attname, field.default))
        else:
            # "" for text fields without a default, None for nullable ones: as Django does.
            constants[field.attname] = field.get_default()
    return constants, tuple(factories), relations


def new(model: type[_M], **values: Any) -> _M:
    """An unsaved instance, built without Model.__init__'s per-field machinery.

    Values are attnames (``person_id``) or plain field values; related objects go through
    their descriptor so that a later ``insert`` can take their primary key.
    """
    obj = model.__new__(model)
    obj._state = ModelState()
    constants, factories, relations = _defaults(model)
    state = obj.__dict__
    state.update(constants)
    for attname, factory in factories:
        state[attname] = factory()
    state.update(values)
    # Relations given by name ("person"): a related object goes in as its primary key and
    # is cached, what the descriptor does minus its per-call checks; the cached object
    # lets ``insert`` pick up a primary key assigned after this point.
    for name in relations.keys() & values.keys():
        value = state.pop(name)
        if isinstance(value, models.Model):
            state[relations[name]] = value.pk
            obj._state.fields_cache[name] = value
        else:
            state[relations[name]] = value
    return obj


def loaded(model: type[_M], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[_M]:
    """Saved instances of ``model`` from plain rows of the attnames ``names``, as
    ``values_list(*names)`` gives them, without Model.__init__ or the ORM's row machinery.
    The fields left out are deferred: reading one loads it, as with ``only()``."""
    instances: list[_M] = []
    alias = connection.alias
    for row in rows:
        obj = model.__new__(model)
        state = obj._state = ModelState()
        state.adding = False
        state.db = alias
        obj.__dict__.update(zip(names, row, strict=True))
        instances.append(obj)
    return instances


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys for ``model``, never handed out twice."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor == "sqlite":
            # The IMMEDIATE transaction holds SQLite's write lock: nobody else can insert
            # between this read and our insert. sqlite_sequence keeps AUTOINCREMENT monotonic.
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                f"SELECT MAX(seq) FROM (SELECT MAX(id) AS seq FROM {quoted} "  # noqa: S608 - a model's own table name, quoted
                "UNION ALL SELECT seq FROM sqlite_sequence WHERE name = %s)",
                [table],
            )
            start = (cursor.fetchone() or [0])[0] or 0
            return list(range(start + 1, start + 1 + count))
    raise NotImplementedError(f"no fast insert for {connection.vendor}")


def _sqlite_datetime(value: Any) -> Any:
    # What Django's SQLite backend stores: naive UTC, "YYYY-MM-DD HH:MM:SS[.ffffff]".
    if isinstance(value, datetime):
        text = value.isoformat(" ")
        if text.endswith("+00:00"):  # already UTC, the usual case: no conversion
            return text[:-6]
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(" ")
    return value


def _json(value: Any) -> Any:
    if value is None:
        return None
    if not value and isinstance(value, dict | list):
        return "{}" if isinstance(value, dict) else "[]"
    return json.dumps(value, ensure_ascii=False)


def _memoised(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``convert`` with the values it saw remembered: rows of one statement share many
    values (the batch's timestamp, empty JSON), each then converted once."""
    memo: dict[Any, Any] = {}

    def converted(value: Any) -> Any:
        try:
            return memo[value]
        except KeyError:
            result = memo[value] = convert(value)
            return result
        except TypeError:  # unhashable (a JSON dict or list): converted each time
            return convert(value)

    return converted


def _converters(fields: Sequence[models.Field[Any, Any]]) -> list[tuple[int, Callable[[Any], Any]]]:
    converters: list[tuple[int, Callable[[Any], Any]]] = []
    for index, field in enumerate(fields):
        if isinstance(field, models.JSONField):
            converters.append((index, _json))
        elif isinstance(field, models.DateTimeField) and connection.vendor == "sqlite":
            converters.append((index, _memoised(_sqlite_datetime)))
    return converters


def _prepare(objects: Sequence[models.Model], fields: Sequence[models.Field[Any, Any]]) -> None:
    """Fill what the database needs and Python left empty: the ids of related objects saved
    after they were assigned, and auto_now/auto_now_add timestamps."""
    now = timezone.now()
    for field in fields:
        attname = field.attname
        if isinstance(field, models.ForeignKey):
            for obj in objects:
                if obj.__dict__.get(attname) is None and field.is_cached(obj):
                    related = field.get_cached_value(obj)
                    if related is not None:
                        setattr(obj, attname, related.pk)
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objects:
                if obj.__dict__.get(attname) is None:
                    setattr(obj, attname, now)


def _rows(
    objects: Sequence[models.Model], fields: Sequence[models.Field[Any, Any]]
) -> list[list[Any]]:
    getter = itemgetter(*(f.attname for f in fields))
    converters = _converters(fields)
    rows = [list(getter(obj.__dict__)) for obj in objects]
    for index, convert in converters:
        for row in rows:
            row[index] = convert(row[index])
    return rows


def insert(model: type[_M], objects: Sequence[_M]) -> None:
    """Insert unsaved ``objects`` of ``model``, giving each its primary key."""
    if not objects:
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.generated]
    missing = [obj for obj in objects if obj.pk is None]
    for obj, pk in zip(missing, reserve_ids(model, len(missing)), strict=True):
        obj.pk = pk
    _prepare(objects, fields)
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    rows = _rows(objects, fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY streams rows in one statement: no per-row execution on the server.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - own table
            for start in range(0, len(rows), CHUNK):
                cursor.executemany(sql, rows[start : start + CHUNK])
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias


def update(model: type[_M], objects: Sequence[_M], field_names: Sequence[str]) -> None:
    """Write ``field_names`` of saved ``objects`` back, one prepared statement for all."""
    if not objects:
        return
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    concrete = [f for f in fields if isinstance(f, models.Field)]
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(meta.db_table)} SET "  # noqa: S608 - a model's own table and columns
        f"{', '.join(f'{quote(f.column)} = %s' for f in concrete)} WHERE id = %s"
    )
    rows = _rows(objects, concrete)
    for row, obj in zip(rows, objects, strict=True):
        row.append(obj.pk)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            cursor.executemany(sql, rows[start : start + CHUNK])
