"""The floor at its busiest: technicians posting entries, counts and stops, supervisors reading.

Run by bench/load.py (``make load``), which serves the demo plant and passes, in the environment:
LOAD_TECH_TOKEN, LOAD_SUPERVISOR_TOKEN, LOAD_SHIFT, LOAD_MACHINES (comma-separated ids) and
LOAD_ACCEPTED (a file where every accepted write's id is listed at the end, to be counted).
"""

import json
import os
import random
from collections import defaultdict

from locust import FastHttpUser, between, events, task

SHIFT = int(os.environ.get("LOAD_SHIFT", "0"))
MACHINES = [int(pk) for pk in os.environ.get("LOAD_MACHINES", "").split(",") if pk]
ACCEPTED = defaultdict(list)  # kind → ids the server answered 201/200 for


class Technician(FastHttpUser):
    weight = 30
    wait_time = between(0.5, 2)

    def on_start(self):
        self.headers = {"Authorization": f"Token {os.environ['LOAD_TECH_TOKEN']}"}

    def _post(self, url, body, kind, name):
        with self.client.post(
            url, json=body, headers=self.headers, name=name, catch_response=True
        ) as response:
            if response.status_code in (200, 201):
                ACCEPTED[kind].append(response.json()["id"])
                response.success()
            elif response.status_code in (400, 409):
                response.success()  # refused with a reason: a rule, not a failure
            elif response.status_code == 503:
                response.failure("503 (database unavailable)")
            else:
                response.failure(f"{response.status_code}")

    @task(6)
    def log_entry(self):
        self._post(
            "/api/log-entries/",
            {"shift": SHIFT, "category": "production", "text": f"Load {random.random()}"},
            "log-entries",
            "POST log entry",
        )

    @task(2)
    def production_counts(self):
        produced = random.randint(100, 2000)
        self._post(
            "/api/production-records/",
            {
                "shift": SHIFT,
                "product": "Cola 0.5 L",
                "produced_count": produced,
                "good_count": produced - random.randint(0, 50),
                "ideal_cycle_time_s": "1.2",
                "planned_stop_minutes": 0,
            },
            "production-records",
            "POST counts",
        )

    @task(1)
    def machine_down_and_up(self):
        machine = random.choice(MACHINES)
        with self.client.post(
            "/api/downtime/",
            json={"equipment": machine, "symptom": "Load test stop"},
            headers=self.headers,
            name="POST machine down",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                incident = response.json()["id"]
                ACCEPTED["downtime"].append(incident)
                response.success()
            else:
                if response.status_code in (400, 409):
                    response.success()  # already down: someone reported it first
                else:
                    response.failure(f"{response.status_code}")
                return
        self._post(f"/api/downtime/{incident}/ended/", {}, "ended", "POST running again")


class Supervisor(FastHttpUser):
    weight = 5
    wait_time = between(1, 3)

    def on_start(self):
        self.headers = {"Authorization": f"Token {os.environ['LOAD_SUPERVISOR_TOKEN']}"}

    @task
    def read_lists(self):
        for url, name in (
            (f"/api/log-entries/?shift_id={SHIFT}", "GET log entries"),
            ("/api/downtime/", "GET downtime"),
            ("/api/shifts/", "GET shifts"),
            ("/api/work-orders/", "GET work orders"),
        ):
            with self.client.get(
                url, headers=self.headers, name=name, catch_response=True
            ) as response:
                if response.status_code != 200:
                    response.failure(f"{response.status_code}")


@events.quitting.add_listener
def _write_accepted(environment, **kwargs):
    with open(os.environ["LOAD_ACCEPTED"], "w") as handle:
        json.dump(ACCEPTED, handle)
