class RecordLocked(Exception):
    """A signed record was asked to change. Pages and the API answer 409 with this message.

    Signed records are never edited nor deleted; a correction is an amendment.
    """
