"""Publish: output formats, conversion, documents, atomic writes and the manifest."""
