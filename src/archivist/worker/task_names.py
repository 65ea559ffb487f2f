"""Task names and queues, shared by the code that enqueues and the code that runs them."""

QUEUES = ("primary", "docprocessing", "kg")
PROCESS_DOCUMENT = "document.process"
SWEEP_DOCUMENTS = "documents.sweep"
PRUNE_SESSIONS = "sessions.prune"
PURGE_FILES = "files.purge"
