"""What the benchmark says of the machine it ran on: the processor, the versions of the libraries the
figures depend on, the load. Beside ``bench.py``, which prints them above its tables."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def processor() -> str:
    """The processor's model name where Linux gives it (platform.processor() is empty there), and its
    architecture."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()}, {platform.machine()}"
    except OSError:
        pass
    return platform.processor() or platform.machine()


def library_versions() -> str:
    """``name version`` of jixiao, the PDF tools compared and the OCR's libraries, comma-separated."""
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    # The OCR's figures move with the last four (ONNX Runtime's kernels, OpenCV's resampling).
    for name in ("jixiao", "pdfplumber", "camelot-py", "pypdfium2", "rapidocr-onnxruntime", "onnxruntime",
                 "opencv-python", "numpy"):
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} missing")
    return ", ".join(parts)


def load_average() -> float:
    """The 1-minute load average (0.0 where the system does not give it)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0
