"""A demo line's machine signals (``manage.py simulate_line``): runs, stops of several lengths
(micro-stops among them), counters with rejects and alarms, posted over HTTP or MQTT as a
real gateway would, so the demo shows capture live and the tests drive it."""

import datetime
import json
import random
import urllib.request

import paho.mqtt.client as mqtt

# (share, shortest s, longest s, state): most stops are short.
STOPS = [
    (0.55, 15, 90, "stopped"),  # micro-stops: a jam cleared by the operator
    (0.30, 180, 480, "stopped"),
    (0.15, 720, 1800, "fault"),
]
ALARMS = [
    ("E042", "Bottle jam at infeed"),
    ("E107", "Guard door opened"),
    ("E311", "Drive overload"),
    ("W210", "Low bottle buffer at infeed"),
]
RATE_PER_SECOND = 5  # bottles a running machine makes
COUNT_EVERY = 60  # seconds between counter signals


def timeline(asset_tags, start, end, seed=0) -> list[dict]:
    """Every signal of the machines from ``start`` to ``end``, in time order, as the API takes
    them (deterministic for a seed)."""
    rng = random.Random(seed)
    signals = []
    for tag in asset_tags:
        moment, total, rejects = start, rng.randint(10_000, 90_000), 0
        signals.append(_signal(tag, moment, "state", "running"))
        while moment < end:
            run = datetime.timedelta(seconds=rng.expovariate(1 / 480) + 30)
            ticks = int(run.total_seconds() // COUNT_EVERY)
            for tick in range(1, ticks + 1):
                made = RATE_PER_SECOND * COUNT_EVERY
                total += made
                rejects += sum(rng.random() < 0.01 for _ in range(made // 10))
                at = moment + datetime.timedelta(seconds=tick * COUNT_EVERY)
                signals.append(_signal(tag, at, "count", {"total": total, "reject": rejects}))
            moment += run
            _weight, low, high, state = rng.choices(STOPS, weights=[s[0] for s in STOPS])[0]
            signals.append(_signal(tag, moment, "state", state))
            if state == "fault" or rng.random() < 0.3:
                code, text = rng.choice(ALARMS)
                signals.append(_signal(tag, moment, "alarm", {"code": code, "text": text}))
            moment += datetime.timedelta(seconds=rng.uniform(low, high))
            signals.append(_signal(tag, moment, "state", "running"))
    return sorted(
        (signal for signal in signals if signal["_at"] <= end), key=lambda signal: signal["_at"]
    )


def _signal(tag, at, kind, value) -> dict:
    return {"asset_tag": tag, "at": at.isoformat(), "kind": kind, "value": value, "_at": at}


def as_posted(signal) -> dict:
    return {key: value for key, value in signal.items() if key != "_at"}


class HttpSender:
    def __init__(self, url, key):
        self.url, self.key = url.rstrip("/") + "/api/signals/", key

    def send(self, signals) -> dict:
        totals = {"stored": 0, "duplicates": 0, "rejected": 0}
        for first in range(0, len(signals), 500):
            body = json.dumps([as_posted(s) for s in signals[first : first + 500]]).encode()
            request = urllib.request.Request(
                self.url,
                data=body,
                headers={"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=60) as response:
                answer = json.loads(response.read())
            for name in totals:
                totals[name] += answer[name]
        return totals

    def close(self):
        pass


class MqttSender:
    def __init__(self, host, port, site_code, line_code, template):
        self.template = template.replace("{site}", site_code).replace("{line}", line_code)
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="")
        self.client.connect(host, port)
        self.client.loop_start()

    def send(self, signals) -> dict:
        sent = []
        for signal in signals:
            topic = self.template.replace("{asset}", signal["asset_tag"]).replace(
                "{kind}", signal["kind"]
            )
            payload = json.dumps({"at": signal["at"], "value": signal["value"]})
            sent.append(self.client.publish(topic, payload, qos=1))
        for info in sent:
            info.wait_for_publish(timeout=30)
        return {"published": len(sent)}

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()
