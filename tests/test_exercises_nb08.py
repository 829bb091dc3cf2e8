"""nb08: the size of RMSprop's first step (a number reasoned from the formula), b1's gradient, an evaluation loop
and a step with SGD and momentum (functions), each checked against Keras and TensorFlow, with plausible wrong
answers rejected by name."""
from __future__ import annotations

import math

import numpy as np
import pytest

from helpers.exercises import nb08


def test_the_first_step_is_what_keras_rmsprop_does(keras) -> None:
    weight = keras.Variable(np.array([1.0, 1.0, 1.0], dtype="float32"))
    gradient = np.array([nb08.GRADIENT, 5.0, 0.05], dtype="float32")  # the step does not grow with the gradient
    keras.optimizers.RMSprop(learning_rate=nb08.LEARNING_RATE).apply_gradients([(gradient, weight)])
    steps = 1.0 - keras.ops.convert_to_numpy(weight)
    assert np.allclose(steps, nb08.first_step(nb08.GRADIENT), rtol=1e-3)


@pytest.mark.parametrize("answer", [nb08.first_step(0.5), 0.0032, 0.00316, 0.001 / math.sqrt(0.1), "solution"])
def test_first_step_right(answer) -> None:
    if answer == "solution":
        namespace: dict = {}
        exec(nb08.q1.solution_code, namespace)
        answer = namespace["first_step"]
    assert nb08.q1.evaluate(answer).status == "correct"


@pytest.mark.parametrize("answer, word", [
    (0.0005, "plain gradient descent"), (0.001, "(1 - rho)"), (0.02, "square root"), (0.005, "square the gradient"),
    (0.001 * 0.5 / math.sqrt(0.9 * 0.25), "swapped"), (-0.00316, "positive number"), (0.003, "not it"),
    (0.001 * math.sqrt(0.025), "divides"), ("0.00316", "quotes"),
])
def test_first_step_mistakes_are_named(answer, word) -> None:
    feedback = nb08.q1.evaluate(answer)
    assert feedback.status == "incorrect" and word in feedback.message, feedback


def test_the_hidden_bias_gradient_is_tensorflows(keras) -> None:
    import tensorflow as tf

    for x, y, W1, b1, W2, b2 in nb08._cases():
        bias = tf.Variable(b1)
        with tf.GradientTape() as tape:
            hidden = tf.nn.relu(x @ W1 + bias)
            # from the scores (logits): Keras clips probabilities near 1, which would zero some terms
            loss = keras.losses.CategoricalCrossentropy(from_logits=True)(y, hidden @ W2 + b2)
        expected = tape.gradient(loss, bias).numpy()
        assert np.allclose(nb08.hidden_bias_gradient(x, y, W1, b1, W2, b2), expected, atol=1e-6)
        assert ((x @ W1 + b1) <= 0).any(), "each case needs inactive units, or the relu mistake would not show"


def solution():
    namespace: dict = {}
    exec(nb08.q2.solution_code, namespace)
    return namespace["hidden_bias_gradient"]


def naive_softmax(x, y, W1, b1, W2, b2):  # right, in another spelling (no max subtracted; loops over images)
    total = np.zeros_like(b1)
    for xi, yi in zip(x, y):
        pre = xi @ W1 + b1
        scores = np.maximum(pre, 0) @ W2 + b2
        p = np.exp(scores) / np.exp(scores).sum()
        total += ((p - yi) @ W2.T) * (pre > 0)
    return total / len(x)


@pytest.mark.parametrize("answer", [solution(), naive_softmax])
def test_hidden_bias_gradient_right(answer) -> None:
    assert nb08.q2.evaluate(answer).status == "correct"


def per_image(x, y, W1, b1, W2, b2):
    pre = x @ W1 + b1
    d = (nb08.softmax(np.maximum(pre, 0) @ W2 + b2) - y) / len(x)
    return (d @ W2.T) * (pre > 0)


@pytest.mark.parametrize("answer, word", [
    (lambda x, y, W1, b1, W2, b2: nb08.hidden_bias_gradient(x, y, W1, b1, W2, b2, mask=False), "relu is missing"),
    (lambda x, y, W1, b1, W2, b2: nb08.hidden_bias_gradient(x, y, W1, b1, W2, b2, mean=False), "batch size"),
    (per_image, "sum over the batch"),
    (lambda x, y, W1, b1, W2, b2: ((nb08.softmax(np.maximum(x @ W1 + b1, 0) @ W2 + b2) - y) / len(x)).sum(axis=0),
     "b2's gradient"),
    (lambda x, y, W1, b1, W2, b2: ((nb08.softmax(x @ W1 @ W2) - y) @ W2).sum(axis=0), "W2.T"),
    (lambda x, y, W1, b1, W2, b2: 2 * nb08.hidden_bias_gradient(x, y, W1, b1, W2, b2), "not b1's gradient yet"),
    (lambda x, y, W1, b1, W2, b2: print(b1), "return, not print"),
    (lambda x, y: 0, "def line"),
])
def test_hidden_bias_gradient_mistakes_are_named(answer, word) -> None:
    feedback = nb08.q2.evaluate(answer)
    assert feedback.status == "incorrect" and word in feedback.message, feedback
    assert str(feedback).count("\n") <= 1


# ---------------------------------------------------------------- q3: the evaluation loop

def q3_solution():
    namespace: dict = {}
    exec(nb08.q3.solution_code, namespace)
    return namespace["evaluate_by_hand"]


def eval_unweighted(model, loss_fn, x, y, batch_size=128):
    L=[];A=[]
    for s in range(0, len(x), batch_size):
        p = model(x[s:s+batch_size]); L.append(float(loss_fn(y[s:s+batch_size], p))); A.append(np.mean(np.argmax(p,1)==np.argmax(y[s:s+batch_size],1)))
    return np.mean(L), np.mean(A)
def eval_drop(model, loss_fn, x, y, batch_size=128):
    L=0;A=0;n=0
    for s in range(0, len(x)-batch_size+1, batch_size):
        p = model(x[s:s+batch_size]); L+=float(loss_fn(y[s:s+batch_size], p))*batch_size; A+=np.sum(np.argmax(p,1)==np.argmax(y[s:s+batch_size],1)); n+=batch_size
    return L/n, A/n
def eval_all(model, loss_fn, x, y, batch_size=128):
    p = model(x); return float(loss_fn(y,p)), np.mean(np.argmax(p,1)==np.argmax(y,1))
def eval_eval(model, loss_fn, x, y, batch_size=128):
    return model.evaluate(x, y, batch_size=batch_size, verbose=0)
def eval_pct(model, loss_fn, x, y, batch_size=128):
    l,a=q3_solution()(model, loss_fn, x, y, batch_size); return l, a*100
def eval_swap(model, loss_fn, x, y, batch_size=128):
    l,a=q3_solution()(model, loss_fn, x, y, batch_size); return a, l
def eval_print(model, loss_fn, x, y, batch_size=128):
    print(1,2)
def eval_sum(model, loss_fn, x, y, batch_size=128):
    l,a=q3_solution()(model, loss_fn, x, y, batch_size); return l*len(x), a
def eval_count(model, loss_fn, x, y, batch_size=128):
    l,a=q3_solution()(model, loss_fn, x, y, batch_size); return l, a*len(x)
def eval_hard128(model, loss_fn, x, y, batch_size=128):
    return q3_solution()(model, loss_fn, x, y, 128)
def eval_predict(model, loss_fn, x, y, batch_size=128):
    p = model.predict(x, batch_size=batch_size, verbose=0); return float(loss_fn(y,p)), np.mean(np.argmax(p,1)==np.argmax(y,1))
def eval_shuffled(model, loss_fn, x, y, batch_size=128):
    o = np.random.permutation(len(x)); return q3_solution()(model, loss_fn, x[o], y[o], batch_size)
def eval_tensor(model, loss_fn, x, y, batch_size=128):
    import tensorflow as tf
    l,a= q3_solution()(model, loss_fn, x, y, batch_size); return tf.constant(l), tf.constant(a)


def test_the_checker_data_has_smaller_last_batches() -> None:
    for n, batch_size in nb08.EVAL_CASES:
        assert n % batch_size, "a whole number of batches would hide the unweighted mean"


@pytest.mark.parametrize("answer", [q3_solution(), eval_shuffled, eval_tensor])
def test_evaluate_by_hand_right(answer, keras) -> None:
    assert nb08.q3.evaluate(answer).status == "correct"


@pytest.mark.parametrize("answer, word", [
    (eval_unweighted, "as if every batch were as large"), (eval_drop, "last, smaller batch is left out"),
    (eval_all, "at once"), (eval_eval, "Keras's evaluate"), (eval_predict, "model.predict"),
    (eval_pct, "percent"), (eval_swap, "swapped"), (eval_print, "return, not print"), (eval_sum, "is a sum"),
    (eval_count, "number of right answers"), (eval_hard128, "use the parameter"),
    (lambda model, loss_fn, x, y, batch_size=128: (1.0, 0.5), "never called"),
    (lambda *args: (lambda loss, accuracy: (loss + 1, accuracy / 2))(*q3_solution()(*args)), "not what evaluate"),
    (lambda *args: (lambda loss, accuracy: (2 * loss, accuracy))(*q3_solution()(*args)), "the accuracy is right"),
    (lambda *args: (lambda loss, accuracy: (loss, accuracy / 2))(*q3_solution()(*args)), "the loss is right"),
    (lambda *args: q3_solution()(*args)[0], "return two numbers"),
    (lambda *args: (*q3_solution()(*args), 3.0), "3 values"),
    (lambda model, x, y, batch_size=128: (1.0, 0.5), "def line"),
    ((1.0, 0.5), "not a function"),
])
def test_evaluate_by_hand_mistakes_are_named(answer, word, keras) -> None:
    feedback = nb08.q3.evaluate(answer)
    assert feedback.status == "incorrect" and word in feedback.message, feedback
    assert str(feedback).count("\n") <= 1


# ---------------------------------------------------------------- q4: a step with SGD and momentum

def test_the_right_trajectory_is_keras_sgd(keras) -> None:
    import tensorflow as tf

    start, xs, ys = nb08._momentum_case()
    model = nb08._small_network(start)
    optimizer = keras.optimizers.SGD(**nb08.MOMENTUM_SETTINGS)
    expected = nb08.momentum_trajectory()[0]
    for step, (x, y) in enumerate(zip(xs, ys)):
        with tf.GradientTape() as tape:
            loss = keras.losses.CategoricalCrossentropy()(y, model(x, training=True))
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        for got, want in zip(model.get_weights(), expected[step]):
            assert np.allclose(got, want, rtol=1e-4, atol=1e-6)


def test_each_momentum_mistake_gives_other_weights(keras) -> None:
    right = nb08.momentum_trajectory()[0][-1]
    for variant, _ in nb08.MOMENTUM_MISTAKES:
        wrong = nb08.momentum_trajectory(variant)[0][-1]
        assert not all(np.allclose(a, b, rtol=1e-4, atol=1e-6) for a, b in zip(right, wrong)), variant


def q4_solution():
    namespace: dict = {}
    exec(nb08.q4.solution_code, namespace)
    return namespace["momentum_step"]


def tape(model, loss_fn, x, y):
    import tensorflow as tf

    with tf.GradientTape() as t:
        loss = loss_fn(y, model(x, training=True))
    return loss, t.gradient(loss, model.trainable_variables)
def plain(model, loss_fn, velocities, x, y, learning_rate=0.01, momentum=0.9):
    loss, g = tape(model, loss_fn, x, y)
    for w, gg in zip(model.trainable_variables, g): w.assign_sub(learning_rate*gg)
    return loss
def reset(model, loss_fn, velocities, x, y, learning_rate=0.01, momentum=0.9):
    import tensorflow as tf

    loss, g = tape(model, loss_fn, x, y)
    for w, gg in zip(model.trainable_variables, g):
        v = tf.zeros_like(w); v = momentum*v - learning_rate*gg; w.assign_add(v)
    return loss
def torch_style(model, loss_fn, velocities, x, y, learning_rate=0.01, momentum=0.9):
    loss, g = tape(model, loss_fn, x, y)
    for i,(w, gg) in enumerate(zip(model.trainable_variables, g)):
        velocities[i] = momentum*velocities[i] + gg; w.assign_sub(learning_rate*velocities[i])
    return loss
def ascent(model, loss_fn, velocities, x, y, learning_rate=0.01, momentum=0.9):
    loss, g = tape(model, loss_fn, x, y)
    for w, v, gg in zip(model.trainable_variables, velocities, g): v.assign(momentum*v + learning_rate*gg); w.assign_add(v)
    return loss
def wfirst(model, loss_fn, velocities, x, y, learning_rate=0.01, momentum=0.9):
    loss, g = tape(model, loss_fn, x, y)
    for w, v, gg in zip(model.trainable_variables, velocities, g): w.assign_add(v); v.assign(momentum*v - learning_rate*gg)
    return loss
def avg(model, loss_fn, velocities, x, y, learning_rate=0.01, momentum=0.9):
    loss, g = tape(model, loss_fn, x, y)
    for w, v, gg in zip(model.trainable_variables, velocities, g): v.assign(momentum*v + (1-momentum)*gg); w.assign_sub(learning_rate*v)
    return loss
def nolr(model, loss_fn, velocities, x, y, learning_rate=0.01, momentum=0.9):
    loss, g = tape(model, loss_fn, x, y)
    for w, v, gg in zip(model.trainable_variables, velocities, g): v.assign(momentum*v - gg); w.assign_add(v)
    return loss
def nest(model, loss_fn, velocities, x, y, learning_rate=0.01, momentum=0.9):
    loss, g = tape(model, loss_fn, x, y)
    for w, v, gg in zip(model.trainable_variables, velocities, g): v.assign(momentum*v - learning_rate*gg); w.assign_add(momentum*v - learning_rate*gg)
    return loss
def defaults(model, loss_fn, velocities, x, y, learning_rate=0.01, momentum=0.9):
    loss, g = tape(model, loss_fn, x, y)
    for w, v, gg in zip(model.trainable_variables, velocities, g): v.assign(0.9*v - 0.01*gg); w.assign_add(v)
    return loss
OPTIMIZER = []
def keras_opt(model, loss_fn, velocities, x, y, learning_rate=0.01, momentum=0.9):
    import keras

    if not OPTIMIZER:
        OPTIMIZER.append(keras.optimizers.SGD(learning_rate=learning_rate, momentum=momentum))
    loss, g = tape(model, loss_fn, x, y); OPTIMIZER[0].apply_gradients(zip(g, model.trainable_variables)); return loss
def noassign(model, loss_fn, velocities, x, y, learning_rate=0.01, momentum=0.9):
    loss, g = tape(model, loss_fn, x, y)
    new = [w - learning_rate*gg for w, gg in zip(model.trainable_variables, g)]
    return loss
def after_loss(model, loss_fn, velocities, x, y, learning_rate=0.01, momentum=0.9):
    loss, g = tape(model, loss_fn, x, y)
    for w, v, gg in zip(model.trainable_variables, velocities, g): v.assign(momentum*v - learning_rate*gg); w.assign_add(v)
    return loss_fn(y, model(x))
def printer(model, loss_fn, velocities, x, y, learning_rate=0.01, momentum=0.9):
    loss, g = tape(model, loss_fn, x, y)
    for w, v, gg in zip(model.trainable_variables, velocities, g): v.assign(momentum*v - learning_rate*gg); w.assign_add(v)
    print(float(loss))
def numpy_style(model, loss_fn, velocities, x, y, learning_rate=0.01, momentum=0.9):
    loss, g = tape(model, loss_fn, x, y)
    ws = model.get_weights()
    for i in range(len(ws)):
        velocities[i] = momentum*np.asarray(velocities[i]) - learning_rate*g[i].numpy(); ws[i] = ws[i] + velocities[i]
    model.set_weights(ws); return float(loss)


@pytest.mark.parametrize("answer", [q4_solution(), torch_style, numpy_style])
def test_momentum_step_right(answer, keras) -> None:
    assert nb08.q4.evaluate(answer).status == "correct"


@pytest.mark.parametrize("answer, word", [
    (plain, "plain gradient descent"), (reset, "plain gradient descent"), (ascent, "up the gradient"),
    (wfirst, "old velocity"), (avg, "average of the gradients"), (nolr, "learning rate is missing"),
    (nest, "Nesterov"), (defaults, "use its parameters"), (keras_opt, "never changed"),
    (noassign, "did not change"), (after_loss, "before the update"), (printer, "return, not print"),
    (lambda model, loss_fn, velocities, x, y: 0.0, "def line"), (3.0, "not a function"),
])
def test_momentum_step_mistakes_are_named(answer, word, keras) -> None:
    feedback = nb08.q4.evaluate(answer)
    assert feedback.status == "incorrect" and word in feedback.message, feedback
    assert str(feedback).count("\n") <= 1
