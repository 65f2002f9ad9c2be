"""The production settings README.md documents pass Django's deployment checklist."""

import subprocess
import sys

from bench.served import ROOT, environment

# As README.md's "Production" section sets them (the key is a throwaway of the right length).
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3y-for-the-deploy-check-only-" + "x7Qp9vZ2mR4tW8yB1nC6" * 3,
    "ALLOWED_HOSTS": "logbook.plant.example",
    "CSRF_TRUSTED_ORIGINS": "https://logbook.plant.example",
    "SECURE_SSL_REDIRECT": "true",
    "SESSION_COOKIE_SECURE": "true",
    "CSRF_COOKIE_SECURE": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_PROXY_SSL_HEADER": "true",
}


def test_the_documented_production_settings_pass_check_deploy(tmp_path):
    env = environment(f"sqlite:///{tmp_path / 'deploy.sqlite3'}")
    env.pop("PLAIN_STATIC_STORAGE", None)
    env.update(PRODUCTION)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    readme = (ROOT / "README.md").read_text()
    for name in PRODUCTION:
        assert name in readme, f"README.md does not document {name}"
