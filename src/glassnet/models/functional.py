"""Functional models: any directed acyclic graph of layers, from ``glassnet.Input`` tensors to
outputs, as ``keras.Model(inputs, outputs)`` builds it.

>>> inputs = glassnet.Input(shape=(784,))  # doctest: +SKIP
>>> x = layers.Dense(64, activation="relu")(inputs)  # doctest: +SKIP
>>> outputs = layers.Dense(10, activation="softmax")(x)  # doctest: +SKIP
>>> model = glassnet.Model(inputs, outputs)  # doctest: +SKIP

Running the model calls each layer once per call in the graph, in an order where every layer
comes after the layers it reads (a topological order); a shared layer is called once per use.
"""

from __future__ import annotations

from typing import Any

from glassnet import config
from glassnet.layers.base import InputLayer, Layer, _record
from glassnet.models.model import Model
from glassnet.symbolic import LayerCall, SymbolicTensor, describe_origin


def _flatten(structure: Any, what: str) -> list[SymbolicTensor]:
    items = list(structure.values()) if isinstance(structure, dict) else structure
    items = list(items) if isinstance(items, (list, tuple)) else [items]
    for item in items:
        if not isinstance(item, SymbolicTensor):
            raise TypeError(
                f"Model {what} must be tensors from glassnet.Input(...) and layer calls on them, "
                f"got {type(item).__name__}: {item!r}"
            )
    return items


class Functional(Model):
    """A model defined by its input and output tensors: the layers in between are its graph."""

    _graph_layers: list[Layer]
    calls_layers_directly = True  # the trainer may call ``call`` itself: it passes training on

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name or config.unique_name("functional"), **kwargs)
        self.inputs = _flatten(inputs, "inputs")
        self.outputs = _flatten(outputs, "outputs")
        self._single_input = not isinstance(inputs, (list, tuple, dict))
        self._single_output = not isinstance(outputs, (list, tuple, dict))
        for tensor in self.inputs:
            if not isinstance(tensor.layer, InputLayer):
                raise ValueError(
                    f"Model inputs must come from glassnet.Input(...); {tensor!r} is the output "
                    f"of {describe_origin(tensor)}"
                )
        self.graph = self._topological_order()
        layers: list[Layer] = []
        for call in self.graph:
            if not any(existing is call.layer for existing in layers):
                layers.append(call.layer)
        names = [layer.name for layer in layers]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise ValueError(f"layer names must be unique within a model, repeated: {duplicates}")
        object.__setattr__(self, "_graph_layers", layers)
        for layer in layers:
            if not isinstance(layer, InputLayer):
                self._track(layer)
        self.built = True
        shapes = [t.shape for t in self.inputs]
        self.build_input_shape = shapes[0] if self._single_input else shapes

    def _topological_order(self) -> list[LayerCall]:
        """Every layer call between the inputs and the outputs, each after those it reads."""
        declared = {id(t) for t in self.inputs}
        order: list[LayerCall] = [t.call for t in self.inputs if t.call is not None]
        done: set[int] = {id(call) for call in order}
        reached_inputs: set[int] = set()
        in_progress: set[int] = set()

        def visit(tensor: SymbolicTensor) -> None:
            call = tensor.call
            assert call is not None
            if isinstance(call.layer, InputLayer):
                if id(tensor) not in declared:
                    raise ValueError(
                        f"the graph of model {self.name!r} uses input {call.layer.name!r}, "
                        "which is not among the model's inputs: add it to Model(inputs=[...])"
                    )
                reached_inputs.add(id(tensor))
                return
            if id(call) in done:
                return
            if id(call) in in_progress:
                raise ValueError(f"the graph of model {self.name!r} has a cycle")
            in_progress.add(id(call))
            for source in call.inputs:
                visit(source)
            in_progress.discard(id(call))
            done.add(id(call))
            order.append(call)

        for tensor in self.outputs:
            visit(tensor)
        for tensor in self.inputs:
            if id(tensor) not in reached_inputs:
                raise ValueError(
                    f"the outputs of model {self.name!r} do not depend on input "
                    f"{tensor.layer.name!r}: remove it from the inputs or connect it"
                )
        return order

    @property
    def layers(self) -> list[Layer]:
        """Every layer of the graph, inputs first, each once (as in Keras)."""
        return list(self._graph_layers)

    @property
    def input_names(self) -> list[str]:
        return [t.layer.name for t in self.inputs]

    @property
    def output_names(self) -> list[str]:
        return [t.layer.name for t in self.outputs]

    @property
    def output_shape(self) -> Any:
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if self._single_output else shapes

    def call(self, inputs: Any, training: bool = False) -> Any:
        values: dict[int, Any] = {}
        if isinstance(inputs, dict):
            inputs = [inputs[name] for name in self.input_names]
        given = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(given) != len(self.inputs):
            raise ValueError(
                f"model {self.name!r} takes {len(self.inputs)} inputs "
                f"({', '.join(self.input_names)}), got {len(given)}"
            )
        for tensor, value in zip(self.inputs, given, strict=True):
            values[id(tensor)] = value
        for call in self.graph:
            if isinstance(call.layer, InputLayer):
                continue
            args = [values[id(t)] for t in call.inputs]
            assert call.output is not None
            layer, arg = call.layer, args if call.multi else args[0]
            if layer.is_primitive and not call.positional:  # built, its shapes checked
                values[id(call.output)] = _record(layer, arg, training)
            else:
                values[id(call.output)] = call.run(args, training)
        outputs = [values[id(t)] for t in self.outputs]
        return outputs[0] if self._single_output else outputs

    def get_config(self) -> dict[str, Any]:
        """The graph as plain data: the layers, and each call with the tensors it reads."""
        from glassnet.layers import serialize

        tensor_ids: dict[int, int] = {}
        calls = []
        for call in self.graph:
            assert call.output is not None
            tensor_ids[id(call.output)] = len(tensor_ids)
            calls.append(
                {
                    "layer": call.layer.name,
                    "inputs": [tensor_ids[id(t)] for t in call.inputs],
                    "multi": call.multi,
                    "positional": call.positional,
                }
            )
        return {
            "name": self.name,
            "layers": [{**serialize(layer), "name": layer.name} for layer in self._graph_layers],
            "calls": calls,
            "inputs": [tensor_ids[id(t)] for t in self.inputs],
            "outputs": [tensor_ids[id(t)] for t in self.outputs],
            "single_input": self._single_input,
            "single_output": self._single_output,
        }

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None
    ) -> Functional:
        """Rebuild the graph: create the layers, then replay the calls in their order."""
        from glassnet.layers import deserialize
        from glassnet.serialization import custom_object_scope

        by_name = {}
        with custom_object_scope(custom_objects):
            for cfg in config["layers"]:
                layer = deserialize(cfg)
                # the name the graph uses (a config of your own may not carry it), as Keras
                by_name[str(cfg.get("name", layer.name))] = layer
        tensors: list[Any] = []
        for call in config["calls"]:
            layer = by_name[call["layer"]]
            if isinstance(layer, InputLayer):
                tensors.append(layer.output)
                continue
            args = [tensors[i] for i in call["inputs"]]
            if call.get("positional"):
                tensors.append(layer(*args))
            else:
                tensors.append(layer(args if call["multi"] else args[0]))
        inputs = [tensors[i] for i in config["inputs"]]
        outputs = [tensors[i] for i in config["outputs"]]
        return cls(
            inputs[0] if config["single_input"] else inputs,
            outputs[0] if config["single_output"] else outputs,
            name=config["name"],
        )
