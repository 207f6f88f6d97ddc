"""A real S3 API server (moto's server mode) on loopback for the object-store tests."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.notifications.smtp import free_port
from tests.servers import wait_until_answers


@pytest.fixture(scope="session")
def s3_url():
    url = os.environ.get("THIDUA_TEST_S3_URL")
    if url:
        yield url
        return
    binary = shutil.which("moto_server") or os.path.join(os.path.dirname(sys.executable), "moto_server")
    if not os.path.exists(binary):
        pytest.fail("moto_server is not installed — scripts/test.sh installs the test extras")
    port = free_port()
    process = subprocess.Popen([binary, "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(f"{url}/moto-api/", what="moto_server", process=process, timeout=30)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
