"""How many SQL queries a page or an endpoint takes: list and report pages must not grow with
their rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries(client, url) -> int:
    """The number of queries ``client.get(url)`` runs; the page must answer 200."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)
