"""A real Celery worker on Redis runs the task a service scheduled on commit."""

import uuid

import pytest

from cases import services
from cases.models import CaseNotification
from config.celery import app as celery_app
from tests.factories import World
from tests.workers import REDIS_URL, start_worker, stop_worker, use_broker, wait_for


@pytest.fixture
def celery_worker_process():
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker, log = start_worker(queue)
    old = (celery_app.conf.task_always_eager, celery_app.conf.broker_url, celery_app.conf.task_default_queue)
    use_broker(task_always_eager=False, broker_url=REDIS_URL, task_default_queue=queue)
    yield worker
    use_broker(task_always_eager=old[0], broker_url=old[1], task_default_queue=old[2])
    stop_worker(worker, log)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_task_scheduled_on_commit_runs_in_a_real_worker(celery_worker_process):
    world = World()
    case = world.case()
    event = services.case_transition(case=case, transition="triage", actor=world.admin)

    def notified() -> set[str]:
        return set(CaseNotification.objects.filter(event=event).values_list("user__username", flat=True))

    assert wait_for(notified, celery_worker_process, 60, "the stage notifications") == {
        "creditor1",
        "mediator1",
    }
