"""The parallel run's isolation (tests/parallel.py) and groups (tests/conftest.py)."""

import os

import pytest

from .parallel import worker_environment


@pytest.fixture(scope="module")
def built_once():
    return os.getpid()


def test_a_module_fixtures_tests_form_one_group_in_a_parallel_run(request, built_once):
    assert built_once == os.getpid()
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("runs in a worker of a parallel run (make test)")
    # The id --dist loadgroup reads: without it the tests would be spread over the workers.
    assert request.node.nodeid.endswith("@tests/test_parallel.py")


@pytest.mark.xdist_group("a-group")
def test_a_marked_test_carries_its_group_in_a_parallel_run(request):
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("runs in a worker of a parallel run (make test)")
    assert request.node.nodeid.endswith("@a-group")


def test_each_worker_gets_its_own_folder_file_database_and_broker_keys(tmp_path):
    environ = {
        "SDR_OPS_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite3'}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/3",
    }
    first, second = worker_environment("gw0", environ), worker_environment("gw1", environ)
    assert first == {
        "SDR_OPS_VAR_DIR": str(tmp_path / "test-workers" / "gw0"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app_gw0.sqlite3'}",
        "CELERY_KEY_PREFIX": "gw0:",
    }
    assert (tmp_path / "test-workers" / "gw0").is_dir()
    assert all(first[key] != second[key] for key in first)


def test_a_file_broker_needs_no_key_prefix(tmp_path):
    env = worker_environment("gw3", {"SDR_OPS_VAR_DIR": str(tmp_path)})
    assert env == {"SDR_OPS_VAR_DIR": str(tmp_path / "test-workers" / "gw3")}
