import django_tables2 as tables


class BaseTable(tables.Table):
    """Our table defaults: the project's template, and an empty-state message."""

    class Meta:
        attrs = {"class": "table"}
        empty_text = "Nothing matches these filters."
