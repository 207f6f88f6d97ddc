"""A real S3 API server (moto's server mode) on loopback for the object-store tests."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.notifications.smtp import free_port


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
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, "moto_server did not start"
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
