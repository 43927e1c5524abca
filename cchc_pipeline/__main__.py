"""``python -m cchc_pipeline``: the same as the ``cchc`` command."""

from .cli import main

main(prog_name="cchc")
