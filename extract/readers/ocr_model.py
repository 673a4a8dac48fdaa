"""A faster copy of RapidOCR's recognition model: the same network with its elementwise steps folded.

PP-OCRv4's recogniser (PP-LCNetV3 blocks) follows each convolution with a learnable scale and
shift (``x·s + b``, two scalar nodes), a hard-swish spelled out in four nodes (``x·clip(x+3, 0, 6)/6``)
and a second scale and shift. ONNX Runtime fuses none of these, and on CPU the elementwise passes
took about 40 % of the model's time (measured). The copy:

1. folds the scale and shift that follows a convolution into its weights and bias;
2. writes each hard-swish as ``x·HardSigmoid(x)`` (two nodes; same opset);
3. folds the scale and shift before a 1×1 convolution without padding into that convolution (exact:
   no padding, so every input pixel gets the shift);
4. writes each scale and shift left as a 1×1 depthwise convolution (~5 % less time: see step 4).

The result is the same function up to float rounding; it is checked against the original on a test
input before it is used (the same characters, probabilities within ``TOLERANCE``). It is written once
to jixiao's cache (``jixiao.segment._cache_dir``), keyed by the original's size and time, and made
again when the model file changes. Making it needs the ``onnx`` package; without it, or when anything
does not look as expected, the original model is used. ``JIXIAO_OCR_FAST_MODEL=0`` turns it off.

A run makes it in a short-lived process of its own (``made_model_path``; ``python -m
extract.readers.ocr_model MODEL``): folding and checking hold the original model, the folded one and a
session on each, which on top of a worker's own memory made the first run on a machine its largest
(402 MB against 229 MB).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

VERSION = 2  # of the rewrite: a new one makes a new cached file
TOLERANCE = 1e-3  # largest difference of any output probability from the original's, on the test input


def _enabled() -> bool:
    return os.environ.get("JIXIAO_OCR_FAST_MODEL", "").strip() != "0"


def _cached_path(model: Path) -> Path:
    from jixiao.segment import _cache_dir

    stat = model.stat()
    return _cache_dir() / f"ocr-rec-{model.stem}-{stat.st_size}-{stat.st_mtime_ns}-v{VERSION}.onnx"


MAKE_TIMEOUT = 300  # seconds for the process that makes the folded model (a few on 2 cores)


def made_model_path(model: Path) -> Path | None:
    """The folded copy of the recognition model at ``model``: from the cache, or made by a process of its
    own (and cached); None where it cannot be made."""
    if not _enabled():
        return None
    try:
        target = _cached_path(model)
        if target.is_file():
            return target
        # The package as this process imports it, whether installed or not.
        root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p))
        subprocess.run([sys.executable, "-m", "extract.readers.ocr_model", str(model)], env=env,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=MAKE_TIMEOUT, check=False)
        return target if target.is_file() else None
    except Exception as exc:  # noqa: BLE001 - any failure: the original model serves
        log.debug("folded recognition model not made (%s)", exc)
        return None


def fast_model_path(model: Path) -> Path | None:
    """The folded copy of the recognition model at ``model`` (made here and cached if need be), or None."""
    if not _enabled():
        return None
    try:
        target = _cached_path(model)
        if target.is_file():
            return target
        data = fold_model(model.read_bytes())
        if data is None or not agrees(model, data):
            return None
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        from jixiao.segment import prune_cache

        prune_cache(f"ocr-rec-{model.stem}-", target)
        return target
    except Exception as exc:  # noqa: BLE001 - any failure: the original model serves
        log.debug("folded recognition model not made (%s)", exc)
        return None


def fold_model(data: bytes) -> bytes | None:
    """The folded model (serialised ONNX), or None when ``onnx`` is missing or nothing was folded."""
    try:
        import numpy as np
        import onnx
        from onnx import helper, numpy_helper
    except ImportError:
        return None
    model = onnx.load_from_string(data)
    graph = model.graph
    consts: dict[str, Any] = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    nodes = []
    for n in graph.node:  # paddle2onnx gives weights as Constant nodes: make them initializers
        if n.op_type == "Constant" and len(n.attribute) == 1 and n.attribute[0].name == "value":
            consts[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
        else:
            nodes.append(n)
    outputs = {o.name for o in graph.output}

    def consumers_of(ns: list[Any]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = defaultdict(list)
        for n in ns:
            for i in n.input:
                out[i].append(n)
        return out

    def scalar(n: Any, op: str) -> tuple[float, str] | None:
        """The scalar constant of the binary node ``n`` (of type ``op``) and its other input."""
        if n is None or n.op_type != op or len(n.input) != 2:
            return None
        for c, other in ((n.input[0], n.input[1]), (n.input[1], n.input[0])):
            if c in consts and consts[c].size == 1 and other not in consts:
                return float(consts[c].reshape(())), other
        return None

    def attrs(n: Any) -> dict[str, Any]:
        return {a.name: helper.get_attribute_value(a) for a in n.attribute}

    consumers = consumers_of(nodes)

    def only(name: str) -> Any:
        c = consumers.get(name, [])
        return c[0] if len(c) == 1 and name not in outputs else None

    drop: set[int] = set()
    out_nodes = []
    folds = 0
    for n in nodes:
        if id(n) in drop:
            continue
        # 1. Conv → ·s → +b: into the convolution's weights and bias.
        if n.op_type == "Conv" and len(n.input) >= 2 and n.input[1] in consts:
            mul = only(n.output[0])
            s = scalar(mul, "Mul")
            add = only(mul.output[0]) if s else None
            b = scalar(add, "Add") if s else None
            if s and b:
                w = consts[n.input[1]].astype(np.float32)
                bias = consts[n.input[2]].astype(np.float32) if len(n.input) > 2 else np.zeros(w.shape[0], np.float32)
                weight_name, bias_name = n.input[1] + "_folded", n.input[1] + "_folded_bias"
                consts[weight_name] = (w * np.float32(s[0])).astype(np.float32)
                consts[bias_name] = (bias * np.float32(s[0]) + np.float32(b[0])).astype(np.float32)
                conv = helper.make_node("Conv", [n.input[0], weight_name, bias_name], [add.output[0]], name=n.name)
                conv.attribute.extend(n.attribute)
                out_nodes.append(conv)
                drop |= {id(mul), id(add)}
                folds += 1
                continue
        # 2. x+3 → clip(0, 6) → x·… → /6: x·HardSigmoid(x).
        s = scalar(n, "Add")
        if s and s[0] == 3.0:
            x, clip = s[1], only(n.output[0])
            if clip is not None and clip.op_type == "Clip" and len(clip.input) == 3 \
                    and clip.input[1] in consts and clip.input[2] in consts \
                    and float(consts[clip.input[1]].reshape(())) == 0.0 and float(consts[clip.input[2]].reshape(())) == 6.0:
                mul = only(clip.output[0])
                if mul is not None and mul.op_type == "Mul" and x in mul.input and len(consumers[x]) == 2:
                    div = only(mul.output[0])
                    d = scalar(div, "Div")
                    if d and d[0] == 6.0:
                        out_nodes.append(helper.make_node("HardSigmoid", [x], [n.output[0]], name=n.name + "_hsig",
                                                          alpha=1.0 / 6, beta=0.5))
                        out_nodes.append(helper.make_node("Mul", [x, n.output[0]], [div.output[0]], name=n.name + "_hswish"))
                        drop |= {id(clip), id(mul), id(div)}
                        folds += 1
                        continue
        out_nodes.append(n)
    # 3. ·s → +b → 1×1 Conv (no padding, one group): into that convolution.
    consumers = consumers_of(out_nodes)
    drop = set()
    for n in out_nodes:
        s = scalar(n, "Mul")
        add = only(n.output[0]) if s else None
        b = scalar(add, "Add") if add is not None else None
        conv = only(add.output[0]) if b else None
        if conv is None or conv.op_type != "Conv" or conv.input[0] != add.output[0] or conv.input[1] not in consts:
            continue
        a = attrs(conv)
        w = consts[conv.input[1]].astype(np.float32)
        if a.get("group", 1) != 1 or w.shape[2:] != (1, 1) or any(a.get("pads", [0])) \
                or any(v != 1 for v in a.get("strides", [1])) or a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
            continue
        bias = consts[conv.input[2]].astype(np.float32) if len(conv.input) > 2 else np.zeros(w.shape[0], np.float32)
        weight_name, bias_name = conv.input[1] + "_in", conv.input[1] + "_in_bias"
        consts[weight_name] = (w * np.float32(s[0])).astype(np.float32)
        consts[bias_name] = (bias + np.float32(b[0]) * w.sum(axis=(1, 2, 3))).astype(np.float32)
        del conv.input[:]
        conv.input.extend([s[1], weight_name, bias_name])
        drop |= {id(n), id(add)}
        folds += 1
    out_nodes = [n for n in out_nodes if id(n) not in drop]
    # 4. The ·s → +b left (before a padded convolution, where folding the shift would be wrong at the
    # borders): a 1×1 depthwise convolution. ONNX Runtime runs convolutions in its blocked layout
    # and scalar Mul and Add outside it: each pair cost two passes and two layout changes.
    producer = {o: n for n in out_nodes for o in n.output}
    consumers = consumers_of(out_nodes)
    elementwise = {"Mul", "Add", "Div", "HardSigmoid", "Relu", "Clip", "Sigmoid"}

    def channels(name: str) -> int | None:
        """The channels of ``name``: those of the convolution it comes from through elementwise steps."""
        for _ in range(8):
            n = producer.get(name)
            if n is not None and n.op_type == "Conv" and n.input[1] in consts and consts[n.input[1]].ndim == 4:
                return int(consts[n.input[1]].shape[0])
            if n is None or n.op_type not in elementwise:
                return None
            name = next((i for i in n.input if i not in consts), "")
        return None

    affine = []
    drop = set()
    for n in out_nodes:
        if id(n) in drop:
            continue
        s = scalar(n, "Mul")
        add = only(n.output[0]) if s else None
        b = scalar(add, "Add") if add is not None else None
        c = channels(s[1]) if b else None
        if c:
            weight_name, bias_name = f"{n.name or n.output[0]}_affine", f"{n.name or n.output[0]}_affine_bias"
            consts[weight_name] = np.full((c, 1, 1, 1), s[0], np.float32)
            consts[bias_name] = np.full(c, b[0], np.float32)
            affine.append(helper.make_node("Conv", [s[1], weight_name, bias_name], [add.output[0]],
                                           name=(n.name or n.output[0]) + "_affine", group=c, kernel_shape=[1, 1]))
            drop.add(id(add))
            folds += 1
            continue
        affine.append(n)
    out_nodes = [n for n in affine if id(n) not in drop]
    if not folds:
        return None
    used = {i for n in out_nodes for i in n.input}
    del graph.node[:]
    graph.node.extend(out_nodes)
    del graph.initializer[:]
    graph.initializer.extend(numpy_helper.from_array(v, k) for k, v in consts.items() if k in used)
    onnx.checker.check_model(model)
    return model.SerializeToString()


def agrees(original: Path, folded: bytes) -> bool:
    """Does the folded model give the original's output on a test input (a line of dark strokes on
    paper, two widths): the same best character at every step, every probability within ``TOLERANCE``?"""
    import numpy as np
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 4
    opts.intra_op_num_threads = 1
    a = ort.InferenceSession(str(original), sess_options=opts, providers=["CPUExecutionProvider"])
    b = ort.InferenceSession(folded, sess_options=opts, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(15)
    for width in (96, 320):
        x = np.ones((1, 3, 48, width), np.float32)
        x[:, :, 12:36, 8:width - 8] = rng.uniform(-1.0, 1.0, (1, 1, 24, width - 16)).astype(np.float32)
        pa = a.run(None, {a.get_inputs()[0].name: x})[0]
        pb = b.run(None, {b.get_inputs()[0].name: x})[0]
        if pa.shape != pb.shape or float(np.abs(pa - pb).max()) > TOLERANCE \
                or not np.array_equal(pa.argmax(axis=-1), pb.argmax(axis=-1)):
            log.debug("folded recognition model differs from the original: not used")
            return False
    return True


def use_fast_model(engine: Any) -> bool:
    """Swap the recognition session of a RapidOCR ``engine`` for one on the folded model (same session
    options and providers); False, with the engine unchanged, where that cannot be done."""
    wrapper = getattr(getattr(engine, "text_rec", None), "session", None)
    session = getattr(wrapper, "session", None)
    path = getattr(session, "_model_path", None)
    if session is None or not path:
        return False
    fast = made_model_path(Path(path))
    if fast is None:
        return False
    try:
        import onnxruntime as ort

        wrapper.session = ort.InferenceSession(str(fast), sess_options=session.get_session_options(),
                                               providers=session.get_providers())
    except Exception as exc:  # noqa: BLE001
        log.debug("folded recognition model not loaded (%s)", exc)
        return False
    return True


if __name__ == "__main__":  # the process made_model_path starts
    sys.exit(0 if len(sys.argv) == 2 and fast_model_path(Path(sys.argv[1])) is not None else 1)
