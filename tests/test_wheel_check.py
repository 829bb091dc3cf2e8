"""tools.wheel_check resolves pins for foreign platforms from the index's metadata, and names what lacks a wheel."""
from __future__ import annotations

from pathlib import Path

from tools.wheel_check import PLATFORMS, resolve


def test_a_platform_without_a_wheel_is_named(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("tensorflow==2.21.0\n")
    # Intel Macs: TensorFlow stopped publishing wheels for them
    ok, detail = resolve("x86_64-apple-darwin", "3.11", requirements)
    assert not ok and detail == "no wheel for tensorflow"


def test_a_pin_with_wheels_resolves_with_its_dependencies(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("python-dateutil==2.9.0.post0\n")
    ok, detail = resolve(PLATFORMS["Windows x86-64"], "3.13", requirements)
    assert ok and detail == "2 packages", detail  # python-dateutil and the six it needs
