"""Reads a TensorBoard run folder with TensorBoard's own reader (EventAccumulator) and prints
what it holds as JSON: every scalar ("tag step float32-bits"), image (tag, step, width,
height, PNG as base64), text (tag, step, string) and the HParams plugin's records of the run
(session start values as {"number"|"string"|"bool": value}, session end status, the
experiment's keys with their domains as numbers, and its metrics' tags).
Prints {"missing": "tensorboard"} when the package is not installed.

usage: tensorboard_events.py RUN_FOLDER
"""
import base64
import json
import sys

try:
    import numpy
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.plugins.hparams import plugin_data_pb2
    from tensorboard.util import tensor_util
except ImportError:
    print(json.dumps({"missing": "tensorboard"}))
    sys.exit(0)

accumulator = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0, "images": 0, "tensors": 0})
accumulator.Reload()
tags = accumulator.Tags()
out = {"scalars": [], "images": [], "texts": [], "hparams": {}}
for tag in sorted(tags["scalars"]):
    for e in accumulator.Scalars(tag):
        out["scalars"].append(f"{tag} {e.step} {int(numpy.float32(e.value).view(numpy.uint32))}")
for tag in sorted(tags["images"]):
    for e in accumulator.Images(tag):
        out["images"].append({"tag": tag, "step": e.step, "width": e.width, "height": e.height,
                              "png": base64.b64encode(e.encoded_image_string).decode()})
for tag in sorted(tags["tensors"]):
    metadata = accumulator.SummaryMetadata(tag)
    plugin = metadata.plugin_data.plugin_name
    for e in accumulator.Tensors(tag):
        if plugin == "text":
            out["texts"].append({"tag": tag, "step": e.step, "text": tensor_util.make_ndarray(e.tensor_proto).item().decode()})
    if plugin == "hparams":
        data = plugin_data_pb2.HParamsPluginData.FromString(metadata.plugin_data.content)
        kind = data.WhichOneof("data")
        if kind == "session_start_info":
            out["hparams"]["start"] = {name: {value.WhichOneof("kind").replace("_value", ""): getattr(value, value.WhichOneof("kind"))}
                                       for name, value in data.session_start_info.hparams.items()}
        elif kind == "session_end_info":
            out["hparams"]["end"] = data.session_end_info.status
        elif kind == "experiment":
            out["hparams"]["experiment"] = {
                "keys": {h.name: [v.number_value for v in h.domain_discrete.values] for h in data.experiment.hparam_infos},
                "metrics": [m.name.tag for m in data.experiment.metric_infos],
            }
print(json.dumps(out))
