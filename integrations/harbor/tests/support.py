"""Paths the tests share."""

from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
TASK = HERE.parent / "tasks" / "raise-crc-check-priority"
