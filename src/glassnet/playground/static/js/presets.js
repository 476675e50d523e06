// Presets: complete configurations (over the defaults); a preset may also carry a CSV file (csv,
// csvName) to upload as its data.

const ALL_FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2"]; // all but the constant

export const PRESETS = {
  paper: {
    note: "The paper's 3-2-1 network on its four samples: inputs X₁, X₂ and the constant 1, "
      + "label y = x₁; 2 sigmoid hidden units (try tanh), a sigmoid output, mean squared error, "
      + "weights and biases drawn from U(−1, 1), gradient descent on the whole batch of four with "
      + "learning rate 0.5. The paper has no test set: test = training samples.",
    config: {
      dataset: "paper", classes: 2, features: ["x1", "x2", "one"], layers: [2],
      activations: ["sigmoid"], output: "sigmoid", loss: "mse", initializer: "uniform",
      optimizer: "sgd", learning_rate: 0.5, batch_size: 4,
    },
  },
  xor: {
    note: "XOR: two inputs, one hidden layer of two tanh neurons, one sigmoid output.",
    config: {
      dataset: "xor", features: ["x1", "x2"], layers: [2], activations: ["tanh"],
      learning_rate: 0.1, optimizer: "sgd",
    },
  },
  "sigmoid-vs-tanh": {
    note: "The paper's question, side by side: the same network and data from the same seed, tanh against sigmoid hidden units.",
    config: {
      dataset: "xor", features: ["x1", "x2"], layers: [4], activations: ["tanh"],
      learning_rate: 0.1, compare: { key: "activation", value: "sigmoid" },
    },
  },
  spiral: {
    note: "The spiral needs depth or features: all seven inputs, three tanh layers of 8, 8 and 6 neurons.",
    config: {
      dataset: "spiral", features: ALL_FEATURES, layers: [8, 8, 6],
      activations: ["tanh", "tanh", "tanh"], learning_rate: 0.03, optimizer: "adam", noise: 0,
    },
  },
  spiral3: {
    note: "Three spiral arms: a softmax output with categorical cross-entropy, accuracy and a 3×3 confusion matrix.",
    config: {
      dataset: "spiral", classes: 3, features: ALL_FEATURES, layers: [8, 8],
      activations: ["tanh", "tanh"], output: "softmax", optimizer: "adam", learning_rate: 0.01,
    },
  },
  default: {
    note: "TensorFlow Playground's starting point: circle, X₁ and X₂, layers of 4 and 2 tanh neurons.",
    config: {},
  },
};
