"""Views every app builds on: permission and site checks, lists, details, forms, health."""

import hashlib
import json
import logging
import sys

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.views import defaults as django_defaults
from django.views.decorators.cache import never_cache
from django.views.generic import CreateView, DetailView, UpdateView
from django_filters.views import FilterView
from django_tables2.export.views import ExportMixin
from django_tables2.views import SingleTableMixin

from logbook.core.access import permission_required
from logbook.core.exports import export_response, is_export_format
from logbook.core.history import history_rows, readable
from logbook.core.pagination import CappedPaginator
from logbook.core.versions import editing

logger = logging.getLogger(__name__)


class ModelPermissionMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Anonymous users go to the login page; a signed-in user without the permission gets 403.

    The permission is the model's ``<app>.<action>_<model>``, granted by role (core.roles).
    """

    permission_action = "view"

    def get_permission_required(self):
        opts = self.model._meta
        return [f"{opts.app_label}.{self.permission_action}_{opts.model_name}"]


class ScopedQuerysetMixin:
    """Keep only the rows of the user's sites; anything else is a 404, as if it did not exist."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if hasattr(queryset, "for_user"):
            queryset = queryset.for_user(self.request.user)
        return queryset


def model_url(model, action: str, *args) -> str | None:
    """Return the URL of ``<app>:<model>_<action>`` or None where the app has no such page."""
    opts = model._meta
    try:
        return reverse(f"{opts.app_label}:{opts.model_name}_{action}", args=args)
    except NoReverseMatch:
        return None


class ObjectListView(
    ModelPermissionMixin, ScopedQuerysetMixin, ExportMixin, SingleTableMixin, FilterView
):
    """A sortable, filtered, paginated table of a model, exportable to CSV and XLSX.

    Subclasses set ``model``, ``queryset`` (with its joins), ``table_class`` and
    ``filterset_class``. The export holds exactly the filtered rows, all pages.
    """

    template_name = "core/object_list.html"
    # The table paginates (not the ListView too, which would count the rows a second time).
    table_pagination = {"per_page": 25, "paginator_class": CappedPaginator}
    max_per_page = 500
    export_formats = ("csv", "xlsx")

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        # ?per_page= is the user's to choose, within reason: a page is not an export.
        paginator = getattr(table, "paginator", None)
        if paginator is not None and paginator.per_page > self.max_per_page:
            table.paginate(
                CappedPaginator, page=self.request.GET.get("page", 1), per_page=self.max_per_page
            )
        return table

    def _export_format(self):
        wanted = self.request.GET.get(self.export_trigger_param)
        return wanted if is_export_format(wanted) else None

    def get_table_pagination(self, table):
        # An export is every row: no page of it, and no count of the rows to make one.
        return False if self._export_format() else super().get_table_pagination(table)

    def render_to_response(self, context, **kwargs):
        export_format = self._export_format()
        if export_format is None:
            return super().render_to_response(context, **kwargs)
        filename = self.get_export_filename(export_format)
        return export_response(context["table"], export_format, filename, self.exclude_columns)

    def get_export_filename(self, export_format):
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return f"{self.model._meta.verbose_name_plural}-{stamp}.{export_format}".replace(" ", "-")

    # The "add" button: the page ``<app>:<model>_add`` unless ``add_view`` names another; none
    # where records are only made elsewhere (``add_button = False``).
    add_button = True
    add_view: str | None = None
    add_label: str | None = None
    add_danger = False
    title: str | None = None  # the page's heading, if not the records' plural name

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        opts = self.model._meta
        context["title"] = self.title or opts.verbose_name_plural.capitalize()
        context["things"] = opts.verbose_name_plural
        paginator = getattr(context.get("table"), "paginator", None)
        if paginator is not None and not paginator.capped:
            # "201 shifts", "1 work order": what the list holds, not "rows".
            count = paginator.count
            name = opts.verbose_name if count == 1 else opts.verbose_name_plural
            context["count_text"] = f"{number_format(count, force_grouping=True)} {name}"
        if self.add_button and self.request.user.has_perm(
            f"{opts.app_label}.add_{opts.model_name}"
        ):
            context.update(
                add_url=reverse(self.add_view) if self.add_view else model_url(self.model, "add"),
                add_label=self.add_label,
                add_danger=self.add_danger,
            )
        return context


class ObjectDetailView(ModelPermissionMixin, ScopedQuerysetMixin, DetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        opts = self.model._meta
        if self.request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}"):
            context["edit_url"] = model_url(self.model, "edit", self.object.pk)
        context["list_url"] = model_url(self.model, "list")
        return context


class InvalidFormStatusMixin:
    """A refused form answers 400 (with the form and its messages), never a 200 or a 500."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


def photo_response(photo):
    """A record's photo, served by the view that checked who may read the record (plant photos
    are not public files); no photo, or its file gone, is a 404."""
    if not photo:
        raise Http404
    try:
        return FileResponse(photo.open("rb"), as_attachment=False)
    except FileNotFoundError:
        raise Http404 from None


def posted(request):
    """The submitted data for a form: bound on POST (even empty), unbound otherwise."""
    return request.POST if request.method == "POST" else None


def submit(request, form, save):
    """Save a posted ``form`` through its service: return ``save(form.cleaned_data)``.

    None while the form is not posted or not valid, or when the service refuses: its
    ValidationError then shows on the form, beside the field it names where the form has it.
    The view shows the form again, with ``form_status(form)``.
    """
    if request.method != "POST":
        return None
    # The record's row is held from the version check to the save (core.versions).
    with editing(getattr(form, "instance", None)):
        if not form.is_valid():
            return None
        try:
            return save(form.cleaned_data)
        except ValidationError as error:
            by_field = (
                error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
            )
            for field, errors in by_field.items():
                form.add_error(field if field in form.fields else None, errors)
            return None


def form_status(form) -> int:
    """200 for a blank form; 400 for a posted one shown again (refused or invalid)."""
    return 400 if form.is_bound else 200


class ObjectFormMixin(ModelPermissionMixin, InvalidFormStatusMixin):
    template_name = "core/object_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = (
            self.object.get_absolute_url() if self.object else model_url(self.model, "list")
        )
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Saved %(object)s.") % {"object": self.object})
        return response


class ObjectCreateView(ObjectFormMixin, CreateView):
    permission_action = "add"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("New %(model)s") % {"model": self.model._meta.verbose_name}
        return context


class ObjectUpdateView(ObjectFormMixin, ScopedQuerysetMixin, UpdateView):
    permission_action = "change"

    def post(self, request, *args, **kwargs):
        # The record's row is held from the version check to the save (core.versions).
        with editing(self.get_object()):
            return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Edit %(object)s") % {"object": self.object}
        return context


def database_write_problem() -> str | None:
    """Why the database would refuse a write now (None when it takes writes).

    A write that changes nothing, rolled back: it needs the write lock on SQLite (so a database
    locked past the timeout shows here) and a primary, writable server on PostgreSQL.
    """
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("UPDATE django_migrations SET app = app WHERE id IS NULL")
            transaction.set_rollback(True)
    except DatabaseError as error:
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return None


@never_cache
def healthz(request):
    """200 when the app and its database answer and take writes; 503 with the reason if not."""
    problem = database_write_problem()
    if problem:
        return HttpResponse(
            f"database unavailable: {problem}\n", status=503, content_type="text/plain"
        )
    return HttpResponse("ok\n", content_type="text/plain")


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: send them to the app's icon."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


def web_app_manifest(request):
    """What a tablet needs to install the logbook on its home screen."""
    icons = [
        {"src": static(f"img/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
        for size in (192, 512)
    ]
    icons.append({"src": static("img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"})
    for icon in icons[:2]:
        icon["purpose"] = "any maskable"
    manifest = {
        "name": "Plant Logbook",
        "short_name": _("Logbook"),
        "description": _("Shift logbook and maintenance tracker"),
        "start_url": reverse("shifts:my_shift"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5cad",
        "lang": request.LANGUAGE_CODE,
        "icons": icons,
    }
    return JsonResponse(manifest, content_type="application/manifest+json")


@never_cache
def service_worker(request):
    """The service worker (templates/sw.js), served at the root so it may keep every page."""
    precached = [
        static(name)
        for name in ("css/logbook.css", "js/logbook.js", "js/offline.js", "img/favicon.svg")
    ]
    context = {
        "version": hashlib.sha256(" ".join(precached).encode()).hexdigest()[:12],
        "precached": json.dumps(precached),  # our own static names: no markup to escape
        "offline_title": _("No connection"),
        "offline_text": _(
            "This page was not opened on this tablet before the connection dropped, so there is "
            "no saved copy of it. Pages you opened are still there; what you log is kept and "
            "sent when the connection is back."
        ),
        "offline_retry": _("Home"),
    }
    response = render(request, "sw.js", context, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


# Errors that mean "the database cannot be reached or is busy past the timeout", not a bug.
UNAVAILABLE = (OperationalError, InterfaceError)


def server_error(request):
    """The handler of an uncaught exception: 503 when the database is unavailable (it will come
    back: try again), 500 otherwise. JSON under /api/, a page elsewhere; neither touches the
    database, which may be what failed."""
    error = sys.exc_info()[1]
    unavailable = isinstance(error, UNAVAILABLE)
    status = 503 if unavailable else 500
    if unavailable:
        from logbook.core.observability import DATABASE_ERRORS, database_error_kind

        DATABASE_ERRORS.labels(database_error_kind(error)).inc()
        logger.warning("database unavailable on %s: %s", request.path, error)
    if request.path.startswith("/api/"):
        detail = (
            _("The database is unavailable or busy: nothing was saved. Try again shortly.")
            if unavailable
            else _("Server error: nothing was half saved. Try again.")
        )
        response = JsonResponse({"detail": detail}, status=status)
    else:
        template = loader.get_template("503.html" if unavailable else "500.html")
        response = HttpResponse(template.render(), status=status)
    if unavailable:
        response["Retry-After"] = "5"
    return response


@login_required
@permission_required("accounts.view_audit_trail", raise_exception=True)
def audit_trail(request, model, pk):
    """Every change to a record (and to the records it holds): who, when, old and new values."""
    try:
        model_class = apps.get_model(model)
    except (LookupError, ValueError):
        raise Http404 from None
    if not hasattr(model_class, "history"):
        raise Http404
    queryset = model_class._default_manager.all()
    if hasattr(queryset, "for_user"):
        queryset = queryset.for_user(request.user)
    elif not getattr(model_class, "shared_by_sites", False):
        # A record that cannot say which site it belongs to is shown to no one but an admin.
        if not request.user.sees_all_sites:
            raise Http404
    obj = get_object_or_404(queryset, pk=pk)
    sources = [(model_class.history.filter(id=obj.pk), model_class._meta.verbose_name)]
    for child_label, field in getattr(model_class, "audit_children", ()):
        child = apps.get_model(child_label)
        sources.append((child.history.filter(**{f"{field}_id": obj.pk}), child._meta.verbose_name))
    rows = []
    for history, label in sources:
        rows += history_rows(
            history.select_related("history_user").order_by("history_date", "history_id"),
            str(label).capitalize(),
        )
    rows.sort(key=lambda row: row["when"], reverse=True)
    rows = readable(rows)
    return render(
        request,
        "core/audit_trail.html",
        {"object": obj, "rows": rows, "title": _("Audit trail of %(object)s") % {"object": obj}},
    )


def _api_error(request, status: int, detail: str):
    return JsonResponse({"detail": detail}, status=status)


def page_not_found(request, exception):
    """404: JSON under /api/ (an API client never gets an HTML page), the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return _api_error(request, 404, "Not found.")
    return django_defaults.page_not_found(request, exception)


def permission_denied(request, exception):
    if request.path.startswith("/api/"):
        return _api_error(request, 403, str(exception) or "You may not do this.")
    return django_defaults.permission_denied(request, exception)


def bad_request(request, exception):
    if request.path.startswith("/api/"):
        return _api_error(request, 400, "Bad request.")
    return django_defaults.bad_request(request, exception)
