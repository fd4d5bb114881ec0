"""LIO's saveconfig.json as targetcli writes it (rtslib-fb `RTSRoot.
save_to_file`: `json.dumps(config, sort_keys=True, indent=2)`).  No rule
edits LIO JSON in place yet; the migrators write whole documents.

>>> dumps({"targets": [], "storage_objects": [{"name": "lv0", "dev": "/dev/vg/lv0"}]})
'{\\n  "storage_objects": [\\n    {\\n      "dev": "/dev/vg/lv0",\\n      "name": "lv0"\\n    }\\n  ],\\n  "targets": []\\n}\\n'
"""

from __future__ import annotations

import json
from typing import Any


def dumps(doc: Any) -> str:
    """A whole saveconfig.json document."""
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"

