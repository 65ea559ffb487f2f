class PermanentIngestionError(Exception):
    """Retrying cannot help (unreadable file, no text); the document fails with this text."""


class TransientIngestionError(Exception):
    """Worth retrying with backoff (a dependency was briefly unavailable)."""
