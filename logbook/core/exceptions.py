class Conflict(Exception):
    """The request came too late: someone (or the same person, tapping twice) already did it,
    or the record moved on meanwhile. Pages and the API answer 409 with this message, which
    says what happened."""


class RecordLocked(Conflict):
    """A signed record was asked to change. Pages and the API answer 409 with this message.

    Signed records are never edited nor deleted; a correction is an amendment.
    """
