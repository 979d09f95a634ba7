import Foundation
import GenLabModels
import GenLabNN
import GenLabSpec
import GenLabTestSupport
import Testing

/// The networks as run files describe them (`model_json`): valid JSON, every layer of every
/// network with the module, the resolved sizes chaining from layer to layer, and the wiring of
/// each model kind. (The Python tests rebuild the networks from it and reproduce GenLab's
/// stored samples and latents; here its structure is checked for every experiment file.)
@Suite struct ModelDescriptionTests {
    static func described(_ path: String) throws -> (BuiltModel, [String: Any]) {
        let model = try BuiltModel(try Experiment.load(path: path).points()[0].experiment, initializing: false)
        let text = ModelDescription.json(of: model, pixelScale: [2], offset: [-1]).text
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        return (model, document)
    }

    @Test(arguments: ExperimentFileTests.experimentFiles)
    func everyLayerIsDescribedWithItsSizes(_ path: String) throws {
        let (model, document) = try ModelDescriptionTests.described(path)
        #expect(document["format"] as? String == "genlab-model" && document["kind"] as? String == model.experiment.model.kind.rawValue)
        let networks = try #require(document["networks"] as? [[String: Any]])
        #expect(networks.map { $0["name"] as? String } == model.networks.map(\.name))
        for (described, built) in zip(networks, model.networks) {
            let layers = try #require(described["layers"] as? [[String: Any]])
            #expect(layers.count == built.rows.count && described["parameters"] as? Int == built.parameterCount)
            var shape = try #require(described["input_shape"] as? [Int])
            #expect(shape == built.inputShape)
            for (layer, row) in zip(layers, built.rows) {
                let arguments = try #require(layer["arguments"] as? [String: Any])
                let place = "\(path) \(built.name)[\(row.index)]"
                #expect(layer["index"] as? Int == row.index && layer["text"] as? String == row.description, "\(place)")
                switch layer["module"] as? String {
                case "Linear":
                    #expect(arguments["in_features"] as? Int == shape.reduce(1, *), "\(place)")
                case "Conv2d", "ConvTranspose2d":
                    #expect(arguments["in_channels"] as? Int == shape[0], "\(place)")
                case "BatchNorm1d", "BatchNorm2d":
                    #expect(arguments["num_features"] as? Int == shape[0], "\(place)")
                case "BiasLayer":
                    #expect(arguments["shape"] as? [Int] == shape, "\(place)")
                default: break
                }
                shape = try #require(layer["output_shape"] as? [Int])
                #expect(shape == row.outputShape && layer["parameters"] as? Int == row.parameters, "\(place)")
            }
        }
        #expect((document["pixels"] as? [String: Any])?["scale"] as? [Double] == [2])
    }

    /// The encode path of each autoencoder names columns that exist in the network it reads,
    /// and they are [μ | scale] of the latent's width.
    @Test(arguments: ExperimentFileTests.experimentFiles)
    func encodePathsReadColumnsThatExist(_ path: String) throws {
        let (model, document) = try ModelDescriptionTests.described(path)
        guard let encode = document["encode"] as? [[String: Any]] else {
            let generator = try #require(document["generator"] as? [String: Any])
            #expect(generator["noise_shape"] as? [Int] == model.network(named: "generator")?.inputShape)
            return
        }
        let latent = model.experiment.model.latent
        for (level, spec) in encode.enumerated() {
            for key in ["mu", "scale"] {
                guard let columns = spec[key] as? [String: Any] else {
                    #expect(key == "scale" && model.experiment.model.kind == .ae)
                    continue
                }
                let range = try #require(columns["columns"] as? [Int])
                let name = try #require(columns["network"] as? String)
                let network = try #require(model.network(named: name))
                #expect(range[1] <= network.outputShape[0], "\(path) level \(level) \(key)")
                if level == 0 && key == "mu" { #expect(range == [0, latent]) }
            }
        }
        let factor = encode[0]["log_sigma_factor"] as? Double
        let spec = try #require(model.experiment.model.autoencoder)
        #expect(factor == (model.experiment.model.kind.isVariational ? (spec.scaleHead == .logVariance ? 0.5 : 1) : 0), "\(path)")
    }

    @Test func jsonTextIsExact() throws {
        let value = JSONValue.object([("a\"b\\\n", .string("tab\there \u{1}")), ("n", .array([.int(-3), .double(0.1), .double(2), .double(1e-5), .null, .bool(false)])),
                                      ("inf", .double(.infinity))])
        #expect(value.text == #"{"a\"b\\\n": "tab\there \u0001", "n": [-3, 0.1, 2.0, 1e-05, null, false], "inf": null}"#)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(value.text.utf8)) as? [String: Any])
        #expect(parsed["a\"b\\\n"] as? String == "tab\there \u{1}")
        let yaml = try YAMLNode.parse("a: 1\nb: 1.5e-3\nc: true\nd: mean\ne: '7'\nf: [~, 2]\n", file: "x")
        #expect(yaml.json.text == #"{"a": 1, "b": 0.0015, "c": true, "d": "mean", "e": "7", "f": [null, 2]}"#)
    }
}
