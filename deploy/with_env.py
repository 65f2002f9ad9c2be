"""Run a command with the logbook's environment file loaded, as systemd's EnvironmentFile= does:
``with_env.py /etc/plant-logbook/plant-logbook.env python manage.py migrate``.

The file's KEY=value lines win over the caller's environment; quotes around a value are taken
off; lines starting with # are comments."""

import os
import sys

import environ

if len(sys.argv) < 3:
    sys.exit("usage: with_env.py ENV_FILE COMMAND [ARGS…]")
environ.Env.read_env(sys.argv[1], overwrite=True)
os.execv(sys.argv[2], sys.argv[2:])
