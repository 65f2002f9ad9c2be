"""Read a page's forms as a browser would post them."""

from html.parser import HTMLParser


class FormReader(HTMLParser):
    """The fields a browser would post from the page's main form (the one with a submit)."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "").lower() == "post":
            self._form = {"action": attrs.get("action") or "", "data": {}}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            checkable = attrs.get("type") in ("checkbox", "radio")
            self._form["data"][name] = attrs.get("value", "on" if checkable else "")
        elif tag == "select" and name:
            self._select = name
            self._form["data"].setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self._form["data"][self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self._form["data"][name] = ""

    def handle_data(self, data):
        if self._textarea:
            self._form["data"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def posted_form(html: str) -> dict:
    """The fields of the page's largest POST form, as a browser would send them unchanged."""
    reader = FormReader()
    reader.feed(html)
    return max((form["data"] for form in reader.forms), key=len)
