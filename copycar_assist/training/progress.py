"""A trainee's progress: one FSRS card per quiz item and per practice entry, and the log of every
answer, in `<data dir>/training/<trainee>.json`.

Every answer is saved at once, as a read-modify-write under the file's lock (`files.write.locked`,
so two sessions of one trainee keep both), written atomically with mode 0600: a process killed
mid-session loses at most the answer it was giving. Cards are scheduled by the `fsrs` package:
an answer right is `Good`, partly right `Hard`, wrong `Again`; what is due first, and the
entries whose cards are least likely to be recalled now, are drawn first (`weight`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fsrs import Card, Rating, Scheduler

from copycar_assist.files.read import SESSION, parse_json, read_text
from copycar_assist.files.write import locked, write_atomic
from copycar_assist.support.history import data_dir

if TYPE_CHECKING:
    from .cases import Case
    from .grading import Debrief

TRAINEE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
LOG_KEEP = 5000  # answers kept in the log (the cards keep the schedule beyond that)
VERSION = 1


def check_trainee(name: str) -> str:
    if not TRAINEE.match(name or ""):
        raise ValueError("a trainee name is 1-40 letters, digits, '.', '_' or '-', starting with a letter or digit")
    return name


def training_dir(root: Path | None = None) -> Path:
    return (root or data_dir()) / "training"


def now() -> datetime:
    return datetime.now(UTC)


def rating(share: float) -> Rating:
    return Rating.Good if share >= 1 else Rating.Hard if share >= 0.5 else Rating.Again


class Progress:
    def __init__(self, trainee: str, root: Path | None = None) -> None:
        self.trainee = check_trainee(trainee)
        self.path = training_dir(root) / f"{trainee}.json"
        self.scheduler = Scheduler(enable_fuzzing=False)
        self.data = self._read()

    # --- the file -------------------------------------------------------------------------------

    def _read(self) -> dict[str, Any]:
        text = read_text(self.path, SESSION, missing_ok=True)
        data = parse_json(text, self.path, SESSION) if text else {}
        if not isinstance(data, dict):
            data = {}
        data.setdefault("version", VERSION)
        data.setdefault("trainee", self.trainee)
        for key in ("cards", "meta"):
            if not isinstance(data.get(key), dict):
                data[key] = {}
        for key in ("log", "exams"):
            if not isinstance(data.get(key), list):
                data[key] = []
        return data

    def _update(self, change: Callable[[dict[str, Any]], object]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with locked(self.path):
            self.data = self._read()  # another session of this trainee may have written meanwhile
            change(self.data)
            self.data["log"] = self.data["log"][-LOG_KEEP:]
            write_atomic(self.path, json.dumps(self.data, ensure_ascii=False, indent=1).encode())

    # --- recording --------------------------------------------------------------------------------

    def _review(self, data: dict[str, Any], card_id: str, share: float, meta: dict[str, Any]) -> None:
        raw = data["cards"].get(card_id)
        card = Card.from_dict(raw["card"]) if isinstance(raw, dict) and "card" in raw else Card(card_id=len(data["cards"]) + 1)
        card, _ = self.scheduler.review_card(card, rating(share), now())
        data["cards"][card_id] = {"card": card.to_dict(), **meta}

    def record(self, card_id: str, entry: str | None, skill: str, right: bool, source: str = "quiz") -> None:
        def change(data: dict[str, Any]) -> None:
            self._review(data, card_id, 1.0 if right else 0.0, {"entry": entry, "skill": skill})
            data["log"].append({"at": now().isoformat(), "card": card_id, "entry": entry, "skill": skill,
                                "right": right, "source": source})
        self._update(change)

    def record_case(self, case: Case, debrief: Debrief) -> None:
        """Every part of every fault into the log; the entry's case card reviewed by the share right."""
        def change(data: dict[str, Any]) -> None:
            at = now().isoformat()
            for n, fault in enumerate(case.faults):
                parts = [p for p in debrief.parts if p["fault"] == n]
                share = sum(p["right"] for p in parts) / len(parts) if parts else 0.0
                self._review(data, f"case:{fault.entry}", share, {"entry": fault.entry, "skill": "case"})
                for p in parts:
                    data["log"].append({"at": at, "card": f"case:{fault.entry}", "entry": fault.entry,
                                        "skill": p["skill"], "right": p["right"], "source": "case"})
        self._update(change)

    def record_exam(self, summary: dict[str, Any]) -> None:
        self._update(lambda data: data["exams"].append(summary))

    # --- reading ----------------------------------------------------------------------------------

    def card(self, card_id: str) -> Card | None:
        raw = self.data["cards"].get(card_id)
        return Card.from_dict(raw["card"]) if isinstance(raw, dict) and "card" in raw else None

    def retrievability(self, card_id: str) -> float:
        card = self.card(card_id)
        return self.scheduler.get_card_retrievability(card, now()) if card else 0.0

    def due(self, at: datetime | None = None) -> list[str]:
        """Card ids due for review, the most overdue first."""
        at = at or now()
        cards = [(cid, card) for cid in self.data["cards"] if (card := self.card(cid)) is not None]
        return [cid for cid, _card in sorted(((cid, c) for cid, c in cards if c.due <= at), key=lambda x: x[1].due)]

    def weight(self, entry: str) -> float:
        """How much the trainee needs `entry` now: unseen 2, else more the less they would recall it."""
        cid = f"case:{entry}"
        if cid not in self.data["cards"]:
            return 2.0
        card = self.card(cid)
        due = 1.0 if card and card.due <= now() else 0.0
        return 0.2 + (1.0 - self.retrievability(cid)) * 2 + due
