"""Jobs that run on their own: the notification outbox dispatcher (and later deadlines, digests)."""
