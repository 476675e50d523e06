"""The texts' headline results, reproduced by training (minutes on 2 cores, run in CI).

The MNIST test reads the real files from GLASSNET_DATA (set by .ci/run); locally it is
skipped, with the reason, when that variable is unset.
"""

import os

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers, models, utils
from glassnet.datasets import digits, make_classification, scale_images
from glassnet.experiments.mnist import lesson_mlp, load
from glassnet.experiments.shallow import LESSON_ACCURACY, shallow_network

needs_data = pytest.mark.skipif(
    not os.environ.get("GLASSNET_DATA"),
    reason="GLASSNET_DATA is not set: point it at the folder holding mnist/",
)


@needs_data
@pytest.mark.slow
def test_lesson_mlp_reaches_97_5_percent_on_real_mnist():
    """784 → 512 relu → 10 softmax, rmsprop, batch 128, 10 epochs on all 60,000 images."""
    name, ((x_train, y_train), (x_test, y_test)), notes = load("mnist")
    assert name == "mnist" and not notes
    assert x_train.shape == (60000, 784) and x_train.dtype == np.float32
    assert x_train.min() >= 0.0 and x_train.max() == 1.0
    gn.set_seed(0)
    model = lesson_mlp(784)
    history = model.fit(
        x_train, utils.to_categorical(y_train, 10), epochs=10, batch_size=128, verbose=0
    )
    _, accuracy = model.evaluate(x_test, utils.to_categorical(y_test, 10), batch_size=1024)
    assert accuracy >= 0.975, f"test accuracy {accuracy:.4f}"
    assert history.history["accuracy"][-1] > history.history["accuracy"][0]
    # the test accuracy equals the fraction of argmax predictions that match the labels
    predicted = model.predict(x_test, batch_size=1024).argmax(axis=1)
    assert np.mean(predicted == y_test) == pytest.approx(accuracy, abs=1e-12)


def test_lesson_shallow_network_reaches_the_lessons_accuracy():
    """20 → 10 tanh → 1 sigmoid, BCE, batch 100, N(0, 0.01²), plain gradient descent."""
    (x_train, y_train), (x_test, y_test) = make_classification(seed=0)
    assert x_train.shape == (4000, 20) and x_test.shape == (1000, 20)
    model = shallow_network(seed=0, learning_rate=0.1)
    assert np.abs(model.get_weights()[0]).std() < 0.02  # small-normal initialisation
    model.fit(x_train, y_train, epochs=100, batch_size=100, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test)
    assert accuracy >= LESSON_ACCURACY, f"test accuracy {accuracy:.4f}"


def test_small_mlp_on_digits_reaches_97_percent():
    (x_train, y_train), (x_test, y_test) = digits.load_data(test_size=0.2, seed=0)
    # stratified: every digit keeps its share of the 360 test images (35 to 37 each)
    assert len(x_test) == 360 and np.bincount(y_test).min() >= 35
    x_train = scale_images(x_train.reshape(len(x_train), -1), max_value=16)
    x_test = scale_images(x_test.reshape(len(x_test), -1), max_value=16)
    gn.set_seed(0)
    model = models.Sequential(
        [
            layers.Dense(64, activation="relu", input_shape=(64,)),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=40, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test)
    assert accuracy >= 0.97, f"test accuracy {accuracy:.4f}"
