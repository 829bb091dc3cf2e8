"""The training loop of notebook 08, compiled: a whole epoch as one TensorFlow program.

`make bench` times it against the reference program's ``fit``.
"""
from __future__ import annotations

from typing import Callable

import keras
import tensorflow as tf


def compiled_epoch(model: keras.Model, optimizer: keras.optimizers.Optimizer, loss_fn: keras.losses.Loss,
                   batch_size: int = 128, jit_compile: bool = True) -> Callable:
    """A function that trains ``model`` for one epoch on (x, y) tensors and returns (mean loss, accuracy)
    as fit's log computes them; written out in notebook 08 (tests/test_training_loop.py keeps the two the same)."""
    optimizer.build(model.trainable_variables)   # the optimizer's own variables (RMSprop's v), made before compiling

    def step(x, y):
        with tf.GradientTape() as tape:
            probabilities = model(x, training=True)
            loss = loss_fn(y, probabilities)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        right = tf.reduce_sum(tf.cast(tf.argmax(probabilities, axis=1) == tf.argmax(y, axis=1), "float32"))
        return loss * len(x), right                 # the batch's loss times its number of images, its right answers

    @tf.function(jit_compile=jit_compile)
    def train_epoch(x, y):
        n = len(x)
        full_batches = n // batch_size
        order = tf.random.shuffle(tf.range(n))      # a new order every epoch, drawn inside the program
        loss_sum, right = tf.constant(0.0), tf.constant(0.0)
        for i in tf.range(full_batches):            # AutoGraph makes this a loop inside the program
            batch = tf.slice(order, [i * batch_size], [batch_size])   # always batch_size long: XLA wants fixed shapes
            batch_loss, batch_right = step(tf.gather(x, batch), tf.gather(y, batch))
            loss_sum, right = loss_sum + batch_loss, right + batch_right
        if n % batch_size:                          # the last, smaller batch (96 of 60,000 images)
            batch = order[full_batches * batch_size:]
            batch_loss, batch_right = step(tf.gather(x, batch), tf.gather(y, batch))
            loss_sum, right = loss_sum + batch_loss, right + batch_right
        return loss_sum / n, right / n

    return train_epoch
