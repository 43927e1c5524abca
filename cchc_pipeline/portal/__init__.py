"""The collection portal (``cchc serve``): departments send their submission through a web
page, see its findings at once, and every version is kept; the coordinator follows them all
on one board and builds the draft. Imported only by ``cchc serve`` and ``cchc users``."""
