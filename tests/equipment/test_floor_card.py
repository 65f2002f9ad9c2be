import pytest
from django.utils import timezone

from logbook.downtime.services import incident_open
from logbook.maintenance import services as maintenance

pytestmark = pytest.mark.django_db


def test_the_label_opens_the_floor_card(as_user, technician, filler):
    label = as_user(technician).get(f"/equipment/{filler.pk}/label/").content.decode()
    assert f'data-payload="http://testserver/equipment/{filler.pk}/card/"' in label


def test_the_card_says_down_since_when_and_offers_the_floor_actions(as_user, technician, filler):
    incident_open(equipment=filler, user=technician, started_at=timezone.now(), symptom="Jam")
    card = as_user(technician).get(filler.get_card_url()).content.decode()
    assert "status-block-down" in card and "The stop" in card
    for action in (">Log<", ">Inspect<", ">Request work<"):
        assert action in card
    assert ">Machine down<" not in card  # it is down already


def test_a_lockout_shows_to_everyone_who_opens_the_card(as_user, technician, operator, filler):
    order = maintenance.work_order_create(equipment=filler, user=technician, title="Change seal")
    order.lockout_required = True
    order.save()
    maintenance.work_order_start(work_order=order, user=technician)
    points = [{"source": "Main electrical", "lock_number": "L-07", "tag_number": "T-07"}]
    maintenance.lockout_apply(work_order=order, user=technician, points=points)
    card = as_user(operator).get(filler.get_card_url()).content.decode()
    assert "Locked out" in card and "Sam Taylor" in card and order.number in card
    assert "L-07" in card and "Main electrical" in card
    assert order.get_absolute_url() not in card  # the operator may not open work orders


def test_the_card_reads_a_constant_number_of_queries(
    as_user, supervisor, filler, django_assert_max_num_queries
):
    client = as_user(supervisor)
    client.get(filler.get_card_url())
    with django_assert_max_num_queries(20):
        assert client.get(filler.get_card_url()).status_code == 200
