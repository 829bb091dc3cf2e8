"""Network diagrams drawn with Graphviz (used in notebook 07)."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Sequence

from typing import TYPE_CHECKING

from helpers import outputs_dir

if TYPE_CHECKING:  # imported where it is used, so helpers.check can read GRAPHVIZ_INSTALL without it
    import graphviz

GRAPHVIZ_INSTALL = (
    "Debian/Ubuntu: sudo apt-get install graphviz | macOS: brew install graphviz | "
    "conda: conda install -c conda-forge graphviz"
)
GRAPHVIZ_MISSING = f"Graphviz's `dot` is not installed, so no diagram is drawn here. Install it: {GRAPHVIZ_INSTALL}"


def dot_available() -> bool:
    """True when Graphviz's ``dot`` is on PATH; otherwise print the one line that says how to install it."""
    if shutil.which("dot"):
        return True
    print(GRAPHVIZ_MISSING)
    return False


def _layer_nodes(size: int, shown: int) -> list[tuple[str, int | None]]:
    """The neurons drawn for a layer: all of them when few, else the first ones, '…' and the last."""
    if size <= shown:
        return [(str(i + 1), i) for i in range(size)]
    return [(str(i + 1), i) for i in range(shown - 1)] + [("…", None), (str(size), size - 1)]


def neuron_diagram(
    layer_sizes: Sequence[int] = (784, 512, 10),
    layer_names: Sequence[str] = ("Input layer", "Hidden layer (relu)", "Output layer (softmax)"),
    shown: Sequence[int] = (5, 6, 10),
) -> graphviz.Digraph:
    """A neuron-level drawing: a few neurons of each layer, '…' standing for the rest, real counts in the labels.

    Layers are columns, laid out at fixed positions (Graphviz's ``neato`` engine with ``pos``),
    so the neurons stay in order from top to bottom.
    """
    import graphviz

    if not (len(layer_sizes) == len(layer_names) == len(shown)):
        raise ValueError("neuron_diagram: layer_sizes, layer_names and shown must have the same length")
    graph = graphviz.Digraph("neurons", engine="neato",
                             graph_attr={"splines": "line", "fontname": "Helvetica", "outputorder": "edgesfirst"})
    graph.attr("node", shape="circle", width="0.42", fixedsize="true", fontsize="10", fontname="Helvetica")
    graph.attr("edge", arrowsize="0.35", color="#8899aacc", penwidth="0.6")
    colors = ("#9ecae1", "#a1d99b", "#fdae6b")
    step, column_gap = 0.55, 3.2
    top = step * (max(len(_layer_nodes(size, count)) for size, count in zip(layer_sizes, shown)) - 1) / 2
    layers = []
    for index, (size, name, count) in enumerate(zip(layer_sizes, layer_names, shown)):
        x = index * column_gap
        drawn = _layer_nodes(size, count)
        y0 = step * (len(drawn) - 1) / 2
        graph.node(f"title{index}", label=f"{name}\n{size:,} neurons", shape="plaintext",
                   fixedsize="false", fontsize="12", pos=f"{x},{top + 0.9}!")
        nodes = []
        for row, (label, position) in enumerate(drawn):
            node_id = f"l{index}_{'more' if position is None else position}"
            pos = f"{x},{y0 - row * step}!"
            if position is None:
                graph.node(node_id, label=f"⋮ {size - count:,} more", shape="plaintext",
                           fixedsize="false", fontsize="9", pos=pos)
            else:
                text = str(position) if index == len(layer_sizes) - 1 else label
                graph.node(node_id, label=text, style="filled", fillcolor=colors[index % len(colors)], pos=pos)
                nodes.append(node_id)
        layers.append(nodes)
    for left, right in zip(layers, layers[1:]):
        for a in left:
            for b in right:
                graph.edge(a, b)
    return graph


def render(graph: graphviz.Digraph, name: str) -> Path | None:
    """Draw ``graph`` to ``outputs/figures/<name>.png`` (and .svg); None, after one line, without Graphviz."""
    if not dot_available():
        return None
    folder = outputs_dir() / "figures"
    graph.render(filename=name, directory=folder, format="svg", cleanup=True)
    return Path(graph.render(filename=name, directory=folder, format="png", cleanup=True))
