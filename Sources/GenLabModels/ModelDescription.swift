import GenLabNN
import GenLabSpec

/// A built model described completely for tools outside GenLab (run files keep it as the
/// root attribute `model_json`): every network as the ordered list of its layers with all
/// arguments and sizes resolved, and how the networks compose, in data rather than in rules.
///
/// Everything GenLab decides while building (inferred in-channels and in-features, the
/// mirrored decoder, the latent head it appends, the one-hot label of a CVAE, how the scale
/// head reads as log σ, the noise shape of a generator) is written out here, so a reader
/// rebuilds the same networks and the same encode and decode paths by reading, without
/// knowing GenLab. docs/reference/run-file.md documents every key.
public enum ModelDescription {
    /// The name in the document's `format` key.
    public static let format = "genlab-model"
    /// 1: the first version (run format 3).
    public static let version = 1

    /// The description of `model`, with the pixel scale of its inputs (network input =
    /// pixel·scale + offset per channel, pixel in [0, 1]).
    public static func json(of model: BuiltModel, pixelScale scale: [Float], offset: [Float]) -> JSONValue {
        let e = model.experiment
        var document: [(String, JSONValue)] = [
            ("format", .string(format)), ("version", .int(version)), ("kind", .string(e.model.kind.rawValue)),
            ("image_shape", .ints(e.dataset.imageShape)), ("latent", .int(e.model.latent)),
            ("pixels", .object([("scale", .array(scale.map { .double(Double($0)) })),
                                ("offset", .array(offset.map { .double(Double($0)) })),
                                ("definition", .string("network input = pixel * scale + offset per channel, pixel in [0, 1]"))])),
            ("networks", .array(model.networks.map(network))),
        ]
        switch model.architecture {
        case .autoencoder(let networks): document += autoencoder(e, networks)
        case .adversarial: document += adversarial(e, model)
        }
        document.append(("samples", samples(e)))
        return .object(document)
    }

    /// {"name", "input_shape", "output_shape", "parameters", "layers": [...]}, each layer with its
    /// `state_dict` index, module, arguments, output shape and parameter count.
    static func network(_ built: BuiltNetwork) -> JSONValue {
        let layers: [JSONValue] = built.rows.map { row in
            guard case .object(let pairs) = row.layer.json else { return row.layer.json }
            return .object([("index", .int(row.index))] + pairs
                           + [("output_shape", .ints(row.outputShape)), ("parameters", .int(row.parameters))])
        }
        return .object([("name", .string(built.name)), ("input_shape", .ints(built.inputShape)),
                        ("output_shape", .ints(built.outputShape)), ("parameters", .int(built.parameterCount)),
                        ("layers", .array(layers))])
    }

    /// One input of a network: a part concatenated along the feature axis.
    static func part(_ source: String, _ extra: [(String, JSONValue)] = []) -> JSONValue {
        .object([("source", .string(source))] + extra)
    }

    /// Columns [from, to) of a network's output.
    static func columns(_ network: String, _ from: Int, _ to: Int) -> JSONValue {
        .object([("network", .string(network)), ("columns", .ints([from, to]))])
    }

    /// `encode` (q(z | ·) per latent level, lowest first), `decode` (per level), `likelihood`.
    static func autoencoder(_ e: Experiment, _ networks: AutoencoderNetworks) -> [(String, JSONValue)] {
        let spec = e.model.autoencoder!, latent = e.model.latent
        let conditional = spec.classes > 0, variational = e.model.kind.isVariational
        let oneHot = part("label", [("one_hot", .int(spec.classes))])
        let width = spec.posterior == .isotropic ? 1 : latent
        var level0: [(String, JSONValue)] = [
            ("input", .array(conditional ? [part("image", [("flatten", .bool(true))]), oneHot] : [part("image")])),
            ("network", .string("encoder")),
        ]
        if let heads = networks.heads {
            level0 += [("mu", columns(heads.mu.name, 0, latent)), ("scale", columns(heads.scale.name, 0, width))]
        } else {
            level0 += [("mu", columns("encoder", 0, latent)), ("scale", variational ? columns("encoder", latent, latent + width) : .null)]
        }
        level0 += [("log_sigma_factor", .double(variational ? Double(spec.scaleHead.chain) : 0)),
                   ("definition", .string(variational
                        ? "mu and s are the columns of the named network's output (a head network takes the encoder's output); log sigma = log_sigma_factor * s, one s shared by every dimension when it has one column"
                        : "an autoencoder's code: mu; log sigma = 0"))]
        var encode: [JSONValue] = [.object(level0)]
        var decode: [JSONValue] = [.object([("input", .array(conditional ? [part("z"), oneHot] : [part("z")])),
                                            ("network", .string("decoder"))])]
        if let hierarchy = networks.hierarchy, let upper = spec.hierarchy {
            let z2 = upper.latent2
            encode.append(.object([
                ("input", .array([part("mu", [("level", .int(0))])])), ("network", .string(hierarchy.encoder2.name)),
                ("mu", columns(hierarchy.encoder2.name, 0, z2)), ("scale", columns(hierarchy.encoder2.name, z2, 2 * z2)),
                ("log_sigma_factor", .double(Double(spec.scaleHead.chain))),
                ("definition", .string("q(z2 | z1 = mu of level 0)")),
            ]))
            decode.append(.object([
                ("input", .array([part("z")])), ("through", columns(hierarchy.prior.name, 0, latent)),
                ("network", .string("decoder")),
                ("definition", .string("z2 through the learned prior's mean of z1, then the decoder")),
            ]))
        }
        var likelihood: [(String, JSONValue)] = [("kind", .string(spec.likelihood.rawValue)),
                                                ("reduction", .string(spec.reduction.rawValue))]
        if spec.likelihood == .gaussian {
            switch spec.sigmaX {
            case .learned: likelihood.append(("log_sigma_x", .string("/weights/likelihood/log_sigma_x")))
            case .fixed(let sigma): likelihood.append(("sigma_x", .double(sigma)))
            }
        }
        var result: [(String, JSONValue)] = [("encode", .array(encode)), ("decode", .array(decode)), ("likelihood", .object(likelihood))]
        if conditional { result.append(("classes", .int(spec.classes))) }
        if variational { result.append(("beta", .double(spec.beta))) }
        return result
    }

    /// `generator` (its noise shape) and the discriminator or critic (what its output is).
    static func adversarial(_ e: Experiment, _ model: BuiltModel) -> [(String, JSONValue)] {
        guard case .adversarial(let networks) = model.architecture, let spec = e.model.adversarial else { return [] }
        let output = e.model.kind == .wgan ? "score" : ["bce": "probability", "bce_logits": "logit"][spec.loss.rawValue] ?? "score"
        let input = networks.generator.inputShape, noiseShape = [input[0] - spec.classes] + input.dropFirst()
        guard spec.classes > 0 else {
            return [
                ("generator", .object([("network", .string(networks.generator.name)), ("noise_shape", .ints(noiseShape)),
                                       ("definition", .string("images = generator(noise), noise ~ N(0, I) of noise_shape per image"))])),
                ("discriminator", .object([("network", .string(networks.opponent.name)), ("output", .string(output))])),
            ]
        }
        let labels = AdversarialNetworks.labelsAsColumns(spec) ? "columns" : "channels"
        return [
            ("generator", .object([("network", .string(networks.generator.name)), ("noise_shape", .ints(noiseShape)),
                                   ("classes", .int(spec.classes)),
                                   ("definition", .string("images = generator(noise with one_hot(label) appended along axis 1), noise ~ N(0, I) of noise_shape per image"))])),
            ("discriminator", .object([("network", .string(networks.opponent.name)), ("output", .string(output)),
                                       ("classes", .int(spec.classes)), ("labels", .string(labels)),
                                       ("definition", .string(labels == "columns"
                                           ? "scores = \(networks.opponent.name)(flattened image with one_hot(label) appended)"
                                           : "scores = \(networks.opponent.name)(image with one_hot(label) appended as constant channels)"))])),
        ]
    }

    /// How the recorded samples (`/samples/step_<n>`) are made from `/sample_inputs`.
    static func samples(_ e: Experiment) -> JSONValue {
        guard let record = e.record.samples else { return .null }
        let from: String, definition: String
        if !e.model.kind.isAutoencoder {
            (from, definition) = ("noise", e.model.adversarial?.classes ?? 0 > 0 ? "generator(noise) with labels" : "generator(noise)")
        } else if e.model.autoencoder?.classes ?? 0 > 0 {
            (from, definition) = ("noise", "decode level 0 of z = noise with labels")
        } else if record.latent == .sample {  // as `LatentModel.reconstructsFromSample`
            (from, definition) = ("holdout_sample", "decode level 0 of z = mu + exp(log sigma) * noise, mu and log sigma of encode level 0 of images")
        } else {
            (from, definition) = ("holdout_mean", "decode level 0 of z = mu of encode level 0 of images")
        }
        return .object([("from", .string(from)), ("count", .int(record.count)),
                        ("definition", .string(definition + "; evaluation mode; stored on the pixel scale"))])
    }
}
