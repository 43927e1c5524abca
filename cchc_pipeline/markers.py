"""The two pluggy markers; every plugin imports ``hookimpl`` from the package root."""

from __future__ import annotations

import pluggy

PROJECT_NAME = "cchc_pipeline"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
