"""Exercises of notebook 08 (under the hood): ``nb08.q1`` the size of RMSprop's first step (reasoning from
its formula), ``nb08.q2`` the gradient of the hidden layer's biases (backpropagation one layer further),
``nb08.q3`` an evaluation loop over batches (what ``evaluate`` prints), ``nb08.q4`` a training step with
SGD and momentum written by hand (what ``keras.optimizers.SGD`` does)."""
from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from helpers.exercises.core import (Feedback, Question, Rejected, as_float_array, as_function, as_number,
                                    call_learner, close, judged_outputs, kind, known_mistake, right, rounds_to,
                                    wrong)

LEARNING_RATE, RHO, EPSILON = 0.001, 0.9, 1e-7
GRADIENT = 0.5  # the gradient of the weight in q1


def first_step(g: float, learning_rate: float = LEARNING_RATE, rho: float = RHO, epsilon: float = EPSILON) -> float:
    """How far RMSprop's first update (v starts at 0) moves a weight whose gradient is ``g``."""
    v = (1 - rho) * g ** 2
    return learning_rate * abs(g) / math.sqrt(v + epsilon)


def _judge_first_step(answer: Any) -> Feedback:
    value = as_number(answer)
    exact = first_step(GRADIENT)
    # rounded to 2 or more digits, or with epsilon left out (0.001 / sqrt(0.1) differs in the 6th digit)
    if value > 0 and (rounds_to(value, exact, min_digits=2) or math.isclose(value, exact, rel_tol=1e-4)):
        return right(f"{LEARNING_RATE} × {GRADIENT} / sqrt({1 - RHO:.1f} × {GRADIENT}²) = {LEARNING_RATE} / "
                     f"sqrt({1 - RHO:.1f}) ≈ {exact:.5f}. The gradient cancels out: on its first step every weight "
                     "whose gradient is well above sqrt(epsilon) moves by the same amount, whatever the gradient's size.")
    if value < 0 and (rounds_to(-value, exact, min_digits=2) or math.isclose(-value, exact, rel_tol=1e-4)):
        return wrong(f"the weight moves by {-value:g}, down (against its positive gradient); the question asks "
                     "for the size of the step, a positive number.")
    g, lr = GRADIENT, LEARNING_RATE
    known = [
        (lr * g, "that is plain gradient descent's step, learning_rate × g; RMSprop divides it by sqrt(v + epsilon)."),
        (lr, f"that would be right if v were g² after the first update; it is (1 - rho)·g² = {(1 - RHO) * g * g:g}, "
             "since v starts at 0."),
        (lr * g / ((1 - RHO) * g * g), "you forgot the square root: divide by sqrt(v + epsilon), not by v."),
        (lr * g / (1 - RHO), "v is (1 - rho)·g², not (1 - rho): square the gradient."),
        (lr * g / math.sqrt(RHO * g * g), "rho and 1 - rho are swapped: the new v is rho·0 + (1 - rho)·g²."),
        (lr * g / math.sqrt(EPSILON), "that uses the old v, 0: Keras updates v first, then divides by sqrt(new v)."),
        (lr * math.sqrt((1 - RHO) * g * g), "you multiplied by sqrt(v); RMSprop divides by it."),
    ]
    found = known_mistake(value, known, rel_tolerance=2e-2)
    return found or wrong(f"{value:g} is not it: compute v = (1 - rho)·g² first, then learning_rate·g / sqrt(v + epsilon).")


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0)


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    exp = np.exp(z - z.max(axis=axis, keepdims=True))
    return exp / exp.sum(axis=axis, keepdims=True)


def hidden_bias_gradient(x, y, W1, b1, W2, b2, *, mask: bool = True, mean: bool = True) -> np.ndarray:
    """The gradient of the mean crossentropy with respect to b1, and the usual ways to get it wrong."""
    pre = x @ W1 + b1
    hidden = relu(pre)
    d_scores = softmax(hidden @ W2 + b2) - y
    if mean:
        d_scores = d_scores / len(x)
    d_hidden = d_scores @ W2.T
    d_pre = d_hidden * (pre > 0) if mask else d_hidden
    return d_pre.sum(axis=0)


@functools.cache
def _cases() -> list[tuple[np.ndarray, ...]]:
    """(x, y, W1, b1, W2, b2): small batches whose sizes differ, with hidden units inactive on some images."""
    rng = np.random.default_rng(8)
    cases = []
    for n, inputs, units, classes in ((6, 5, 4, 3), (9, 7, 6, 10)):
        x = rng.normal(size=(n, inputs))
        W1, b1 = rng.normal(size=(inputs, units)), rng.normal(scale=0.5, size=units)
        W2, b2 = rng.normal(size=(units, classes)), rng.normal(scale=0.5, size=classes)
        y = np.eye(classes)[rng.integers(0, classes, size=n)]
        cases.append((x, y, W1, b1, W2, b2))
    return cases


BIAS_MISTAKES: list[tuple[dict[str, bool], str]] = [
    ({"mask": False}, "relu is missing: a hidden unit that was inactive on an image (its input below 0) passes no "
                      "gradient back for that image; multiply by (x @ W1 + b1 > 0)."),
    ({"mean": False}, "you forgot to divide by the batch size: the loss is the mean over the batch, so d_scores is "
                      "(probabilities - y) / len(x)."),
    ({"mask": False, "mean": False}, "relu is missing (multiply by (x @ W1 + b1 > 0)) and you forgot to divide by "
                                     "the batch size."),
]


def _judge_hidden_bias_gradient(answer: Any) -> Feedback:
    gradient = as_function(answer, "hidden_bias_gradient")
    outputs = []
    for case in _cases():
        x, y, W1, b1, W2, b2 = case
        try:
            result = as_float_array(call_learner(gradient, *(a.copy() for a in case)), "the result")
        except Rejected as rejected:
            if "mismatch" in rejected.feedback.message or "shapes" in rejected.feedback.message:
                raise Rejected(wrong(f"{rejected.feedback.message}\nGoing back through the output layer multiplies "
                                     "by W2 transposed: d_scores @ W2.T, shape (batch, hidden units).")) from None
            raise
        if result.shape == (len(x), len(b1)):
            return wrong(f"this has one row per image, shape {result.shape}: b1's gradient has one value per hidden "
                         "unit; sum over the batch, .sum(axis=0), as b2's does.")
        if result.shape == b2.shape and result.shape != b1.shape:
            return wrong("this has one value per output class: that is b2's gradient. Go one layer further back, "
                         "through W2 and relu.")
        if result.shape != b1.shape:
            return wrong(f"the gradient has shape {result.shape}; b1's has {b1.shape}, one value per hidden unit.")
        outputs.append(result)

    def matches(flaws: dict) -> bool:
        return all(close(out, hidden_bias_gradient(*case, **flaws)) for case, out in zip(_cases(), outputs))

    return judged_outputs(
        matches, {}, BIAS_MISTAKES,
        "d_scores @ W2.T gives how the loss changes with each hidden output; relu lets it through "
        "only where the unit was active; summed over the batch, it is b1's gradient.",
        "not b1's gradient yet: d_scores = (softmax(scores) - y) / len(x), then d_scores @ W2.T, times "
        "(x @ W1 + b1 > 0), summed over the batch.")


q1 = Question("nb08.q1", _judge_first_step, answer_name="first_step", expects="the size of the step (a number)",
             hint="v starts at 0, so after the first update v = (1 - rho)·g². Then the step is "
                  "learning_rate·g / sqrt(v + epsilon); epsilon is tiny next to v here.",
             explanation="v = 0.1 × 0.5² = 0.025; the step is 0.001 × 0.5 / sqrt(0.025) = 0.001 / sqrt(0.1).",
             solution_code="""
                 import math
                 v = (1 - 0.9) * 0.5**2
                 first_step = 0.001 * 0.5 / math.sqrt(v + 1e-7)
             """)

q2 = Question("nb08.q2", _judge_hidden_bias_gradient, answer_name="hidden_bias_gradient", expects="your function",
             hint="Start from d_scores = (softmax(scores) - y) / len(x) as above; d_scores @ W2.T is how the loss "
                  "changes with each hidden output; relu's slope is 1 where x @ W1 + b1 > 0 and 0 elsewhere; a "
                  "bias's gradient sums over the batch.",
             explanation="backpropagation through the output layer (W2.T), then relu (its slope), then the sum "
                         "over the batch that every bias gradient is.",
             solution_code="""
                 import numpy as np

                 def hidden_bias_gradient(x, y, W1, b1, W2, b2):
                     pre = x @ W1 + b1
                     hidden = np.maximum(pre, 0)
                     scores = hidden @ W2 + b2
                     exp = np.exp(scores - scores.max(axis=1, keepdims=True))
                     d_scores = (exp / exp.sum(axis=1, keepdims=True) - y) / len(x)
                     d_hidden = d_scores @ W2.T
                     return (d_hidden * (pre > 0)).sum(axis=0)
             """)


# ---------------------------------------------------------------- q3: the evaluation loop

EVAL_CASES = ((300, 128), (250, 64))   # (images, batch_size): neither divides, so each has a smaller last batch


class WatchedModel:
    """A learner's view of a Keras model that notes how it is called (batch sizes, evaluate, predict)."""

    def __init__(self, model: Any):
        self._model = model
        self.batch_sizes: list[int] = []
        self.used: set[str] = set()

    def __call__(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        self.batch_sizes.append(len(x))
        return self._model(x, *args, **kwargs)

    def predict_on_batch(self, x: Any) -> Any:
        self.batch_sizes.append(len(x))
        return self._model.predict_on_batch(x)

    def __getattr__(self, name: str) -> Any:
        if name in ("evaluate", "predict", "test_on_batch"):
            self.used.add(name)
        return getattr(self._model, name)


@functools.cache
def _eval_data() -> list[tuple[Any, np.ndarray, np.ndarray, int, list[np.ndarray]]]:
    """(model, x, y, batch_size, per-batch probabilities) for each case: a small compiled network, random data."""
    import keras

    keras.utils.set_random_seed(3)
    cases = []
    rng = np.random.default_rng(3)
    for n, batch_size in EVAL_CASES:
        model = keras.Sequential([keras.Input(shape=(12,)), keras.layers.Dense(16, activation="relu"),
                                  keras.layers.Dense(5, activation="softmax")])
        model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
        x = rng.normal(size=(n, 12)).astype("float32")
        y = np.eye(5, dtype="float32")[rng.integers(0, 5, size=n)]
        batches = [keras.ops.convert_to_numpy(model(x[i:i + batch_size])) for i in range(0, n, batch_size)]
        cases.append((model, x, y, batch_size, batches))
    return cases


def evaluation(y: np.ndarray, batches: list[np.ndarray], batch_size: int, *, weighted: bool = True,
               last: bool = True) -> tuple[float, float]:
    """(mean loss, accuracy) from per-batch probabilities, and the usual ways to get it wrong."""
    losses, rights, sizes = [], [], []
    for i, p in enumerate(batches):
        if not last and len(p) < batch_size:
            continue
        t = y[i * batch_size:i * batch_size + len(p)]
        losses.append(-np.mean(np.sum(t * np.log(np.clip(p, 1e-7, 1)), axis=1)))
        rights.append(np.mean(p.argmax(axis=1) == t.argmax(axis=1)))
        sizes.append(len(p))
    if weighted:
        return float(np.average(losses, weights=sizes)), float(np.average(rights, weights=sizes))
    return float(np.mean(losses)), float(np.mean(rights))


def _as_pair(result: Any, name: str) -> tuple[float, float]:
    if isinstance(result, dict):
        raise Rejected(wrong(f"{name} returned a dict; return two numbers: return mean_loss, accuracy."))
    try:
        values = [float(np.asarray(v)) for v in result]
    except (TypeError, ValueError):
        raise Rejected(wrong(f"{name} returned {kind(result)}; return two numbers: "
                             "return mean_loss, accuracy.")) from None
    if len(values) != 2:
        raise Rejected(wrong(f"{name} returned {len(values)} values; return two: the mean loss, then the accuracy."))
    return values[0], values[1]


def _judge_evaluate_by_hand(answer: Any) -> Feedback:
    import keras

    evaluate_by_hand = as_function(answer, "evaluate_by_hand")
    outcomes = []
    for model, x, y, batch_size, batches in _eval_data():
        watched = WatchedModel(model)
        loss_fn = keras.losses.CategoricalCrossentropy()
        result = call_learner(evaluate_by_hand, watched, loss_fn, x.copy(), y.copy(), batch_size)
        if watched.used & {"evaluate", "test_on_batch"}:
            return wrong("that calls Keras's evaluate, the very loop to write: call the model on each batch, "
                         "model(x_batch), and add up the loss and the right answers yourself.")
        if "predict" in watched.used:
            return wrong("model.predict runs Keras's own loop over the batches; write that loop: call the model "
                         "on one batch at a time, model(x_batch).")
        if watched.batch_sizes and max(watched.batch_sizes) == 128 != batch_size:
            return wrong(f"the batches have 128 images although batch_size is {batch_size}: use the parameter "
                         "batch_size, not the number.")
        if watched.batch_sizes and max(watched.batch_sizes) > batch_size:
            return wrong(f"the model was called on {max(watched.batch_sizes)} images at once; go through the "
                         f"data in batches of batch_size ({batch_size} here), as evaluate does, so that memory "
                         "stays small however many images there are.")
        if not watched.batch_sizes:
            return wrong("the model was never called: run it on each batch, model(x_batch), to get the "
                         "probabilities.")
        loss, accuracy = _as_pair(result, getattr(evaluate_by_hand, "__name__", "your function"))
        outcomes.append((loss, accuracy, model.evaluate(x, y, batch_size=batch_size, verbose=0), y, batches,
                         batch_size, len(x)))

    def matches(variant: dict) -> bool:
        for loss, accuracy, _, y, batches, batch_size, _n in outcomes:
            want_loss, want_accuracy = evaluation(y, batches, batch_size, **variant.get("flaws", {}))
            scale = variant.get("scale", 1.0)
            got = (accuracy, loss) if variant.get("swapped") else (loss, accuracy)
            if not (math.isclose(got[0], want_loss, rel_tol=1e-4) and
                    math.isclose(got[1], want_accuracy * scale, rel_tol=1e-5, abs_tol=1e-6)):
                return False
        return True

    # the right answer is what Keras's evaluate prints
    if all(math.isclose(loss, keras_loss, rel_tol=1e-4) and math.isclose(accuracy, keras_accuracy, abs_tol=1e-6)
           for loss, accuracy, (keras_loss, keras_accuracy), *_ in outcomes):
        return right("the same loss and accuracy as model.evaluate. A smaller last batch counts for its own "
                     "number of images: the mean over batches, weighted by their sizes, is the mean over all "
                     "the images.")
    mistakes = [
        ({"flaws": {"weighted": False}}, "that averages the batches' losses and accuracies as if every batch were "
         "as large as the others; the last batch is smaller (44 of 300 images here): weight each batch by its "
         "number of images, or add up per image and divide by the number of images."),
        ({"flaws": {"last": False}}, "the last, smaller batch is left out (44 images here): range(0, len(x), "
         "batch_size) gives every start, and x[start:start + batch_size] stops at the end of the data."),
        ({"flaws": {"last": False, "weighted": False}}, "the last, smaller batch is left out: range(0, len(x), "
         "batch_size) gives every start, and x[start:start + batch_size] stops at the end of the data."),
        ({"scale": 100.0}, "the accuracy is in percent; return it as a fraction between 0 and 1, as evaluate does."),
        ({"swapped": True}, "the two numbers are swapped: return the mean loss first, then the accuracy."),
    ]
    for variant, message in mistakes:
        if matches(variant):
            return wrong(message)
    loss, accuracy, (keras_loss, keras_accuracy), y, batches, batch_size, n = outcomes[0]
    if math.isclose(loss, keras_loss * n, rel_tol=1e-4) or math.isclose(
            loss, evaluation(y, batches, batch_size, weighted=False)[0] * len(batches), rel_tol=1e-4):
        return wrong("the loss is a sum; evaluate prints the mean over the images: add up each batch's loss "
                     "times its size, then divide by the number of images.")
    if math.isclose(accuracy, keras_accuracy * n, rel_tol=1e-6):
        return wrong("the accuracy is the number of right answers; divide it by the number of images.")
    if math.isclose(loss, keras_loss, rel_tol=1e-4):
        return wrong(f"the loss is right but the accuracy is not ({accuracy:g}, evaluate says {keras_accuracy:g}): "
                     "count the images whose largest probability is at the true class, "
                     "argmax(probabilities) == argmax(y), over all the images.")
    if math.isclose(accuracy, keras_accuracy, abs_tol=1e-6):
        return wrong(f"the accuracy is right but the loss is not ({loss:g}, evaluate says {keras_loss:g}): "
                     "loss_fn(y_batch, probabilities) is the batch's mean loss; weight it by the batch's size.")
    return wrong(f"not what evaluate prints yet ({loss:g}, {accuracy:g} against {keras_loss:g}, "
                 f"{keras_accuracy:g}): for each batch, the loss times the batch's size and the number of right "
                 "answers; at the end, both divided by the number of images.")


# ---------------------------------------------------------------- q4: a training step with SGD and momentum

MOMENTUM_SETTINGS = {"learning_rate": 0.05, "momentum": 0.8}   # not the defaults, so neither can be typed in
MOMENTUM_STEPS = 3


def momentum_update(weights: list[np.ndarray], velocities: list[np.ndarray], gradients: list[np.ndarray],
                    learning_rate: float, momentum: float, variant: str = "right") -> None:
    """One update, in place: SGD with momentum as Keras writes it, and the usual ways to get it wrong."""
    for w, v, g in zip(weights, velocities, gradients):
        if variant == "plain":            # no velocity at all (or one that starts at 0 every step)
            w -= learning_rate * g
        elif variant == "ascent":
            v *= momentum
            v += learning_rate * g
            w += v
        elif variant == "weights first":  # the weight moves by the old velocity, then the velocity changes
            w += v
            v *= momentum
            v -= learning_rate * g
        elif variant == "average":        # an average of the gradients, as RMSprop keeps of their squares
            v *= momentum
            v += (1 - momentum) * g
            w -= learning_rate * v
        elif variant == "no learning rate":
            v *= momentum
            v -= g
            w += v
        elif variant == "nesterov":
            v *= momentum
            v -= learning_rate * g
            w += momentum * v - learning_rate * g
        else:
            v *= momentum
            v -= learning_rate * g
            w += v


@functools.cache
def _momentum_case() -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """A small network's starting weights and three batches (x, y) to take the steps on."""
    rng = np.random.default_rng(4)
    weights = [rng.normal(scale=0.5, size=(6, 8)), rng.normal(scale=0.1, size=8),
               rng.normal(scale=0.5, size=(8, 3)), rng.normal(scale=0.1, size=3)]
    xs = [rng.normal(size=(10, 6)) for _ in range(MOMENTUM_STEPS)]
    ys = [np.eye(3)[rng.integers(0, 3, size=10)] for _ in range(MOMENTUM_STEPS)]
    return [w.astype("float32") for w in weights], [x.astype("float32") for x in xs], [y.astype("float32") for y in ys]


def _small_network(weights: list[np.ndarray]) -> Any:
    import keras

    model = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.set_weights(weights)
    return model


def _gradients(weights: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
    import keras
    import tensorflow as tf

    model = _small_network(weights)
    with tf.GradientTape() as tape:
        loss = keras.losses.CategoricalCrossentropy()(y, model(x, training=True))
    return float(loss), [g.numpy() for g in tape.gradient(loss, model.trainable_variables)]


@functools.cache  # the same few trajectories serve every check: computed once each
def momentum_trajectory(variant: str = "right", learning_rate: float = MOMENTUM_SETTINGS["learning_rate"],
                        momentum: float = MOMENTUM_SETTINGS["momentum"]
                        ) -> tuple[list[list[np.ndarray]], list[float], list[float]]:
    """The weights after each of the steps, the loss of each batch before its step, and after it."""
    start, xs, ys = _momentum_case()
    weights = [w.astype("float64") for w in start]
    velocities = [np.zeros_like(w) for w in weights]
    after, losses, losses_after = [], [], []
    for x, y in zip(xs, ys):
        loss, gradients = _gradients([w.astype("float32") for w in weights], x, y)
        momentum_update(weights, velocities, gradients, learning_rate, momentum, variant)
        after.append([w.copy() for w in weights])
        losses.append(loss)
        losses_after.append(_gradients([w.astype("float32") for w in weights], x, y)[0])
    return after, losses, losses_after


MOMENTUM_MISTAKES = [
    ("plain", "that is plain gradient descent, w -= learning_rate * g: the velocity must carry over from one "
              "step to the next (keep it in `velocities`, and update it there)."),
    ("ascent", "the weights move up the gradient, so the loss grows: the velocity takes away learning_rate * g."),
    ("weights first", "the weight moved by the old velocity: update the velocity first, then add the new one "
                      "to the weight."),
    ("average", "that keeps an average of the gradients, v = momentum·v + (1 - momentum)·g; momentum adds "
                "the new step to the old velocity: v = momentum·v - learning_rate·g, then w += v."),
    ("no learning rate", "the learning rate is missing: the velocity takes away learning_rate * g."),
    ("nesterov", "that is Nesterov's variant (SGD(nesterov=True)); plain momentum adds the velocity itself: "
                 "w += v."),
]


def _judge_momentum_step(answer: Any) -> Feedback:
    import keras
    import tensorflow as tf

    momentum_step = as_function(answer, "momentum_step")
    start, xs, ys = _momentum_case()
    model = _small_network(start)
    velocities = [tf.Variable(tf.zeros_like(w)) for w in model.trainable_variables]
    first_velocities = list(velocities)
    loss_fn = keras.losses.CategoricalCrossentropy()
    weights_after, returned = [], []
    for x, y in zip(xs, ys):
        result = call_learner(momentum_step, model, loss_fn, velocities, x, y, **MOMENTUM_SETTINGS)
        returned.append(as_number(result))
        weights_after.append([keras.ops.convert_to_numpy(w).astype("float64") for w in model.get_weights()])

    def close_weights(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
        return all(w.shape == v.shape and np.allclose(w, v, rtol=1e-4, atol=1e-6) for w, v in zip(a, b))

    if all(close_weights(w, start) for w in weights_after):
        return wrong("the model's weights did not change: update each variable in place, e.g. "
                     "variable.assign_add(velocity), so the model itself learns.")
    right_after, right_losses, losses_after = momentum_trajectory()
    if all(close_weights(a, b) for a, b in zip(weights_after, right_after)):
        velocities_now = [np.asarray(v) for v in velocities]
        if all(v is w for v, w in zip(velocities, first_velocities)) and all(not v.any() for v in velocities_now):
            return wrong("the weights are right but `velocities` never changed: keep your velocities there "
                         "(velocity.assign(...)), not in an optimizer of Keras's or a variable of your own.")
        if np.allclose(returned, losses_after, rtol=1e-4) and not np.allclose(returned, right_losses, rtol=1e-4):
            return wrong("the weights are right; return the loss the tape computed, before the update, "
                         "as fit's log does.")
        if not np.allclose(returned, right_losses, rtol=1e-4):
            return wrong(f"the weights are right, but it returned {returned[0]:g} for the first batch; return "
                         f"the batch's loss, {right_losses[0]:g}.")
        return right("the same weights as keras.optimizers.SGD(learning_rate=0.05, momentum=0.8) after three "
                     "steps. The velocity keeps some of every earlier step, so consistent gradients build speed.")
    for variant, message in MOMENTUM_MISTAKES:
        trajectory = momentum_trajectory(variant)[0]
        if all(close_weights(a, b) for a, b in zip(weights_after, trajectory)):
            return wrong(message)
    typed_in = momentum_trajectory(learning_rate=0.01, momentum=0.9)[0]
    if all(close_weights(a, b) for a, b in zip(weights_after, typed_in)):
        return wrong("that uses learning_rate 0.01 and momentum 0.9 whatever the function is given: use its "
                     "parameters learning_rate and momentum, not the numbers (the check passes 0.05 and 0.8).")
    if close_weights(weights_after[0], right_after[0]):
        return wrong("the first step is right, the next ones are not: the velocity must carry over, each "
                     "step updating the one before (v = momentum·v - learning_rate·g).")
    return wrong("not SGD with momentum yet: for each variable, its gradient g and its velocity v, "
                 "v = momentum·v - learning_rate·g, then w = w + v.")


q3 = Question("nb08.q3", _judge_evaluate_by_hand, answer_name="evaluate_by_hand", expects="your function",
              hint="for start in range(0, len(x), batch_size): take x[start:start + batch_size] and the same "
                   "rows of y, call model(x_batch), add loss_fn(y_batch, probabilities) times the batch's size "
                   "and the number of rows where argmax(probabilities) equals argmax(y_batch). At the end, "
                   "divide both sums by len(x).",
              explanation="the loop of evaluate: batches in order, no weight update, each batch counted by its "
                          "number of images.",
              solution_code="""
                  import numpy as np

                  def evaluate_by_hand(model, loss_fn, x, y, batch_size=128):
                      loss_sum, right = 0.0, 0
                      for start in range(0, len(x), batch_size):
                          x_batch, y_batch = x[start:start + batch_size], y[start:start + batch_size]
                          probabilities = model(x_batch)
                          loss_sum += float(loss_fn(y_batch, probabilities)) * len(x_batch)
                          right += int(np.sum(np.argmax(probabilities, axis=1) == np.argmax(y_batch, axis=1)))
                      return loss_sum / len(x), right / len(x)
              """)

q4 = Question("nb08.q4", _judge_momentum_step, answer_name="momentum_step", expects="your function",
              hint="The tape as in train_step gives the gradients; then, for each variable, its velocity and "
                   "its gradient (zip the three lists): velocity.assign(momentum * velocity - learning_rate * "
                   "gradient), then variable.assign_add(velocity). Return the loss.",
              explanation="the step of the loop, with the optimizer written out: each weight keeps a velocity "
                          "that the gradients push, and moves by it.",
              solution_code="""
                  import tensorflow as tf

                  def momentum_step(model, loss_fn, velocities, x, y, learning_rate=0.01, momentum=0.9):
                      with tf.GradientTape() as tape:
                          loss = loss_fn(y, model(x, training=True))
                      gradients = tape.gradient(loss, model.trainable_variables)
                      for variable, velocity, gradient in zip(model.trainable_variables, velocities, gradients):
                          velocity.assign(momentum * velocity - learning_rate * gradient)
                          variable.assign_add(velocity)
                      return loss
              """)
