"""Test data factories. The demo plant in fixtures/ is for `make run`, not for tests."""

import datetime

import factory
from django.contrib.auth.models import Group

from logbook.accounts.models import User
from logbook.equipment.models import (
    Area,
    Equipment,
    EquipmentClass,
    Line,
    Meter,
    MeterReading,
    Site,
)

PASSWORD = "correct horse battery"


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"S{n:02d}")
    name = factory.LazyAttribute(lambda o: f"Plant {o.code}")
    timezone = "Europe/Berlin"


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Hall {n}")


class LineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Line

    area = factory.SubFactory(AreaFactory)
    code = factory.Sequence(lambda n: f"L{n}")
    name = factory.LazyAttribute(lambda o: f"Line {o.code}")


class EquipmentClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EquipmentClass
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"class-{n}")
    name = factory.LazyAttribute(lambda o: o.code.title())


class EquipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Equipment

    asset_tag = factory.Sequence(lambda n: f"EQ-{n:04d}")
    name = factory.Sequence(lambda n: f"Machine {n}")
    line = factory.SubFactory(LineFactory)
    equipment_class = factory.SubFactory(EquipmentClassFactory)
    manufacturer = "Krones"
    model = "Modulfill"
    serial_number = factory.Sequence(lambda n: f"SN{n:06d}")
    commissioned_on = datetime.date(2020, 1, 15)


class MeterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meter

    equipment = factory.SubFactory(EquipmentFactory)
    name = factory.Sequence(lambda n: f"Run hours {n}")
    unit = "h"
    resets = False


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))

    @factory.post_generation
    def member_of(self, create, extracted, **kwargs):
        if create and extracted:
            self.sites.set(extracted)
        self.save()


class MeterReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeterReading

    meter = factory.SubFactory(MeterFactory)
    value = 100
    taken_by = factory.SubFactory(UserFactory)


def photo_upload(name="jam.jpg", image_format="JPEG", size=(16, 16), padding=0):
    """A real image file as a browser uploads it (``padding`` bytes appended make it bigger)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, image_format)
    content = buffer.getvalue() + b"\0" * padding
    return SimpleUploadedFile(name, content, content_type=f"image/{image_format.lower()}")


def signed_in(client):
    """``client`` logged in as a person of no site: enough to read the API's schema."""
    import uuid

    client.force_login(UserFactory(username=f"reader-{uuid.uuid4().hex[:8]}"))
    return client


def weekly_pm_order(equipment, checklist, **schedule):
    """The weekly lubrication of ``equipment`` with ``checklist``, its first work order generated
    as the timer would (due today): the work order."""
    import io

    from django.core.management import call_command

    from logbook.maintenance.models import MaintenanceSchedule, WorkOrder
    from logbook.maintenance.services import schedule_save
    from tests.timeline import NOW

    schedule_save(
        schedule=MaintenanceSchedule(
            equipment=equipment,
            title="Lubricate the drive chain",
            interval=1,
            interval_unit="weeks",
            anchor_date=NOW.date(),
            **schedule,
        ),
        checklist=checklist,
    )
    call_command("generate_pm_workorders", stdout=io.StringIO())
    return WorkOrder.objects.get(schedule__equipment=equipment)
