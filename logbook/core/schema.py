"""What the generated OpenAPI schema says beyond the serializers: the error answers every
operation can give, so that a generated client expects them (drf-spectacular post-processing),
and the bounds of decimals. Imported by CoreConfig.ready, which registers the extension."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension

ERROR_SCHEMA = {
    "type": "object",
    "description": "Why the request was refused. Field errors name their field.",
    "properties": {
        "detail": {
            "description": "The reason, for a person to read.",
            "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
        },
        "changes": {
            "type": "array",
            "description": "409 on a stale update: what changed since the version sent.",
            "items": {"type": "object"},
        },
    },
    "additionalProperties": True,
}

ERRORS = {
    "400": "The input is not valid; each field names its problem.",
    "401": "Not signed in, or the token expired or was revoked.",
    "403": "Signed in, but this role may not do this.",
    "404": "No such record on the user's sites (or no such page of results).",
    "409": "The record is signed, verified or closed, was already done, or changed meanwhile.",
    "422": "The Idempotency-Key sent was already used for a different request.",
    "503": "The database is unavailable or busy: nothing was saved; try again.",
}
READ_ERRORS = ("400", "401", "403", "404", "503")
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "A key made by the client, one per write: the same write sent again with it is applied "
        "once and answered as the first time (Idempotent-Replayed: true). Kept for "
        "IDEMPOTENCY_KEY_HOURS; a key reused for another request is refused (422)."
    ),
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_.:-]{8,100}$"},
}


def document_errors(result, generator, request, public):
    """Add the error answers (JSON, ``Error``) to every operation of the schema."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for parameter in operation.get("parameters", []):
                # A filter sent empty does not filter (as an HTML filter form sends it).
                if parameter.get("in") == "query":
                    parameter["allowEmptyValue"] = True
            reading = method in ("get", "head", "options")
            if not reading:
                operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
            codes = READ_ERRORS if reading else ERRORS
            for code in codes:
                operation["responses"].setdefault(
                    code, {"description": ERRORS[code], "content": reference}
                )
    return result


class DecimalBounds(OpenApiSerializerFieldExtension):
    """A decimal is sent as a string; its pattern then says what the server enforces: no minus
    sign where the field has a minimum of zero or more (stock, reorder point, interval, a
    meter's value), and the bounds in words."""

    target_class = "rest_framework.serializers.DecimalField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        low, high = self.target.min_value, self.target.max_value
        if low is not None and low >= 0 and "pattern" in schema:
            schema["pattern"] = schema["pattern"].replace("^-?", "^", 1)
        bounds = [f"at least {low}" if low is not None else "", f"at most {high}" if high else ""]
        if any(bounds):
            said = ", ".join(part for part in bounds if part)
            schema["description"] = f"{schema.get('description', '')} ({said})".strip()
        return schema
