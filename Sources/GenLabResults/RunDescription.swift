import GenLabData
import GenLabModels
import GenLabSpec
import GenLabStore

/// The attributes that make a run file describe itself (format 3): the networks
/// (`ModelDescription`), the resolved configuration and the sweep point's values as JSON, for
/// readers that know neither GenLab's rules nor YAML (the Python package).
public enum RunDescription {
    /// The networks of `model` described (`model_json`), with its dataset's pixel scale.
    public static func modelJSON(_ model: BuiltModel) -> JSONValue {
        let e = model.experiment
        let pixels = PixelTransform(e.dataset.normalization, channels: e.dataset.imageShape[0])
        return ModelDescription.json(of: model, pixelScale: pixels.scale, offset: pixels.offset)
    }

    /// Sets `model_json`, `config_json` and `sweep_point_json` of `metadata` for `model`
    /// trained at the sweep point of `overrides` (swept key and value).
    package static func describe(_ metadata: inout RunMetadata, model: BuiltModel, overrides: [(String, YAMLNode)]) {
        metadata.modelJSON = modelJSON(model).text
        metadata.configJSON = model.experiment.tree.json.text
        metadata.sweepPointJSON = JSONValue.object(overrides.map { ($0.0, $0.1.json) }).text
    }

    /// The metadata of a run file written before format 3 with its description added, from
    /// the model its configuration builds and its `sweep_point` lines ("key=value", the value
    /// in YAML); nil when it has one already.
    package static func described(_ run: TrainedRun) -> RunMetadata? {
        guard run.metadata.modelJSON == nil else { return nil }
        var metadata = run.metadata
        var overrides: [(String, YAMLNode)] = []
        for line in metadata.sweepPoint.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { return nil }
            guard let value = try? YAMLNode.parse(String(line[line.index(after: equals)...]), file: run.path) else { return nil }
            overrides.append((String(line[..<equals]), value))
        }
        describe(&metadata, model: run.model, overrides: overrides)
        return metadata
    }
}
