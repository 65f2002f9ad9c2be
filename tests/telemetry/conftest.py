import shutil

import pytest

from tests.servers import LoopbackServer

MOSQUITTO = shutil.which("mosquitto") or (
    "/usr/sbin/mosquitto" if shutil.which("mosquitto", path="/usr/sbin") else None
)


class Broker(LoopbackServer):
    """Debian's mosquitto on a loopback port of its own, restartable on the same port."""

    name = "mosquitto"

    def __init__(self, directory):
        super().__init__()
        self.config = directory / "mosquitto.conf"
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        )

    def command(self):
        return [MOSQUITTO, "-c", str(self.config)]


@pytest.fixture
def broker(tmp_path):
    if MOSQUITTO is None:
        pytest.skip("mosquitto is not installed here (.ci/run installs Debian's mosquitto)")
    running = Broker(tmp_path).start()
    yield running
    running.stop()
