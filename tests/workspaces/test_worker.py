"""Huey is wired: tasks run, and with REDIS_URL the queue is Redis, shared by workers."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from huey import RedisHuey

from comptoir.workspaces.tasks import (
    record_worker_heartbeat,
    worker_last_seen,
    worker_seems_alive,
)


def test_the_heartbeat_tells_whether_a_worker_runs() -> None:
    before = timezone.now()
    record_worker_heartbeat()
    seen = worker_last_seen()
    assert seen is not None
    assert before <= seen <= timezone.now() + timedelta(seconds=1)
    assert worker_seems_alive()


def test_settings_choose_redis_when_redis_url_is_set() -> None:
    import subprocess
    import sys

    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='comptoir.settings'; "
        "from django.conf import settings; print(settings.HUEY['huey_class'])"
    )
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6379/15"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    out = subprocess.run(  # noqa: S603 - the test's own interpreter
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "huey.RedisHuey"


@pytest.mark.skipif(
    not os.environ.get("COMPTOIR_TEST_REDIS_URL"), reason="COMPTOIR_TEST_REDIS_URL not set"
)
def test_a_task_travels_through_real_redis() -> None:
    huey = RedisHuey("comptoir-test", url=os.environ["COMPTOIR_TEST_REDIS_URL"])
    huey.flush()

    @huey.task()  # type: ignore[untyped-decorator]  # huey is untyped
    def add(a: int, b: int) -> int:
        return a + b

    result = add(2, 3)
    assert len(huey) == 1  # queued in Redis, not run inline
    task = huey.dequeue()
    huey.execute(task)
    assert result.get() == 5
    huey.flush()
