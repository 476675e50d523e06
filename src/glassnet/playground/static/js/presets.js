// Presets: complete configurations (over the defaults) and, for the paper's network, its data.

const ALL_FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2"];

// The paper's four samples (x₁, x₂, 1) → y = x₁. The playground's inputs are functions of (x₁, x₂)
// and have no constant input, so the third input becomes X₁X₂: three inputs, two sigmoid hidden
// units, one sigmoid output. Each sample appears ten times so that the train/test split keeps all
// four in the training set, and a batch of the whole training set makes it gradient descent.
const PAPER_SAMPLES = [[0, 0, 0], [1, 1, 1], [1, 0, 1], [0, 1, 0]];
const PAPER_CSV = "x1,x2,label\n" + Array.from({ length: 10 }, () => PAPER_SAMPLES.map((r) => r.join(",")).join("\n")).join("\n") + "\n";

export const PRESETS = {
  paper: {
    note: "The paper's 3-2-1 network: inputs X₁, X₂, X₁X₂ (the playground has no constant input, so X₁X₂ takes the place of the paper's third input, 1), 2 sigmoid hidden units, a sigmoid output, SGD with learning rate 0.5 on its four samples (each repeated ten times, one batch of the whole training set), label = x₁. The loss is cross-entropy rather than the paper's squared error, and the initial weights are glassnet's defaults.",
    csv: PAPER_CSV,
    csvName: "paper.csv",
    config: {
      dataset: "custom", classes: 2, features: ["x1", "x2", "x1x2"], layers: [2],
      activations: ["sigmoid"], output: "sigmoid", optimizer: "sgd", learning_rate: 0.5,
      batch_size: 36, train_ratio: 90,
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
