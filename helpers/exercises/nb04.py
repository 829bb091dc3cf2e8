"""Exercises of notebook 04 (preprocessing): ``nb04.q1`` (a function that prepares any batch of images),
``nb04.q2`` (a Keras model that takes the raw images itself) and ``nb04.q3`` (standardising with the training
images' statistics)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from helpers.exercises.core import (Feedback, MODEL_IF_NONE, Question, Rejected, as_array, as_function, as_model,
                                    call_learner, dense_stack_mistake, first_line, input_shape, judged_outputs,
                                    layers_of, mnist, prepared, right, wrong)


def _mistake_in_prepared(x: np.ndarray, images: np.ndarray) -> Feedback | None:
    """What is wrong with ``x`` as the prepared version of the raw ``images``, or None if it is right."""
    n, pixels = len(images), 28 * 28
    if x.shape != (n, pixels):
        if x.shape == images.shape:
            return wrong(f"the shape is still {images.shape}: flatten each image to {pixels} pixels with "
                         f".reshape(len(images), {pixels}).")
        if x.shape == (pixels, n):
            return wrong(f"the shape {x.shape} is transposed: one row per image, .reshape(len(images), {pixels}).")
        return wrong(f"for {n} images the result has shape {x.shape}; expected {(n, pixels)}, one row of "
                     f"{pixels} pixels per image.")
    if not np.issubdtype(x.dtype, np.floating):
        if np.issubdtype(x.dtype, np.integer) and x.max() <= 1:
            return wrong(f"the values are {x.dtype} 0s and 1s: converting to integers after dividing cut off the "
                         "fractions; use .astype('float32') / 255.")
        if np.issubdtype(x.dtype, np.integer):
            return wrong(f"the values are still {x.dtype} (whole numbers 0-255): convert with .astype('float32'), "
                         "then divide by 255.")
        return wrong(f"the values are {x.dtype}; the network needs .astype('float32') values, divided by 255.")
    top, bottom = float(np.nanmax(x)), float(np.nanmin(x))
    if top > 1:
        if math.isclose(top, 255):
            return wrong("the values go up to 255: you forgot to scale; divide by 255 to bring them into [0, 1].")
        return wrong(f"the values go up to {top:g}; they should lie in [0, 1]: divide by 255.")
    if bottom < 0:
        return wrong(f"some values are negative ({bottom:g}); only divide by 255, so they lie in [0, 1].")
    expected = prepared(images)
    if x.dtype.itemsize < 4 and np.allclose(x, expected, rtol=0, atol=1e-3):
        return wrong(f"{x.dtype} is too coarse for the network's arithmetic: use .astype('float32'), "
                     "what Keras computes in.")
    if not np.allclose(x, expected, rtol=0, atol=1e-6):
        if np.allclose(x, expected * (255 / 256), rtol=0, atol=1e-6):
            return wrong("you scaled by 256; the brightest pixel is 255, so divide by 255 to map it to exactly 1.")
        return wrong("the values differ from images / 255: reshape, convert and divide by 255 "
                     "(keep the images and their pixels in order).")
    if x.dtype == np.float64:
        return wrong("the values are right, but the dtype is float64: add .astype('float32'); "
                     "float32 halves the memory and is what Keras computes in.")
    if x.dtype != np.float32:
        return wrong(f"the values are right, but the dtype is {x.dtype}: use .astype('float32'), what Keras computes in.")
    return None


def _judge_prepare_images(answer: Any) -> Feedback:
    function = as_function(answer, "prepare_images")
    (x_train, _), (x_test, _) = mnist()
    for images in (x_test, x_train[:7]):  # the whole test set, then a batch of another size
        try:
            result = call_learner(function, images.copy())
        except Rejected as rejected:
            if len(images) != len(x_test) and "reshape" in rejected.feedback.message:
                raise Rejected(wrong(f"it works for the {len(x_test)} test images but not for {len(images)} images "
                                     "(the reshape has a fixed count): use len(images), or -1.")) from None
            raise
        mistake = _mistake_in_prepared(as_array(result, "what prepare_images returns"), images)
        if mistake:
            if len(images) != len(x_test) and "for 7 images" in mistake.message:
                return wrong(f"it works for the {len(x_test)} test images but not for 7 images (a fixed count "
                             "somewhere?): use len(images), or -1 in the reshape.")
            return mistake
    return right("(n, 784) float32 values in [0, 1] for the 10000 test images and for a batch of 7: "
                 "any number of images works.")


def _judge_model_raw(answer: Any) -> Feedback:
    import keras

    model = as_model(answer, "your model")
    (_, _), (x_test, _) = mnist()
    shape = input_shape(model)
    if shape is not None and shape[1:] == (784,):
        return wrong("this model still takes flat images (784,); start it with keras.Input(shape=(28, 28)) so it "
                     "reads the raw images.")
    if not layers_of(model, "Flatten"):
        return wrong("there is no layers.Flatten(): without it, the Dense layers would work on each row of 28 "
                     "pixels separately.")
    if not layers_of(model, "Rescaling"):
        return wrong("there is no layers.Rescaling(1 / 255): the raw 0-255 pixels would reach the Dense layers.")
    rescaling = layers_of(model, "Rescaling")[0]
    scale = float(np.asarray(rescaling.scale, dtype="float64").reshape(-1)[0])
    if not math.isclose(scale, 1 / 255, rel_tol=1e-6) or float(np.asarray(rescaling.offset).reshape(-1)[0]) != 0:
        if math.isclose(scale, 255, rel_tol=1e-6):
            return wrong("Rescaling(255) multiplies by 255; to divide, write Rescaling(1 / 255).")
        if math.isclose(scale, 1 / 256, rel_tol=1e-6):
            return wrong("Rescaling(1 / 256): the brightest pixel is 255, so scale by 1 / 255 to map it to 1.")
        return wrong(f"the Rescaling layer multiplies by {scale:g} (offset {rescaling.offset}); "
                     "it should divide by 255: Rescaling(1 / 255), no offset.")
    mistake = dense_stack_mistake(model, hidden_units=512, input_shape_expected=(28, 28))
    if mistake:
        return mistake
    first_dense = model.layers.index(layers_of(model, "Dense")[0])
    seen = keras.ops.convert_to_tensor(x_test[:100])  # what the first Dense layer receives, on real images
    try:
        for layer in model.layers[:first_dense]:
            seen = layer(seen)
    except Exception as err:
        return wrong(f"the layers before the first Dense fail on real images ({type(err).__name__}: "
                     f"{first_line(err)}).")
    seen = np.asarray(keras.ops.convert_to_numpy(seen))
    if seen.shape != (100, 784):
        return wrong(f"on 100 test images the first Dense layer receives shape {seen.shape}, not the flat "
                     "(100, 784): put Flatten before the Dense layers.")
    if np.allclose(seen, x_test[:100].reshape(100, 784)):
        return wrong("on 100 test images the first Dense layer receives the flat but unscaled pixels (up to 255): "
                     "the Rescaling layer comes after it. Put Rescaling(1 / 255) before the first Dense layer.")
    if not np.allclose(seen, prepared(x_test[:100]), atol=1e-6):
        return wrong("on 100 test images the first Dense layer does not receive x.reshape(100, 784) / 255: "
                     "put Flatten and Rescaling(1 / 255), and nothing else, before the Dense layers.")
    return right("raw (28, 28) uint8 images in, Flatten and Rescaling inside: on 100 test images the first Dense "
                 "layer receives exactly x.reshape(100, 784) / 255.")


q1 = Question("nb04.q1", _judge_prepare_images, answer_name="prepare_images",
             expects="your function",
             hint="Do to images what we did to x_train, but without the fixed 60000: "
                  "images.reshape(len(images), 784), then .astype('float32') / 255.",
             explanation="reshape with the number of images you were given, convert to float32, divide by 255.",
             solution_code="""
                 def prepare_images(images):
                     return images.reshape(len(images), 28 * 28).astype("float32") / 255
             """)

q2 = Question("nb04.q2", _judge_model_raw, answer_name="model_raw", expects="your model",
             hint="keras.Input(shape=(28, 28)), then layers.Flatten() and layers.Rescaling(1 / 255), then the two "
                  "Dense layers of notebook 02.",
             explanation="the preprocessing steps as the first layers of the model, then the reference network.",
             solution_code="""
                 model_raw = keras.Sequential([
                     keras.Input(shape=(28, 28)),
                     keras.layers.Flatten(),
                     keras.layers.Rescaling(1 / 255),
                     keras.layers.Dense(512, activation="relu"),
                     keras.layers.Dense(10, activation="softmax"),
                 ])
             """,
             if_none=MODEL_IF_NONE)


def _standardize_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    """(training rows, test rows): made-up pixel rows whose two sets have different means, so the mistake shows."""
    rng = np.random.default_rng(4)
    train = rng.integers(0, 256, size=(40, 6)).astype("float32")
    test = (rng.integers(0, 200, size=(15, 6)) + 40).astype("float32")
    return [(train, test), (train[:25, :4], test[:9, :4])]


def _standardized(train: np.ndarray, test: np.ndarray, source: str = "train", per_pixel: bool = True,
                  use_std: bool = True) -> tuple[np.ndarray, np.ndarray]:
    axis = 0 if per_pixel else None
    def stats(x):
        return x.mean(axis=axis), (x.std(axis=axis) if use_std else 1.0)
    if source == "train":
        mean, std = stats(train)
        return (train - mean) / std, (test - mean) / std
    if source == "each":
        (m1, s1), (m2, s2) = stats(train), stats(test)
        return (train - m1) / s1, (test - m2) / s2
    both = np.concatenate([train, test])
    mean, std = stats(both)
    return (train - mean) / std, (test - mean) / std


STANDARDIZE_MISTAKES = [
    ({"source": "each"}, "the test images were standardised with their own mean and standard deviation. Use the "
                         "training images' for both: new digits arrive one at a time, and the test set never decides "
                         "anything, not even a mean."),
    ({"source": "both"}, "the mean and standard deviation came from the training and test images together; compute "
                         "them from the training images only, and apply them to both."),
    ({"per_pixel": False}, "that uses one mean and one standard deviation for all pixels; compute them per pixel "
                           "(per column), with axis=0."),
    ({"use_std": False}, "you subtracted the mean but did not divide by the standard deviation."),
]


def _judge_standardize(answer: Any) -> Feedback:
    function = as_function(answer, "standardize")
    outputs = []
    for train, test in _standardize_cases():
        result = call_learner(function, train.copy(), test.copy())
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return wrong("return two arrays: the standardised training images and the standardised test images, "
                         "return train_std, test_std.")
        train_out, test_out = (as_array(part, name) for part, name in zip(result, ("train_std", "test_std")))
        if train_out.shape != train.shape or test_out.shape != test.shape:
            return wrong(f"the results have shapes {train_out.shape} and {test_out.shape}; standardising keeps "
                         f"the shapes {train.shape} and {test.shape}.")
        outputs.append((train_out.astype("float64"), test_out.astype("float64")))

    def matches(how: dict) -> bool:
        return all(np.allclose(got[0], want[0], atol=1e-4) and np.allclose(got[1], want[1], atol=1e-4)
                   for got, want in zip(outputs, (_standardized(tr, te, **how) for tr, te in _standardize_cases())))

    return judged_outputs(
        matches, {}, STANDARDIZE_MISTAKES,
        "both sets standardised with the training images' mean and standard deviation, pixel by "
        "pixel: the test images are prepared exactly as a new digit would be.",
        "not yet: mean = train.mean(axis=0), std = train.std(axis=0); return (train - mean) / std and "
        "(test - mean) / std.")


q3 = Question("nb04.q3", _judge_standardize, answer_name="standardize", expects="your function",
              hint="Compute mean and std from train only, per pixel (axis=0); apply the same two arrays to both sets.",
              explanation="the statistics are part of the preparation, so they come from the training images; "
                          "the test images are prepared with them like any new digit.",
              solution_code="""
                  def standardize(train, test):
                      mean, std = train.mean(axis=0), train.std(axis=0)
                      return (train - mean) / std, (test - mean) / std
              """)
