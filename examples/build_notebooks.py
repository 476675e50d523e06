"""Write the teaching notebooks of examples/ from the cells below, with their outputs cleared.

The notebooks are generated so that they stay reviewable: edit the cells here, then run

    python examples/build_notebooks.py           # rewrite paper.ipynb, lesson.ipynb, …
    python examples/build_notebooks.py --check   # exit 1 if a notebook differs from its cells

Markdown cells explain with formulas (LaTeX, rendered by Jupyter); code cells run offline in
seconds (scikit-learn's 8×8 digits stand in for MNIST unless you switch the lesson to it).
"""

# The cells below are the notebooks' own text: ruff checks their code, at 100 columns, in the
# .ipynb files, so their lines are not held to the limit again here, indented by 8.
# ruff: noqa: E501

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
Cell = tuple[str, str]  # ("md" or "code", source)


def md(source: str) -> Cell:
    return ("md", textwrap.dedent(source).strip("\n"))


def code(source: str) -> Cell:
    return ("code", textwrap.dedent(source).strip("\n"))


# --------------------------------------------------------------------------------------- paper

PAPER: list[Cell] = [
    md(
        r"""
        # The paper: a 3-2-1 network learns from four samples

        The paper trains the smallest network that still has a hidden layer: three inputs, two
        hidden neurons and one output neuron, on four training samples. This notebook builds that
        network with glassnet, computes **every number of one training step by hand** in NumPy,
        checks them against glassnet, and then measures the paper's claim that *tanh hidden units
        learn faster than sigmoid ones* over ten random starts instead of one.

        1. the data and the network, written as matrices;
        2. one forward pass and one backward pass by hand;
        3. the same step from glassnet (`model.explain`);
        4. one gradient-descent update, and the loss going down;
        5. sigmoid against tanh: one run each, then ten seeds each;
        6. why: the two derivatives compared.
        """
    ),
    code(
        """
        %matplotlib inline
        import numpy as np
        import pandas as pd

        import glassnet as gn
        from glassnet import datasets, experiments, initializers, layers, models, optimizers, plots
        from glassnet.experiments import activations as activation_study

        np.set_printoptions(precision=4, suppress=True)
        gn.set_floatx("float64")  # exact numbers for the hand calculation (float32 is the default)
        """
    ),
    md(
        r"""
        ## 1. The data

        Four samples of three inputs, one row per sample, and one target per sample:

        $$X = \begin{pmatrix}0&0&1\\1&1&1\\1&0&1\\0&1&1\end{pmatrix},\qquad
        Y = \begin{pmatrix}0\\1\\1\\0\end{pmatrix}$$

        The target is the first input. The third input is always 1, and the second one is noise
        the network must learn to ignore.
        """
    ),
    code(
        """
        x, y = datasets.paper_example()
        print("X =\\n", x)
        print("Y =\\n", y)
        """
    ),
    md(
        r"""
        ## 2. The network

        A neuron $j$ computes a weighted sum of its inputs plus a bias, then an activation:
        $z_j = \sum_i x_i w_{ij} + b_j$, $a_j = g(z_j)$. For all samples and all neurons of a layer
        at once this is a matrix product, one row per sample and one column per neuron:

        $$Z^{(1)} = X W^{(1)} + b^{(1)},\quad A^{(1)} = g\big(Z^{(1)}\big),\qquad
        Z^{(2)} = A^{(1)} W^{(2)} + b^{(2)},\quad A^{(2)} = \sigma\big(Z^{(2)}\big)$$

        $W^{(1)}$ is 3×2 (inputs × neurons), $b^{(1)}$ has 2 entries, $W^{(2)}$ is 2×1 and
        $b^{(2)}$ has 1: 8 + 3 = 11 parameters. The output neuron uses the sigmoid
        $\sigma(z) = 1/(1+e^{-z})$; the hidden activation $g$ is sigmoid or tanh. The paper draws
        every starting weight and bias uniformly from [−1, 1], measures the error with the mean
        squared error

        $$L = \frac{1}{n}\sum_{i=1}^{n} \big(a^{(2)}_i - y_i\big)^2 ,$$

        and trains by gradient descent on all four samples at once, with learning rate η = 0.5.
        In glassnet, with Keras's names:
        """
    ),
    code(
        '''
        def paper_network(hidden_activation, seed):
            """The paper's 3-2-1 network: U(−1, 1) weights, MSE, gradient descent with η = 0.5."""
            gn.set_seed(seed)  # the same seed gives the same weights, bit for bit
            uniform = initializers.RandomUniform(-1.0, 1.0)
            model = models.Sequential(
                [
                    layers.Dense(
                        2,
                        activation=hidden_activation,
                        input_dim=3,
                        kernel_initializer=uniform,
                        bias_initializer=uniform,
                        name="hidden",
                    ),
                    layers.Dense(
                        1,
                        activation="sigmoid",
                        kernel_initializer=uniform,
                        bias_initializer=uniform,
                        name="output",
                    ),
                ]
            )
            model.compile(optimizer=optimizers.SGD(learning_rate=0.5), loss="mse")
            return model


        model = paper_network("sigmoid", seed=0)
        model.summary()
        '''
    ),
    md(
        """
        (The same function is `glassnet.experiments.paper.paper_network`; the study below uses
        it.) `get_weights()` returns, as in Keras, each layer's kernel $W$ of shape
        (inputs, units) and then its bias $b$:
        """
    ),
    code(
        """
        W1, b1, W2, b2 = model.get_weights()
        print("W1 =\\n", W1, "\\nb1 =", b1)
        print("W2 =\\n", W2, "\\nb2 =", b2)
        """
    ),
    md(
        """
        ## 3. One forward pass, by hand

        Four lines of NumPy, one per formula. Adding the bias vector to a matrix adds it to every
        row, that is, to every sample (NumPy's broadcasting).
        """
    ),
    code(
        """
        def sigmoid(z):
            return 1 / (1 + np.exp(-z))


        Z1 = x @ W1 + b1  # (4, 3)·(3, 2) + (2,) → (4, 2)
        A1 = sigmoid(Z1)
        Z2 = A1 @ W2 + b2  # (4, 2)·(2, 1) + (1,) → (4, 1)
        A2 = sigmoid(Z2)
        loss = np.mean((A2 - y) ** 2)
        print("A2, the network's outputs =\\n", A2)
        print(f"loss L = {loss:.6f}")
        """
    ),
    md(
        r"""
        ## 4. One backward pass, by hand

        The chain rule, from the loss back to every parameter. Write $\delta = \partial L/\partial Z$
        for the error at a layer's weighted sums, and $\odot$ for the element-wise product.

        **Output layer.** The derivative of the mean squared error, then through the sigmoid,
        whose derivative is $\sigma'(z) = \sigma(z)\,(1-\sigma(z))$:

        $$\frac{\partial L}{\partial A^{(2)}} = \frac{2}{n}\big(A^{(2)} - Y\big),\qquad
        \delta^{(2)} = \frac{\partial L}{\partial A^{(2)}} \odot A^{(2)}\big(1 - A^{(2)}\big),\qquad
        \frac{\partial L}{\partial W^{(2)}} = A^{(1)\top}\delta^{(2)},\qquad
        \frac{\partial L}{\partial b^{(2)}} = \sum_{\text{samples}} \delta^{(2)}$$

        **Hidden layer.** The error flows back through the same weights, transposed:

        $$\frac{\partial L}{\partial A^{(1)}} = \delta^{(2)}\, W^{(2)\top},\qquad
        \delta^{(1)} = \frac{\partial L}{\partial A^{(1)}} \odot A^{(1)}\big(1-A^{(1)}\big),\qquad
        \frac{\partial L}{\partial W^{(1)}} = X^\top \delta^{(1)},\qquad
        \frac{\partial L}{\partial b^{(1)}} = \sum_{\text{samples}} \delta^{(1)}$$

        Every gradient has the shape of its parameter: $X^\top$ is 3×4 and $\delta^{(1)}$ is 4×2,
        so $\partial L/\partial W^{(1)}$ is 3×2 like $W^{(1)}$; the matrix product sums the
        contributions of the four samples. The $1/n$ of the mean appears once, in
        $\partial L/\partial A^{(2)}$.
        """
    ),
    code(
        """
        n = len(x)
        dA2 = 2 * (A2 - y) / n
        delta2 = dA2 * A2 * (1 - A2)
        dW2 = A1.T @ delta2
        db2 = delta2.sum(axis=0)
        dA1 = delta2 @ W2.T
        delta1 = dA1 * A1 * (1 - A1)
        dW1 = x.T @ delta1
        db1 = delta1.sum(axis=0)
        print("∂L/∂W1 =\\n", dW1, "\\n∂L/∂b1 =", db1)
        print("∂L/∂W2 =\\n", dW2, "\\n∂L/∂b2 =", db2)
        """
    ),
    md(
        """
        ## 5. The same step, from glassnet

        `model.explain(x, y)` runs the model's own layer code (the code `fit` runs) on a copy of
        the model and lays out every quantity with its formula and shape, in the paper's notation.
        """
    ),
    code(
        """
        steps = model.explain(x, y)
        print(steps)
        """
    ),
    md("Each of its values can be read back by name; they equal the hand calculation:"),
    code(
        """
        mine = {"A2": A2, "loss": loss, "delta2": delta2, "dW2": dW2, "db2": db2}
        mine.update({"delta1": delta1, "dW1": dW1, "db1": db1})
        for key, value in mine.items():
            assert np.allclose(steps[key], value), key
        print("the hand calculation and glassnet agree on", ", ".join(mine))
        """
    ),
    md(
        r"""
        ## 6. The update, and the loss going down

        Gradient descent moves every parameter a small step against its gradient,
        $W \leftarrow W - \eta\, \partial L/\partial W$ and $b \leftarrow b - \eta\, \partial L/\partial b$.
        One epoch of `fit` with a batch of all four samples is exactly one such step.
        """
    ),
    code(
        """
        eta = 0.5
        by_hand = [W1 - eta * dW1, b1 - eta * db1, W2 - eta * dW2, b2 - eta * db2]

        loss_before = model.evaluate(x, y, batch_size=4)
        model.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
        loss_after = model.evaluate(x, y, batch_size=4)
        print(f"loss before the step: {loss_before:.6f}")
        print(f"loss after the step:  {loss_after:.6f}")

        for new, expected in zip(model.get_weights(), by_hand, strict=True):
            assert np.allclose(new, expected)
        """
    ),
    md(
        r"""
        Why does the loss go down, and by how much? To first order (Taylor),
        $L(w - \eta g) \approx L(w) - \eta\,\lVert g \rVert^2$: a small enough step against the
        gradient always lowers the loss, by about η times the squared length of the gradient.
        """
    ),
    code(
        """
        squared_norm = sum(float(np.sum(g**2)) for g in (dW1, db1, dW2, db2))
        print(f"predicted decrease η‖∇L‖² = {eta * squared_norm:.6f}")
        print(f"actual decrease           = {loss_before - loss_after:.6f}")
        """
    ),
    md(
        """
        ## 7. Sigmoid against tanh, one run each

        The paper trains the network with each hidden activation and compares the loss curves.
        Here, 100 epochs each, from the same seed (so the same starting weights):
        """
    ),
    code(
        """
        gn.set_floatx("float32")  # back to the default for training
        curves = {}
        for activation in ["sigmoid", "tanh"]:
            net = paper_network(activation, seed=0)
            history = net.fit(x, y, epochs=100, batch_size=4, shuffle=False, verbose=0)
            curves[activation] = history.history["loss"]
            outputs = net.predict(x).ravel().round(2)
            print(
                f"{activation:>7}: loss {curves[activation][0]:.4f} → {curves[activation][-1]:.4f},"
                f" outputs {outputs}"
            )
        plots.loss_curves(curves, title="One run each (seed 0)", ylabel="loss (MSE)", threshold=0.1)
        """
    ),
    md(
        """
        ## 8. The claim, measured over ten seeds

        One run is an anecdote: the starting weights are random, and another seed gives another
        curve. `glassnet.experiments.activations.run` trains the network from many seeds with
        each activation. For each run it records the first epoch whose loss falls below 0.1, and
        it compares the final losses with a Mann–Whitney rank test, which assumes nothing about
        their distribution.
        """
    ),
    code(
        """
        result = activation_study.run(seeds=10)
        print(result.verdict)
        pd.DataFrame(result.table)
        """
    ),
    md(
        """
        `experiments.figures(result)` redraws the study's figures from its raw numbers. The line
        is the median over the ten runs at each epoch, the band holds the middle half of the runs.
        """
    ),
    code(
        """
        figures = experiments.figures(result)
        figures["loss_curves"]
        """
    ),
    code('figures["final_loss"]'),
    md(
        r"""
        ## 9. Gradients compared

        Why does tanh win? Backpropagation multiplies the error by $g'(Z)$ at each layer
        ($\delta^{(1)} = \partial L/\partial A^{(1)} \odot g'(Z^{(1)})$ above), so the size of the
        derivative sets the size of the hidden layer's updates:

        $$\sigma'(z) = \sigma(z)\,\big(1-\sigma(z)\big) \le \tfrac14,\qquad
        \tanh'(z) = 1 - \tanh^2(z) \le 1 .$$

        Tanh is a rescaled sigmoid, $\tanh(z) = 2\sigma(2z) - 1$. Its slope at 0 is 1, four times
        the sigmoid's 1/4. Its outputs are also centred on 0, so the next layer's inputs are not
        all positive. When all of a neuron's inputs are positive, all its weight gradients
        $x_i\,\delta$ share one sign, and its weights can only all grow or all shrink together.
        """
    ),
    code(
        """
        plots.activation_panels(["sigmoid", "tanh"], title="Gradients compared: sigmoid and tanh")
        """
    ),
    code(
        """
        z = np.linspace(-5, 5, 1001)
        for name in ["sigmoid", "tanh"]:
            print(f"{name:>7}: largest derivative {gn.activations.get(name).derivative(z).max():.3f}")
        print("tanh(z) = 2σ(2z) − 1 everywhere:", np.allclose(np.tanh(z), 2 * sigmoid(2 * z) - 1))
        """
    ),
    md(
        """
        ## What to take away

        - A layer is a matrix product followed by an element-wise function; backpropagation is
          the same matrices, transposed, in reverse order, times the activation's derivative.
        - One step of gradient descent lowers the loss by about η‖∇L‖².
        - Over ten seeds, tanh hidden units bring the loss below 0.1 in a few dozen epochs, while
          sigmoid ones rarely do within 100: the paper's observation holds, and the
          derivatives (at most 1/4 against 1) explain it.

        Try it: `activation_study.run(seeds=30, activations=["sigmoid", "tanh", "relu"])`, or
        on the command line `glassnet run activations --seeds 30`, which also writes an HTML
        report.
        """
    ),
]

# -------------------------------------------------------------------------------------- lesson

LESSON: list[Cell] = [
    md(
        """
        # The lesson: from one neuron to a Keras-style network

        1. the McCulloch–Pitts neuron (1943): AND and OR with a threshold, in NumPy;
        2. the same neuron as a glassnet `Dense` layer with weights set by hand, and a sigmoid
           neuron that *learns* AND;
        3. a shallow network on the lesson's classification task: 20 → 10 tanh → 1 sigmoid;
        4. the lesson's Keras MLP (512 ReLU units, softmax output, RMSprop), here on
           scikit-learn's 8×8 digits so that it runs offline in seconds;
        5. `model.summary()`, the loss and accuracy curves, and the confusion matrix.
        """
    ),
    code(
        """
        %matplotlib inline
        import os

        import numpy as np

        import glassnet as gn
        from glassnet import activations, datasets, initializers, layers, models, optimizers, plots
        from glassnet.datasets import digits, mnist
        from glassnet.utils import to_categorical

        np.set_printoptions(precision=4, suppress=True)
        """
    ),
    md(
        r"""
        ## 1. The McCulloch–Pitts neuron

        Binary inputs $x_i \in \{0, 1\}$, weights $w_i$ and a threshold θ. The neuron fires when
        the weighted sum of its inputs reaches the threshold:

        $$y = \begin{cases}1 & \text{if } \sum_i w_i x_i \ge \theta\\ 0 & \text{otherwise}\end{cases}
        \qquad = H(w\cdot x - \theta),\quad H(z) = \begin{cases}1 & z \ge 0\\0 & z < 0\end{cases}$$

        With $w = (1, 1)$, θ = 2 needs both inputs on (AND) and θ = 1 needs one of them (OR). The
        $-\theta$ is what today's networks call the bias $b$.
        """
    ),
    code(
        """
        def step(z):
            \"\"\"The Heaviside step H(z): 1 where z ≥ 0, else 0.\"\"\"
            return (z >= 0).astype(int)


        def mcculloch_pitts(x, w, theta):
            return step(x @ w - theta)


        x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
        w = np.array([1, 1])
        print("x1 x2 | AND OR")
        for (x1, x2), a, o in zip(
            x, mcculloch_pitts(x, w, theta=2), mcculloch_pitts(x, w, theta=1), strict=True
        ):
            print(f" {x1}  {x2} |  {a}   {o}")
        """
    ),
    md(
        r"""
        ## 2. The same neuron as a Dense layer

        A `Dense` layer with one unit computes $z = x\cdot W + b$ and $a = g(z)$. Give it
        $W = (1, 1)^\top$, $b = -\theta$ and the step as its activation, and it is the
        McCulloch–Pitts neuron. glassnet accepts any function as an activation
        (`activations.FunctionActivation`). The step has a zero derivative almost everywhere,
        so this neuron can compute but cannot learn. That is why later neurons use smooth
        activations.
        """
    ),
    code(
        """
        step_activation = activations.FunctionActivation(lambda z: (z >= 0).astype(z.dtype), name="step")
        for name, theta in [("AND", 2.0), ("OR", 1.0)]:
            neuron = models.Sequential([layers.Dense(1, activation=step_activation, input_dim=2)])
            neuron.set_weights([np.array([[1.0], [1.0]]), np.array([-theta])])  # W = (1, 1)ᵀ, b = −θ
            print(f"{name}: {neuron.predict(x).ravel().astype(int)}")
        """
    ),
    md(
        r"""
        A sigmoid is a smooth step: $\sigma(kz) \to H(z)$ as $k$ grows. With the weights and the
        bias multiplied by $k = 10$ (threshold 1.5, halfway between one and two inputs on), a
        sigmoid neuron gives nearly the same answers:
        """
    ),
    code(
        """
        k = 10.0
        soft_and = models.Sequential([layers.Dense(1, activation="sigmoid", input_dim=2)])
        soft_and.set_weights([k * np.array([[1.0], [1.0]]), k * np.array([-1.5])])
        print("sigmoid neuron, AND:", soft_and.predict(x).ravel().round(3))
        """
    ),
    md(
        r"""
        Unlike the step, the sigmoid has a derivative everywhere, so gradient descent can *find*
        such weights from the examples alone. Binary cross-entropy (section 3) is the loss:
        """
    ),
    code(
        """
        y_and = np.array([0, 0, 0, 1])
        gn.set_seed(0)
        learner = models.Sequential([layers.Dense(1, activation="sigmoid", input_dim=2)])
        learner.compile(optimizer=optimizers.SGD(learning_rate=1.0), loss="binary_crossentropy")
        learner.fit(x, y_and, epochs=500, batch_size=4, verbose=0)
        kernel, bias = learner.get_weights()
        print("learned AND:", learner.predict(x).ravel().round(2))
        print(f"weights {kernel.ravel()}, bias {bias}: threshold −b/w ≈ {-bias[0] / kernel.mean():.2f}")
        """
    ),
    md(
        """
        No choice of weights lets one neuron compute XOR (1 when exactly one input is on): its
        decision boundary $w\\cdot x + b = 0$ is a straight line, and no line separates
        {(0,1), (1,0)} from {(0,0), (1,1)}. A hidden layer is needed. The next sections build
        networks with hidden layers.

        ## 3. A shallow network on the lesson's task

        The task: scikit-learn's `make_classification` draws 5,000 samples with 20 features and
        two classes; the first 4,000 are for training and the last 1,000 for testing.
        """
    ),
    code(
        """
        (x_train, y_train), (x_test, y_test) = datasets.make_classification(seed=0)
        print("train", x_train.shape, "test", x_test.shape, "class counts", np.bincount(y_train))
        """
    ),
    md(
        r"""
        The network: 20 inputs → 10 tanh units → 1 sigmoid unit, which outputs the probability
        $a = P(y = 1 \mid x)$. Weights from $\mathcal N(0, 0.01^2)$, biases 0, and the binary
        cross-entropy

        $$L = -\frac1n\sum_{i=1}^n \big[y_i \log a_i + (1-y_i)\log(1-a_i)\big],$$

        minimised by plain gradient descent on mini-batches of 100 samples (40 updates per
        epoch). With a sigmoid output, the loss's derivative and the sigmoid's derivative cancel:

        $$\delta^{(2)} = \frac{\partial L}{\partial z} = \frac{1}{n}(a - y),$$

        which glassnet uses directly. It also computes the loss from $z$, so a confident wrong
        prediction reports its true, large loss. The small weights put every tanh unit in its
        linear range ($\tanh'(z) \approx 1$), where gradients flow well; their randomness makes
        the ten units differ, so they do not all learn the same thing.
        """
    ),
    code(
        """
        gn.set_seed(0)
        small = initializers.RandomNormal(stddev=0.01)
        shallow = models.Sequential(
            [
                layers.Dense(10, activation="tanh", input_dim=20, kernel_initializer=small),
                layers.Dense(1, activation="sigmoid", kernel_initializer=small),
            ]
        )
        shallow.compile(
            optimizer=optimizers.SGD(learning_rate=0.1), loss="binary_crossentropy", metrics=["accuracy"]
        )
        shallow.summary()
        """
    ),
    md(
        """
        The summary counts the parameters: 20 × 10 weights + 10 biases = 210, then 10 × 1 + 1 = 11.
        """
    ),
    code(
        """
        history = shallow.fit(
            x_train, y_train, epochs=100, batch_size=100, validation_data=(x_test, y_test), verbose=0
        )
        test_loss, test_accuracy = shallow.evaluate(x_test, y_test)
        print(f"shallow network test accuracy: {test_accuracy:.1%} (the lesson reports 93.6 %)")
        """
    ),
    code('plots.training_history(history, title="Shallow network on make_classification")'),
    md(
        """
        The lesson's 93.6 % is the result of one draw of the data. `glassnet run shallow`
        repeats the experiment over ten draws of `make_classification`: the median is 92.9 %,
        and the range 87.7–98.5 %. Which draw you get matters more than how you train.

        ## 4. The lesson's Keras MLP

        The lesson trains this network on MNIST's 28×28 images: 784 inputs → 512 ReLU units → 10
        softmax units, with RMSprop. Below is the same code on scikit-learn's 8×8 digits, which
        ship with scikit-learn, so the notebook needs no download. Only the input size (64) and
        the pixel scale (0–16) change. To use the real MNIST files, set `DATASET = "mnist"` and
        the `GLASSNET_DATA` environment variable, or run `examples/mnist_mlp.py`.

        The formulas of this network:

        - ReLU hidden units: $g(z) = \\max(0, z)$;
        - softmax outputs, one per class, that are positive and sum to 1:
          $a_k = e^{z_k} / \\sum_j e^{z_j}$;
        - one-hot targets ($y_{ik} = 1$ for the true class $k$ of sample $i$) and the categorical
          cross-entropy $L = -\\frac1n \\sum_i \\sum_k y_{ik} \\log a_{ik}$, whose gradient through the
          softmax is again $\\delta = (A - Y)/n$;
        - RMSprop, which divides each step by a running root mean square of that weight's
          gradients: $v \\leftarrow \\rho v + (1-\\rho)\\, g^2$,
          $w \\leftarrow w - \\eta\\, g / \\sqrt{v + \\epsilon}$ (η = 0.001, ρ = 0.9).
        """
    ),
    code(
        """
        DATASET = "digits"  # "mnist" reads the real files from GLASSNET_DATA
        if DATASET == "mnist" and os.environ.get("GLASSNET_DATA"):
            (train_images, train_labels), (test_images, test_labels) = mnist.load_data()
            max_value = 255  # MNIST pixels are 0–255
        else:
            (train_images, train_labels), (test_images, test_labels) = digits.load_data()
            max_value = 16  # the digits' pixels are 0–16
        print("train", train_images.shape, "test", test_images.shape)
        """
    ),
    code(
        """
        pixels = train_images.shape[1] * train_images.shape[2]
        train_images = train_images.reshape((len(train_images), pixels)).astype("float32") / max_value
        test_images = test_images.reshape((len(test_images), pixels)).astype("float32") / max_value
        train_targets = to_categorical(train_labels, 10)
        test_targets = to_categorical(test_labels, 10)
        print("label", train_labels[0], "→ one-hot", train_targets[0])
        """
    ),
    code(
        """
        gn.set_seed(0)
        network = models.Sequential()
        network.add(layers.Dense(512, activation="relu", input_shape=(pixels,)))
        network.add(layers.Dense(10, activation="softmax"))
        network.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
        network.summary()
        """
    ),
    md(
        """
        64 × 512 + 512 = 33,280 parameters in the hidden layer and 512 × 10 + 10 = 5,130 in the
        output layer. On MNIST the hidden layer has 784 × 512 + 512 = 401,920.

        The lesson trains for 10 epochs. One epoch of MNIST is 422 updates (54,000 images in
        batches of 128), but one epoch of the digits is only 11, so here the network trains
        for 20 epochs. `validation_split=0.1` holds out the last tenth of the training images
        to watch for overfitting, as in Keras.
        """
    ),
    code(
        """
        history = network.fit(
            train_images, train_targets, epochs=20, batch_size=128, validation_split=0.1, verbose=2
        )
        """
    ),
    code(
        """
        test_loss, test_acc = network.evaluate(test_images, test_targets)
        print(f"MLP test accuracy on {DATASET}: {test_acc:.1%}")
        """
    ),
    md(
        """
        `history.history` holds the per-epoch `loss`, `accuracy`, `val_loss` and `val_accuracy`,
        as in Keras. Training loss and accuracy are averaged over each epoch's batches, measured
        before each batch's update; the validation values are measured after the epoch.
        """
    ),
    code('plots.training_history(history, title=f"The lesson\'s MLP on {DATASET}")'),
    md(
        """
        The confusion matrix counts, for each true digit (row), what the network predicted
        (column); the diagonal is what it got right.
        """
    ),
    code("plots.confusion_matrix(test_labels, network.predict(test_images))"),
    md(
        """
        ## What to take away

        - A McCulloch–Pitts neuron is a `Dense` unit with a step activation. Replace the step by
          a sigmoid and the neuron can be trained by gradient descent.
        - One neuron draws a straight boundary. A hidden layer (here 10 tanh units) is what lets
          a network learn more than linear rules.
        - The Keras code runs in glassnet with only its imports changed, down to `summary()`,
          `fit(..., validation_split=0.1)` and `history.history`.

        Try it: `glassnet run shallow` (ten draws of the data), `glassnet run mnist` (the MLP on
        MNIST when `GLASSNET_DATA` is set, otherwise on the digits).
        """
    ),
]

# ------------------------------------------------------------------------------------- lecture

LECTURE: list[Cell] = [
    md(
        """
        # The lecture: regression, classification, deep networks and learning rates

        1. linear regression is one linear neuron, and gradient descent finds the least-squares
           solution;
        2. logistic regression is one sigmoid neuron, and it matches scikit-learn;
        3. a deep network bends the decision boundary where one neuron cannot (the moons);
        4. learning rates that are too small, about right and too large, and why 2/λ is the limit.
        """
    ),
    code(
        """
        %matplotlib inline
        import numpy as np
        import pandas as pd
        from matplotlib.figure import Figure
        from sklearn.metrics import log_loss

        import glassnet as gn
        from glassnet import datasets, experiments, layers, models, optimizers, plots
        from glassnet.datasets import Standardizer
        from glassnet.experiments import learning_rate as learning_rate_study
        from glassnet.experiments.regression import unregularised_logistic_regression

        np.set_printoptions(precision=4, suppress=True)
        gn.set_floatx("float64")  # sections 1 and 2 compare with exact solutions
        """
    ),
    md(
        r"""
        ## 1. Linear regression is one linear neuron

        The house-price data follow a known rule plus noise:
        price = 50 + 2.5·size (thousands, size in m²) + $\mathcal N(0, 20^2)$.
        A single neuron with no activation predicts $\hat y = w x + b$, and training minimises the
        mean squared error

        $$L(w, b) = \frac1n \sum_{i=1}^n (\hat y_i - y_i)^2,\qquad
        \frac{\partial L}{\partial w} = \frac2n \sum_i (\hat y_i - y_i)\, x_i,\qquad
        \frac{\partial L}{\partial b} = \frac2n \sum_i (\hat y_i - y_i).$$

        That is linear regression. Its minimum also has a closed form: with the design matrix
        $D = [X \; \mathbf 1]$, the least-squares solution $\theta^* = \arg\min \lVert D\theta - y\rVert^2$
        solves the normal equations $D^\top D\, \theta^* = D^\top y$.
        """
    ),
    code(
        """
        x, y, rule = datasets.house_prices(200, n_features=1, noise=20.0, seed=0, return_coef=True)
        print(rule)
        print("size from", x.min().round(), "to", x.max().round(), "m²")
        """
    ),
    md(
        r"""
        Sizes run from 30 to 200, so the gradient for $w$ is about a hundred times the one for
        $b$, and no single learning rate suits both. **Standardising** the feature,
        $x' = (x - \mu)/s$, puts it on the scale of 1, and then η = 0.1 works for both.
        """
    ),
    code(
        """
        scaler = Standardizer().fit(x)
        xs = scaler.transform(x)

        gn.set_seed(0)
        neuron = models.Sequential([layers.Dense(1, input_dim=1)])  # no activation: ŷ = w·x + b
        neuron.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="mse")
        history = neuron.fit(xs, y, epochs=200, batch_size=len(xs), shuffle=False, verbose=0)
        w, b = neuron.get_weights()

        design = np.hstack([xs, np.ones((len(xs), 1))])
        exact = np.linalg.lstsq(design, y, rcond=None)[0].ravel()
        difference = np.abs(np.append(w.ravel(), b) - exact).max()
        print(f"gradient descent: w = {w[0, 0]:.6f}, b = {b[0]:.6f}")
        print(f"least squares:    w = {exact[0]:.6f}, b = {exact[1]:.6f}")
        print(f"largest difference from least squares: {difference:.1e}")
        """
    ),
    md(
        r"""
        In the original units, $\hat y = w (x - \mu)/s + b$, so the slope is $w/s$ and the
        intercept $b - w\mu/s$. They should be close to the rule's 2.5 and 50; the noise keeps
        them from being exact:
        """
    ),
    code(
        """
        mu, s = scaler.mean_[0], scaler.scale_[0]
        slope, intercept = w[0, 0] / s, b[0] - w[0, 0] * mu / s
        print(f"fitted: price = {intercept:.1f} + {slope:.3f}·size   (rule: 50 + 2.5·size)")

        fig = Figure(figsize=(12, 4.5), layout="constrained")
        left, right = fig.subplots(1, 2)
        left.scatter(x, y, s=10, alpha=0.6, label="houses")
        grid = np.linspace(x.min(), x.max(), 2)
        left.plot(grid, intercept + slope * grid, "C1", linewidth=2, label="the trained neuron")
        left.set(xlabel="size (m²)", ylabel="price (thousands)", title="One linear neuron")
        left.legend()
        plots.history_curves(history, ax=right, title="Training loss (MSE)")
        right.set_yscale("log")
        fig
        """
    ),
    md(
        r"""
        ## 2. Logistic regression is one sigmoid neuron

        For two classes, a sigmoid neuron outputs the probability
        $p = \sigma(w\cdot x + b) = 1/(1 + e^{-(w\cdot x + b)})$. Training it with the binary
        cross-entropy gives the gradient

        $$\frac{\partial L}{\partial w} = \frac1n X^\top (p - y),\qquad
        \frac{\partial L}{\partial b} = \frac1n \sum_i (p_i - y_i).$$

        This has the same form as linear regression's, with $p$ in place of $\hat y$. That is
        logistic regression. scikit-learn's `LogisticRegression` minimises the same loss (plus an
        L2 penalty by default, switched off here), with a second-order solver instead of
        gradient descent.
        """
    ),
    code(
        """
        (x_train, y_train), (x_test, y_test) = datasets.make_classification(seed=0)
        scaler = Standardizer().fit(x_train)
        x_train, x_test = scaler.transform(x_train), scaler.transform(x_test)

        gn.set_seed(0)
        logistic = models.Sequential([layers.Dense(1, activation="sigmoid", input_dim=20)])
        logistic.compile(
            optimizer=optimizers.SGD(learning_rate=0.5), loss="binary_crossentropy", metrics=["accuracy"]
        )
        logistic.fit(x_train, y_train, epochs=2000, batch_size=len(x_train), shuffle=False, verbose=0)
        reference = unregularised_logistic_regression().fit(x_train, y_train)

        neuron_accuracy = logistic.evaluate(x_test, y_test, return_dict=True)["accuracy"]
        sklearn_accuracy = reference.score(x_test, y_test)
        neuron_train_loss = log_loss(y_train, logistic.predict(x_train).ravel())
        sklearn_train_loss = log_loss(y_train, reference.predict_proba(x_train)[:, 1])
        same = np.mean((logistic.predict(x_test).ravel() > 0.5) == reference.predict(x_test))
        kernel, bias = logistic.get_weights()
        weights = np.append(kernel.ravel(), bias)
        reference_weights = np.append(reference.coef_.ravel(), reference.intercept_)
        print(f"test accuracy: neuron {neuron_accuracy:.1%}, scikit-learn {sklearn_accuracy:.1%}")
        print(f"training loss: neuron {neuron_train_loss:.5f}, scikit-learn {sklearn_train_loss:.5f}")
        print(f"the two agree on {same:.1%} of the test predictions")
        print(
            f"largest weight difference {np.abs(weights - reference_weights).max():.3f}"
            f" (largest weight {np.abs(reference_weights).max():.2f})"
        )
        """
    ),
    md(
        r"""
        The training losses agree to the printed digits, and so do the predictions. The weights
        still differ in their second digit: near its minimum, unregularised logistic regression is
        very flat in some directions, where a large change of the weights barely changes the
        loss, and gradient descent moves along them only slowly. Such weights matter little for
        the predictions, which is why the loss is the better thing to compare.

        ## 3. A deep network on the moons

        The two moons are interleaving half circles, and no straight line separates them. One
        neuron can only draw a straight boundary. A deep network composes layers,

        $$A^{(0)} = X,\qquad A^{(l)} = g\big(A^{(l-1)} W^{(l)} + b^{(l)}\big),\quad l = 1, \dots, L,$$

        and each ReLU unit adds a fold to the function, so the boundary can bend. Below are one
        sigmoid neuron, and a network 2 → 16 ReLU → 16 ReLU → 1 sigmoid, both trained with Adam.
        """
    ),
    code(
        """
        gn.set_floatx("float32")
        x, y = datasets.moons(500, noise=0.2, seed=0)


        def train(hidden_layers):
            gn.set_seed(0)
            model = models.Sequential()
            for units in hidden_layers:
                model.add(layers.Dense(units, activation="relu"))
            model.add(layers.Dense(1, activation="sigmoid"))
            model.build((2,))
            model.compile(
                optimizer=optimizers.Adam(learning_rate=0.01),
                loss="binary_crossentropy",
                metrics=["accuracy"],
            )
            history = model.fit(x, y, epochs=200, batch_size=32, validation_split=0.2, verbose=0)
            return model, history.history["val_accuracy"][-1]


        one_neuron, one_accuracy = train([])
        deep, deep_accuracy = train([16, 16])
        print(f"validation accuracy: one neuron {one_accuracy:.1%}, deep network {deep_accuracy:.1%}")
        """
    ),
    code(
        """
        fig = Figure(figsize=(13, 5), layout="constrained")
        left, right = fig.subplots(1, 2)
        plots.decision_boundary(one_neuron.predict, x, y, ax=left, title="One neuron: a straight line")
        plots.decision_boundary(deep.predict, x, y, ax=right, title="2 hidden layers of 16 ReLU units")
        fig
        """
    ),
    md(
        r"""
        The colour is the predicted probability of class 1 and the black line is where it
        crosses 0.5. The network's boundary follows the moons, while the single neuron's stays
        straight.

        ## 4. Learning rates

        Gradient descent updates $w \leftarrow w - \eta\,\nabla L(w)$. For linear regression the
        loss is a quadratic bowl, $L(\theta) = L^* + (\theta-\theta^*)^\top H (\theta-\theta^*)/2$,
        with the constant Hessian $H = \frac2n D^\top D$. Along an eigenvector of $H$ with
        curvature λ, one step multiplies the distance to the minimum by $(1 - \eta\lambda)$. The
        distance shrinks only if $|1 - \eta\lambda| < 1$, that is, if $\eta < 2/\lambda$. Hence:

        - η too small: along the flattest direction (smallest λ) the factor is barely below 1,
          and the loss hardly moves;
        - η > 2/λ_max: along the steepest direction every step overshoots by more than it
          corrects, and the loss grows without bound.

        The study `glassnet.experiments.learning_rate` trains one linear neuron on the house
        prices (3 standardised features) with rates from 0.001 to 3. First, the curvatures of
        its loss:
        """
    ),
    code(
        """
        x3, y3 = datasets.house_prices(200, n_features=3, noise=20.0, seed=0)
        design = np.hstack([Standardizer().fit_transform(x3), np.ones((len(x3), 1))])
        curvatures = np.linalg.eigvalsh(2 / len(design) * design.T @ design)
        print("curvatures λ of the loss:", curvatures)
        print(f"largest stable learning rate 2/λ_max = {2 / curvatures.max():.3f}")
        """
    ),
    code(
        """
        result = learning_rate_study.run()
        print(result.verdict)
        pd.DataFrame(result.table)
        """
    ),
    code('experiments.figures(result)["loss_curves"]'),
    md(
        """
        The rates 1 and 3 lie above 2/λ_max ≈ 0.51 and diverge. 0.3 lies below it and converges
        fastest. 0.001 is safe, but after 100 epochs its loss is still hundreds of times the best
        one. glassnet stops a diverging run as soon as its loss stops being a finite number,
        before that batch's update, warns with a `DivergenceWarning`, and records why in
        `history.stop_reason`:
        """
    ),
    code('print(result.data["runs"][-1]["stop_reason"])'),
    md(
        """
        ## What to take away

        - Linear regression and logistic regression are one-neuron networks. Gradient descent
          reaches their known solutions (least squares, scikit-learn) to many digits.
        - Hidden layers are what bend the decision boundary.
        - The learning rate has a hard ceiling, 2/λ_max for a quadratic loss. Standardising the
          inputs brings the curvatures closer together, so that one rate suits every direction.

        Try it: `glassnet run regression`, `glassnet run learning_rate`.
        """
    ),
]

# --------------------------------------------------------------------------------- activations

ACTIVATIONS: list[Cell] = [
    md(
        """
        # The activation chapter

        1. each activation and its derivative, and a numerical check of every derivative;
        2. tanh against sigmoid;
        3. ReLU, and units that die;
        4. the vanishing gradient in a deep network;
        5. checking a whole network's gradients by finite differences.
        """
    ),
    code(
        """
        %matplotlib inline
        import numpy as np
        import pandas as pd

        import glassnet as gn
        from glassnet import activations, datasets, experiments, layers, models, monitors, plots
        from glassnet.experiments import activations as activation_study
        from glassnet.experiments import vanishing_gradients

        np.set_printoptions(precision=4, suppress=True)
        """
    ),
    md(
        r"""
        ## 1. Each activation and its derivative

        | name | $g(z)$ | $g'(z)$ | outputs |
        |---|---|---|---|
        | `linear` | $z$ | $1$ | $\mathbb R$ |
        | `sigmoid` | $\sigma(z) = \dfrac{1}{1+e^{-z}}$ | $\sigma(z)\,(1-\sigma(z)) \le \frac14$ | $(0, 1)$ |
        | `tanh` | $\dfrac{e^z - e^{-z}}{e^z + e^{-z}}$ | $1 - \tanh^2(z) \le 1$ | $(-1, 1)$ |
        | `relu` | $\max(0, z)$ | $1$ if $z > 0$, else $0$ | $[0, \infty)$ |
        | `leaky_relu` | $z$ if $z > 0$, else $\alpha z$ ($\alpha = 0.01$) | $1$ if $z > 0$, else $\alpha$ | $\mathbb R$ |
        | `softmax` | $s_k = \dfrac{e^{z_k}}{\sum_j e^{z_j}}$ | $\dfrac{\partial s_k}{\partial z_j} = s_k(\delta_{kj} - s_j)$ | $(0, 1)$, summing to 1 |

        Backpropagation multiplies by $g'(Z)$ at every layer, $dZ = dA \odot g'(Z)$, so the
        derivative column decides how gradients travel through a network. Sigmoid and tanh
        express their derivatives through their outputs, so a layer reuses the $A$ it cached
        in the forward pass. glassnet's leaky ReLU slope is 0.01, as in PyTorch (Keras uses 0.2).
        """
    ),
    code("plots.activation_panels()"),
    md(
        r"""
        Each derivative in the code can be checked against the definition, with the central
        difference $\big(g(z+h) - g(z-h)\big)/2h$, whose error shrinks like $h^2$. ReLU and leaky
        ReLU have a kink at 0, where the derivative jumps, so the point $z = 0$ is left out:
        """
    ),
    code(
        """
        z = np.linspace(-4, 4, 801)  # float64; contains z = 0
        h = 1e-5
        away_from_zero = np.abs(z) > 2 * h
        for name in ["linear", "sigmoid", "tanh", "relu", "leaky_relu"]:
            g = activations.get(name)
            numeric = (g(z + h) - g(z - h)) / (2 * h)
            error = np.abs(numeric - g.derivative(z))[away_from_zero].max()
            print(f"{name:>10}: largest difference from central differences {error:.1e}")
        """
    ),
    md(
        r"""
        Softmax mixes its inputs, so its derivative is a matrix per sample, the Jacobian
        $J_{kj} = s_k(\delta_{kj} - s_j)$. Its rows sum to 0, because the outputs always sum to 1.
        A layer never builds the Jacobian: `backward` computes $dZ = S \odot (dA - \sum_k dA_k S_k)$,
        which equals $dA \cdot J$.
        """
    ),
    code(
        """
        softmax = activations.get("softmax")
        z = np.array([[1.0, 2.0, 3.0]])
        s = softmax(z)
        jacobian = softmax.derivative(z, s)[0]
        print("s =", s, " sum", s.sum().round(12))
        print("Jacobian =\\n", jacobian, "\\nrow sums", jacobian.sum(axis=1))
        dA = np.array([[0.5, -1.0, 2.0]])
        print("backward equals dA·J:", np.allclose(softmax.backward(dA, z, s), dA @ jacobian))
        """
    ),
    md(
        r"""
        ## 2. Tanh against sigmoid

        Tanh is a sigmoid stretched to $(-1, 1)$: $\tanh(z) = 2\sigma(2z) - 1$. Two things follow.

        - **Steeper**: $\tanh'(0) = 1$, four times $\sigma'(0) = 1/4$, so errors pass back four
          times larger.
        - **Zero-centred**: for inputs centred on 0, tanh outputs average 0 and sigmoid outputs
          average 1/2. A neuron whose inputs are all positive gets weight gradients
          $x_i\,\delta$ that all share the sign of δ, so its weights can only move together,
          which makes the path to the minimum zig-zag.
        """
    ),
    code(
        """
        sigmoid, tanh = activations.get("sigmoid"), activations.get("tanh")
        z = np.random.default_rng(0).normal(size=100_000)
        print("tanh(z) = 2σ(2z) − 1:", np.allclose(tanh(z), 2 * sigmoid(2 * z) - 1))
        zero = np.zeros(1)
        print(f"slope at 0: sigmoid {sigmoid.derivative(zero)[0]}, tanh {tanh.derivative(zero)[0]}")
        print(f"mean output for z ~ N(0, 1): sigmoid {sigmoid(z).mean():.4f}, tanh {tanh(z).mean():.4f}")
        """
    ),
    md(
        """
        The paper's network measures the difference: its 3-2-1 network trained from ten seeds
        with sigmoid, tanh and ReLU hidden units (100 epochs, η = 0.5). The verdict compares the
        two fastest.
        """
    ),
    code(
        """
        study = activation_study.run(activations=["sigmoid", "tanh", "relu"], seeds=10)
        print(study.verdict)
        pd.DataFrame(study.table)
        """
    ),
    code('experiments.figures(study)["loss_curves"]'),
    md(
        r"""
        ## 3. ReLU and dead units

        ReLU's derivative is 1 wherever the unit is active ($z > 0$): it passes the error back
        unchanged, with none of the sigmoid's shrinking. Where $z \le 0$ its derivative is 0. A
        unit whose $z$ is negative for **every** input therefore gets $\delta = 0$ for every
        sample, so $\partial L/\partial W = A^\top\delta = 0$: its weights never change again. The
        unit is **dead**. A very negative bias can cause this, and so can one update too large
        that throws the weights there.

        The experiment: a network 2 → 16 → 1 on the moons, with the biases of the first 8 hidden
        units set to −10 before training, so that these units start dead. glassnet's
        `monitors.TrainingMonitor` records, per epoch, the fraction of ReLU units that were
        active for no sample at all.
        """
    ),
    code(
        """
        x, y = datasets.moons(500, noise=0.2, seed=0)
        for name in ["relu", "leaky_relu"]:
            gn.set_seed(0)
            model = models.Sequential(
                [
                    layers.Dense(16, activation=name, input_dim=2, name="hidden"),
                    layers.Dense(1, activation="sigmoid", name="output"),
                ]
            )
            model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
            kernel, bias, *rest = model.get_weights()
            bias[:8] = -10.0  # z = x·w − 10 < 0 for every sample of the moons
            model.set_weights([kernel, bias, *rest])
            monitor = monitors.TrainingMonitor()
            history = model.fit(x, y, epochs=30, batch_size=32, verbose=0, callbacks=[monitor])
            moved = np.abs(model.get_weights()[0][:, :8] - kernel[:, :8]).max()
            dead = history.history.get("dead/hidden", [0.0])[-1]
            print(
                f"{name:>10}: the 8 units' weights moved by at most {moved:.1e};"
                f" dead units recorded by the monitor: {dead:.0%}"
            )
        """
    ),
    md(
        r"""
        With ReLU, the eight units' weights did not move at all: they are dead, and the monitor
        counts 50 % of the layer as dead. Leaky ReLU keeps a slope α = 0.01 for $z < 0$, so the
        same units still receive a small gradient and can come back. (The monitor counts dead
        units only for ReLU, since a leaky unit is never completely silent.)

        ## 4. The vanishing gradient

        In a deep network, backpropagation repeats one step per layer:

        $$\delta^{(l)} = \big(\delta^{(l+1)}\, W^{(l+1)\top}\big) \odot g'\big(Z^{(l)}\big),\qquad
        \frac{\partial L}{\partial W^{(l)}} = A^{(l-1)\top}\,\delta^{(l)} .$$

        The error reaching layer $l$ is a product of one factor $W^\top$ and one factor $g'$ for
        every layer above it. With the sigmoid every $g'$ is at most 1/4, so ten layers can
        shrink the error by up to $(1/4)^{10} \approx 10^{-6}$. The first layers then barely
        learn. Tanh ($g' \le 1$, and $= 1$ at 0) and ReLU ($g' \in \{0, 1\}$) do not shrink it
        this way.

        `glassnet.experiments.vanishing_gradients` trains a network with 10 hidden layers of 32
        units with each activation, and records the norm of every layer's gradient
        $\lVert\partial L/\partial W^{(l)}\rVert$ at the first step and over training:
        """
    ),
    code(
        """
        deep = vanishing_gradients.run(epochs=3)
        print(deep.verdict)
        pd.DataFrame(deep.table)
        """
    ),
    code(
        """
        deep_figures = experiments.figures(deep)
        deep_figures["first_step"]
        """
    ),
    md(
        """
        Layer 1 is nearest the input. In the sigmoid network the gradient norm falls by about a
        factor of 4 per layer going down, as the bound predicts. The tanh and ReLU lines stay
        roughly flat. The same norms over the epochs:
        """
    ),
    code('deep_figures["over_training_sigmoid"]'),
    md(
        r"""
        ## 5. Checking gradients

        A wrong derivative does not crash a network; the network just learns worse. The check is
        to compare backpropagation with the definition of the derivative. For every parameter
        $w$, the central difference of the loss

        $$\frac{\partial L}{\partial w} \approx \frac{L(w + \varepsilon) - L(w - \varepsilon)}{2\varepsilon}
        \qquad(\text{error } O(\varepsilon^2))$$

        is computed in float64 and compared through the relative error
        $\lVert g_{\text{backprop}} - g_{\text{numeric}}\rVert / (\lVert g_{\text{backprop}}\rVert + \lVert g_{\text{numeric}}\rVert)$.
        Correct code gives about $10^{-10}$, and a mistake gives about $10^{-2}$ or more.
        `gn.gradcheck(model, x, y)` does this for every parameter of every layer:
        """
    ),
    code(
        """
        rng = np.random.default_rng(0)
        x_small = rng.normal(size=(16, 4))
        y_small = (x_small[:, 0] > 0).astype(int)

        gn.set_seed(0)
        model = models.Sequential(
            [layers.Dense(5, activation="tanh", input_dim=4), layers.Dense(1, activation="sigmoid")]
        )
        model.compile(optimizer="sgd", loss="binary_crossentropy")
        print(gn.gradcheck(model, x_small, y_small))
        """
    ),
    md(
        r"""
        The check also covers activations you write yourself. Softsign,
        $g(z) = z/(1+|z|)$ with $g'(z) = 1/(1+|z|)^2$, written once correctly and once with the
        square forgotten:
        """
    ),
    code(
        '''
        class Softsign(activations.Activation):
            """g(z) = z / (1 + |z|),  g′(z) = 1 / (1 + |z|)²"""

            name = "softsign"

            def __call__(self, z):
                return z / (1 + np.abs(z))

            def derivative(self, z, a=None):
                return 1 / (1 + np.abs(z)) ** 2


        class BrokenSoftsign(Softsign):
            """The same function with a wrong derivative: the square is missing."""

            name = "broken_softsign"

            def derivative(self, z, a=None):
                return 1 / (1 + np.abs(z))


        for activation in [Softsign(), BrokenSoftsign()]:
            gn.set_seed(0)
            model = models.Sequential(
                [
                    layers.Dense(5, activation=activation, input_dim=4, name=f"hidden_{activation.name}"),
                    layers.Dense(1, activation="sigmoid", name="output"),
                ]
            )
            model.compile(optimizer="sgd", loss="binary_crossentropy")
            print(gn.gradcheck(model, x_small, y_small), end="\\n\\n")
        '''
    ),
    md(
        """
        The broken derivative fails, and the report names the layer and its activation. The
        output layer above it still passes, because its gradient does not depend on the hidden
        layer's derivative. `activations.register("softsign", Softsign)` would make the name
        usable anywhere, as in `Dense(5, activation="softsign")`.

        ## What to take away

        - Backpropagation multiplies by $g'$ at every layer, so the derivative column of the
          table decides how a network trains.
        - Sigmoid's $g' \\le 1/4$ makes gradients vanish with depth. Tanh is steeper and
          zero-centred. ReLU passes gradients through, but its units can die; leaky ReLU keeps
          them alive.
        - `gn.gradcheck` compares every gradient with finite differences and names what is wrong.

        Try it: `glassnet run vanishing_gradients --depth 20`, `glassnet plot-activations`,
        `glassnet gradcheck`.
        """
    ),
]

NOTEBOOKS: dict[str, list[Cell]] = {
    "paper": PAPER,
    "lesson": LESSON,
    "lecture": LECTURE,
    "activations": ACTIVATIONS,
}


def build(name: str) -> nbformat.NotebookNode:
    """The notebook ``name`` with outputs cleared and stable cell ids (so diffs stay small)."""
    cells = []
    for i, (kind, source) in enumerate(NOTEBOOKS[name]):
        cell = new_markdown_cell(source) if kind == "md" else new_code_cell(source)
        cell["id"] = f"{name}-{i:02d}"
        cells.append(cell)
    notebook = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
    )
    nbformat.validate(notebook)
    return notebook


def text(name: str) -> str:
    """The notebook file's exact text, as written by ``main``."""
    return nbformat.writes(build(name)) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report notebooks out of date")
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write (default: here)")
    args = parser.parse_args(argv)
    stale = []
    for name in NOTEBOOKS:
        path = args.out / f"{name}.ipynb"
        content = text(name)
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != content:
                stale.append(path.name)
        else:
            path.write_text(content, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        print(f"out of date: {', '.join(stale)}; run python examples/build_notebooks.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
