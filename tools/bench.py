"""`make bench`: the plain reference program, the series' training and this machine's compute floor, in one run.

Each program runs in its own fresh Python process (so none warms up another and each has its
own peak memory), the five alternating for --rounds rounds: the plain reference program; the
series' training (``helpers.model``: a whole epoch per call); the same compiled with XLA
(``jit_compile=True``), to show what XLA itself brings; the training loop notebook 08 writes by
hand, one XLA-compiled program per epoch (``helpers.training_loop``); and a measurement of the
machine's float32 matrix-multiply throughput with TensorFlow.  Printed: the training times (the
best round, the one least slowed down by other programs on a shared machine, and the median),
test accuracies and peak memories, the throughput (best round), the compute floor, each
program's ratios to the reference and to the floor, and the targets, each judged in this run:
the series' fit <= 0.75 x the reference's; the hand loop's training (its compiling left out)
<= 1.5 x the floor, with test accuracy >= 97.5%.
Then the convnet notebook 11 trains and saves is trained once, its whole training timed and its test accuracy
measured on the saved file, with its targets: <= 50 s where the reference takes 5.46 s (a ratio, so that any
machine can judge it), >= 99.2% (--no-convnet skips it).

The compute floor is the time the 5-epoch fit's matrix products alone would take at the
measured throughput.  Its FLOP count (the matrix products only: biases, relu, softmax, the
loss and the RMSprop updates are element-wise, a few per weight or activation, and left out,
so the floor is a lower bound):

    A Dense layer with n inputs and m units, per image:
        forward                          2·n·m   (a multiply and an add per weight)
        gradient of its weights          2·n·m
        gradient of its inputs           2·n·m   (not computed for the first layer: its input is the data)
    training, per image:   hidden 2·2·784·512 + output 3·2·512·10  = 1,605,632 + 30,720 = 1,636,352
                           × 60,000 images × 5 epochs               = 490.9 GFLOP
    floor = 490.9 GFLOP / throughput   (the same for the reference program, the series' fit and the hand
    loop: the same network, batches and epochs, on all 60,000 images, no validation data)

The throughput is measured on the two products that make up almost all of that count, at the
fit's own sizes: the hidden layer's forward product (128×784)·(784×512) and its weight-gradient
product (784×128)·(128×512), repeated inside one compiled TensorFlow call.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

from helpers import TF_CPP_MIN_LOG_LEVEL

# The reference program, as in the article: plain Sequential, compile, fit, evaluate.
REFERENCE = """
import keras
from keras import layers
from helpers.data import load_mnist
(train_images, train_labels), (test_images, test_labels) = load_mnist()
keras.utils.set_random_seed(SEED)
network = keras.Sequential([keras.Input(shape=(28 * 28,)),
                            layers.Dense(512, activation="relu"),
                            layers.Dense(10, activation="softmax")])
network.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
train_images = train_images.reshape((60000, 28 * 28)).astype("float32") / 255
test_images = test_images.reshape((10000, 28 * 28)).astype("float32") / 255
train_labels = keras.utils.to_categorical(train_labels)
test_labels = keras.utils.to_categorical(test_labels)
start, cpu_start = time.perf_counter(), time.process_time()
network.fit(train_images, train_labels, epochs=5, batch_size=128, verbose=0)
fit_seconds, fit_cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
test_loss, test_accuracy = network.evaluate(test_images, test_labels, verbose=0)
"""

# MNIST as the series prepares it for the dense network (helpers.model.preprocess), for the two programs below.
SERIES_DATA = """
import keras
from helpers.data import load_mnist
from helpers.model import preprocess
(x_train, y_train), (x_test, y_test) = load_mnist()
x_train, y_train = preprocess(x_train, y_train)
x_test, y_test = preprocess(x_test, y_test)
keras.utils.set_random_seed(SEED)
"""

# The series' training of the model notebook 05 saves (helpers.model: all 60,000 images, no validation data).
SERIES = SERIES_DATA + """
from helpers.model import build_model, fit_reference
model = build_model()
start, cpu_start = time.perf_counter(), time.process_time()
fit_reference(model, x_train, y_train, verbose=0)
fit_seconds, fit_cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
"""

# The training loop written by hand in notebook 08, one XLA-compiled program per epoch (helpers.training_loop).
HAND_LOOP = SERIES_DATA + """
import tensorflow as tf
from helpers.model import EPOCHS, build_model
from helpers.training_loop import compiled_epoch
x_train, y_train = tf.constant(x_train), tf.constant(y_train)
model = build_model()   # compiled only so that evaluate can measure it; the loop brings its own optimizer
train_epoch = compiled_epoch(model, keras.optimizers.RMSprop(), keras.losses.CategoricalCrossentropy())
epoch_seconds = []
cpu_start = time.process_time()
for _ in range(EPOCHS):
    start = time.perf_counter()
    float(train_epoch(x_train, y_train)[0])   # waits for the epoch to finish
    epoch_seconds.append(time.perf_counter() - start)
fit_seconds, fit_cpu_seconds = sum(epoch_seconds), time.process_time() - cpu_start
# The first call also compiles: its extra time over the later epochs' median is the compile time, and the
# training without it counts the first epoch at that median.
later_median = sorted(epoch_seconds[1:])[len(epoch_seconds[1:]) // 2]
compile_seconds = max(0.0, epoch_seconds[0] - later_median)
steady_seconds = sum(epoch_seconds[1:]) + later_median
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
"""

# This machine's float32 matrix-multiply throughput on the fit's two big products (see the docstring).
THROUGHPUT = """
import tensorflow as tf
tf.random.set_seed(SEED)
xs = tf.random.normal((8, 128, 784))    # 8 batches of images
w = tf.random.normal((784, 512))        # the hidden layer's weights
dys = tf.random.normal((8, 128, 512))   # 8 gradients of the loss with respect to the hidden layer's output

@tf.function
def products(n):
    # A graph loop (tf.while_loop: AutoGraph cannot read the source of a `python -c` program) that
    # takes a different batch each pass, so TensorFlow cannot compute a product once and reuse it.
    def body(i, total):
        x, dy = xs[i % 8], dys[i % 8]
        return i + 1, total + tf.matmul(x, w)[0, 0] + tf.matmul(x, dy, transpose_a=True)[0, 0]
    return tf.while_loop(lambda i, total: i < n, body, (tf.constant(0), tf.constant(0.0)))[1]

REPEATS = 200
products(tf.constant(10)).numpy()   # trace and warm up
best, best_cpu = float("inf"), float("inf")
for _ in range(10):
    start, cpu_start = time.perf_counter(), time.process_time()
    products(tf.constant(REPEATS)).numpy()
    best, best_cpu = min(best, time.perf_counter() - start), min(best_cpu, time.process_time() - cpu_start)
gflops = REPEATS * 2 * (2 * 128 * 784 * 512) / best / 1e9
gflop_per_cpu_second = REPEATS * 2 * (2 * 128 * 784 * 512) / best_cpu / 1e9
fit_seconds = fit_cpu_seconds = 0.0
test_accuracy = float("nan")
"""

# The convnet notebook 11 trains and saves (the grid's "chosen" recipe, on all 60,000 images), its whole fit timed;
# its test accuracy is measured on the saved .keras file, loaded back.
CONVNET = """
import tempfile
from pathlib import Path
import keras
from helpers.experiments import CONVNET_EXPERIMENTS, load_convnet_data, run_convnet_experiment
data = load_convnet_data()
recipe = CONVNET_EXPERIMENTS["chosen"]
saved = Path(tempfile.mkdtemp()) / "convnet.keras"
result = run_convnet_experiment(recipe, data, save_to=saved)
fit_seconds, fit_cpu_seconds = result["seconds"], float("nan")
CONVNET_EPOCHS = recipe.epochs
test_loss, test_accuracy = keras.models.load_model(saved).evaluate(data.x_test, data.y_test, verbose=0)
"""

# The same with XLA (jit_compile=True), to show what XLA itself brings.
SERIES_WITH_XLA = SERIES.replace("build_model()", "build_model(jit_compile=True)")

REPORT = """
import json, resource
print("BENCH " + json.dumps({"fit_seconds": fit_seconds, "fit_cpu_seconds": fit_cpu_seconds,
                             "test_accuracy": float(test_accuracy),
                             "gflop_per_cpu_second": globals().get("gflop_per_cpu_second"),
                             "gflops": globals().get("gflops"), "epochs": globals().get("CONVNET_EPOCHS"),
                             "compile_seconds": globals().get("compile_seconds"),
                             "steady_seconds": globals().get("steady_seconds"),
                             "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(program: str, seed: int) -> dict:
    code = f"import time\nSEED = {seed}\n" + program + REPORT
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL=TF_CPP_MIN_LOG_LEVEL)
    result = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    lines = [line for line in result.stdout.splitlines() if line.startswith("BENCH ")]
    if result.returncode != 0 or not lines:
        sys.exit(f"error: benchmark program failed: {result.stderr.strip().splitlines()[-1:]}")
    return json.loads(lines[-1][len("BENCH "):])


# The FLOP count of the docstring: matrix products of the 5-epoch fit (60,000 images, batch 128).
HIDDEN, OUTPUT = (784, 512), (512, 10)
TRAIN_FLOPS = (2 * 2 * HIDDEN[0] * HIDDEN[1] + 3 * 2 * OUTPUT[0] * OUTPUT[1]) * 60_000 * 5
TARGETS = {"series/reference": 0.75, "hand loop/floor": 1.5, "hand loop accuracy": 0.975,
           "convnet/reference": round(50 / 5.46, 1), "convnet accuracy": 0.992}


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="alternating runs of each program (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-convnet", action="store_true", help="skip the convnet's fit (about a minute or more)")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(other programs running make every time longer; compare ratios only)", flush=True)
    programs = {"reference": REFERENCE, "series": SERIES, "with XLA": SERIES_WITH_XLA, "hand loop": HAND_LOOP,
                "matmul": THROUGHPUT}
    results: dict[str, list[dict]] = {name: [] for name in programs}
    for round_number in range(1, args.rounds + 1):
        for name, program in programs.items():
            outcome = run(program, args.seed)
            results[name].append(outcome)
            shown = (f"{outcome['gflops']:6.1f} GFLOP/s" if name == "matmul" else f"fit {outcome['fit_seconds']:6.2f} s")
            print(f"round {round_number}: {name:9} {shown}   (load {os.getloadavg()[0]:.1f})", flush=True)
    # The best round of each: the one least slowed down by other programs (this machine may be shared).
    summary = {}
    for name in ("reference", "series", "with XLA", "hand loop"):
        runs = results[name]
        summary[name] = {
            "fit": min(r["fit_seconds"] for r in runs),
            "median": statistics.median(r["fit_seconds"] for r in runs),
            "cpu": min(r["fit_cpu_seconds"] for r in runs),
            "accuracy": runs[-1]["test_accuracy"],
            "peak": max(r["peak_mib"] for r in runs),
            "compile": min(r["compile_seconds"] or 0.0 for r in runs),
            "steady": min(r["steady_seconds"] or r["fit_seconds"] for r in runs),
        }
        print(f"{name:9} fit time {summary[name]['fit']:6.2f} s (best; median {summary[name]['median']:.2f})   "
              f"test accuracy {summary[name]['accuracy']:.2%}   peak memory {summary[name]['peak']:,.0f} MiB")
    gflops = max(r["gflops"] for r in results["matmul"])
    floor = TRAIN_FLOPS / 1e9 / gflops
    print(f"matmul    {gflops:.1f} GFLOP/s (float32, TensorFlow, the fit's two big products; best round)")
    print(f"floor     {floor:6.2f} s = {TRAIN_FLOPS / 1e9:.1f} GFLOP / {gflops:.1f} GFLOP/s "
          f"(the matrix products of the 5-epoch training, the same for every program above)")
    reference = summary["reference"]["fit"]
    for name in ("series", "with XLA", "hand loop"):
        print(f"{name:9} /reference {summary[name]['fit'] / reference:.2f}   /floor {summary[name]['fit'] / floor:.2f}")
    hand = summary["hand loop"]
    steady = hand["steady"]
    print(f"hand loop {steady:.2f} s of training, compiling left out (the first epoch counted at the later epochs' "
          f"median; best round), and {hand['compile']:.2f} s of compiling (the first epoch's time over that median)")
    ratio = summary["series"]["fit"] / reference
    hand_floor_ratio = steady / floor
    print(f"ratio={ratio:.2f}  (the series' fit / the reference fit; target <= {TARGETS['series/reference']:.2f}: "
          f"{verdict(ratio <= TARGETS['series/reference'])})")
    print(f"hand_floor_ratio={hand_floor_ratio:.2f}  (the hand loop's training, compiling left out / the floor; "
          f"target <= {TARGETS['hand loop/floor']:.2f}: {verdict(hand_floor_ratio <= TARGETS['hand loop/floor'])})")
    print(f"hand loop test accuracy {hand['accuracy']:.2%}  (target >= {TARGETS['hand loop accuracy']:.1%}: "
          f"{verdict(hand['accuracy'] >= TARGETS['hand loop accuracy'])})", flush=True)
    # Cross-check in CPU seconds (the process's own CPU time, both cores summed), which other
    # programs on the machine disturb less than the wall-clock time.
    per_cpu_second = max(r["gflop_per_cpu_second"] for r in results["matmul"])
    cpu_floor = TRAIN_FLOPS / 1e9 / per_cpu_second
    print(f"cpu time  reference {summary['reference']['cpu']:.2f} s, series {summary['series']['cpu']:.2f} s, "
          f"with XLA {summary['with XLA']['cpu']:.2f} s; floor {cpu_floor:.2f} s at {per_cpu_second:.1f} GFLOP per "
          f"CPU-second: cpu_ratio={summary['series']['cpu'] / summary['reference']['cpu']:.2f}  "
          f"cpu_floor_ratio={summary['series']['cpu'] / cpu_floor:.2f}", flush=True)
    if not args.no_convnet:
        convnet = run(CONVNET, args.seed)
        convnet_ratio = convnet["fit_seconds"] / reference
        print(f"convnet   fit time {convnet['fit_seconds']:6.2f} s (notebook 11's chosen recipe, {convnet['epochs']} "
              f"epochs, once)   test accuracy {convnet['test_accuracy']:.2%} (the saved .keras file, loaded)   "
              f"peak memory {convnet['peak_mib']:,.0f} MiB")
        print(f"convnet_ratio={convnet_ratio:.2f}  (convnet fit time / reference fit time; target <= "
              f"{TARGETS['convnet/reference']:.1f}, i.e. 50 s where the reference fit takes 5.46 s as when the target "
              f"was set: {verdict(convnet_ratio <= TARGETS['convnet/reference'])})")
        print(f"convnet test accuracy {convnet['test_accuracy']:.2%}  (target >= {TARGETS['convnet accuracy']:.1%}: "
              f"{verdict(convnet['test_accuracy'] >= TARGETS['convnet accuracy'])})", flush=True)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
