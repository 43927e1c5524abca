"""``cchc preview``: the page is served locally, rebuilt on a change, and shows problems."""

from __future__ import annotations

import json
import urllib.request

from cchc_pipeline.workflow.preview import Preview


def get(server, path: str) -> str:
    host, port = server.server_address[:2]
    with urllib.request.urlopen(f"http://{host}:{port}{path}", timeout=10) as response:
        assert response.status == 200
        return response.read().decode("utf-8")


def test_preview_serves_rebuilds_on_change_and_shows_findings(project):
    preview = Preview(project.config_path)
    assert preview.changed()
    preview.build()
    server = preview.serve(0)
    try:
        page = get(server, "/")
        assert "Cải cách thể chế" in page and 'fetch("/__version")' in page
        assert json.loads(get(server, "/__version")) == {"version": 1}
        assert "cchc-xem-truoc" not in page  # the sample has no problem to show
        assert not preview.changed()

        narrative = project.root / "submissions" / "stp" / "bao-cao.md"
        narrative.write_text(
            narrative.read_text(encoding="utf-8").replace(
                "# Hạn chế", "Đính chính qua điện thoại lúc 23 giờ.\n\n# Hạn chế"
            ),
            encoding="utf-8",
        )
        assert preview.changed()
        preview.build()
        assert "Đính chính qua điện thoại lúc 23 giờ." in get(server, "/")
        assert json.loads(get(server, "/__version")) == {"version": 2}

        project.set_value("stp", "pbgdpl_buoi", 2012, "-3")
        assert preview.changed()
        preview.build()
        page = get(server, "/")
        assert "cchc-xem-truoc" in page and "nhỏ hơn giá trị tối thiểu" in page
        assert not (project.root / "build").exists()  # the real outputs are left alone
    finally:
        server.shutdown()
