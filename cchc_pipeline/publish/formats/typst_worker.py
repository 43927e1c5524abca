"""Compile one typst file to PDF in a process of its own, under an address-space limit.

Run as a script by :mod:`.pdf` (``python typst_worker.py SOURCE OUTPUT ROOT EPOCH MEGABYTES``),
so that typst, which aborts the whole process when an allocation fails, can only end this
worker. It prints ``{"warnings": [...]}`` or ``{"error": "..."}`` as JSON on stdout; exit
status 0 on success, 1 on a typst error, 75 when memory ran out.
"""

import sys

sys.path.pop(0)  # this folder holds modules named like the standard library's (html, markdown)

import datetime as dt
import json

OUT_OF_MEMORY = 75


def main(source: str, output: str, root: str, epoch: str, megabytes: str) -> int:
    """Set the memory limit first, then import and run typst."""
    if sys.platform != "win32":
        import resource

        limit = int(megabytes) * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        import typst

        _, warnings = typst.compile_with_warnings(
            source,
            output=output,
            root=root,
            timestamp=dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc),
        )
    except MemoryError:
        print(json.dumps({"error": "MemoryError"}))
        return OUT_OF_MEMORY
    except Exception as exc:  # typst's own error type, with the source position
        print(json.dumps({"error": str(exc)}, ensure_ascii=False))
        return 1
    print(json.dumps({"warnings": [str(w) for w in warnings]}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:6]))
