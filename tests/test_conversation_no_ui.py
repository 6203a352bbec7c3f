"""The conversation, support and i18n packages (and the plain chat) never import Textual."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_no_textual_in_the_domain():
    code = (
        "import sys\n"
        "import copycar_assist.conversation, copycar_assist.support.ticket, copycar_assist.support.history\n"
        "import copycar_assist.support.transcript, copycar_assist.i18n, copycar_assist.cli.chat_cmd\n"
        "import copycar_assist.cli.chat_render\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'rich')))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
