"""`make bench`: the plain reference program and the series' training, side by side in one run.

Each program runs in its own fresh Python process (so neither warms up the other and each
has its own peak memory), the two alternating for --rounds rounds. Printed: both fit times
(median over the rounds), ratio=<series/reference>, both test accuracies and peak memories.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

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
start = time.perf_counter()
network.fit(train_images, train_labels, epochs=5, batch_size=128, verbose=0)
fit_seconds = time.perf_counter() - start
test_loss, test_accuracy = network.evaluate(test_images, test_labels, verbose=0)
"""

# The series' training, as notebook 05 does it (validation data included: a conservative comparison).
SERIES = """
import keras
from helpers.data import load_mnist
from helpers.model import build_model, fit_reference, preprocess
(x_train, y_train), (x_test, y_test) = load_mnist()
x_train, y_train = preprocess(x_train, y_train)
x_test, y_test = preprocess(x_test, y_test)
keras.utils.set_random_seed(SEED)
model = build_model()
start = time.perf_counter()
fit_reference(model, x_train, y_train, x_test, y_test, verbose=0)
fit_seconds = time.perf_counter() - start
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
"""

REPORT = """
import json, resource
print("BENCH " + json.dumps({"fit_seconds": fit_seconds, "test_accuracy": float(test_accuracy),
                             "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(program: str, seed: int) -> dict:
    code = f"import time\nSEED = {seed}\n" + program + REPORT
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    lines = [line for line in result.stdout.splitlines() if line.startswith("BENCH ")]
    if result.returncode != 0 or not lines:
        sys.exit(f"error: benchmark program failed: {result.stderr.strip().splitlines()[-1:]}")
    return json.loads(lines[-1][len("BENCH "):])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="alternating runs of each program (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    results: dict[str, list[dict]] = {"reference": [], "series": []}
    for round_number in range(1, args.rounds + 1):
        for name, program in (("reference", REFERENCE), ("series", SERIES)):
            outcome = run(program, args.seed)
            results[name].append(outcome)
            print(f"round {round_number}: {name:9} fit {outcome['fit_seconds']:6.2f} s", flush=True)
    summary = {}
    for name, runs in results.items():
        summary[name] = {
            "fit": statistics.median(r["fit_seconds"] for r in runs),
            "accuracy": runs[-1]["test_accuracy"],
            "peak": max(r["peak_mib"] for r in runs),
        }
        print(f"{name:9} fit time {summary[name]['fit']:6.2f} s (median)   test accuracy "
              f"{summary[name]['accuracy']:.2%}   peak memory {summary[name]['peak']:,.0f} MiB")
    ratio = summary["series"]["fit"] / summary["reference"]["fit"]
    print(f"ratio={ratio:.2f}  (series fit time / reference fit time; target <= 0.70 on a 2-core CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
