import GenLabNN
import GenLabSpec

/// The networks of an autoencoder (AE, VAE, CVAE, HVAE), by role.
public struct AutoencoderNetworks {
    /// x → features, ending in the joint head [μ | scale] unless `heads` are separate.
    public var encoder: BuiltNetwork
    /// The lab VAE's separate μ and scale heads on the encoder's features; nil otherwise.
    public var heads: (mu: BuiltNetwork, scale: BuiltNetwork)?
    /// A hierarchical VAE's q(z2 | z1) and learned prior p(z1 | z2), each ending in a
    /// [μ | scale] head; nil otherwise.
    public var hierarchy: (encoder2: BuiltNetwork, prior: BuiltNetwork)?
    /// z (with a CVAE's one-hot label) → image.
    public var decoder: BuiltNetwork

    /// Every network in the order run files store them.
    public var all: [BuiltNetwork] {
        [encoder] + (heads.map { [$0.mu, $0.scale] } ?? []) + (hierarchy.map { [$0.encoder2, $0.prior] } ?? []) + [decoder]
    }
}

/// The networks of a GAN or WGAN, by role.
public struct AdversarialNetworks {
    /// Noise → image.
    public var generator: BuiltNetwork
    /// The discriminator (GAN) or critic (WGAN): image → one value.
    public var opponent: BuiltNetwork
}

/// An experiment's networks by role: what its trainer composes.
public enum Architecture {
    case autoencoder(AutoencoderNetworks)
    case adversarial(AdversarialNetworks)

    /// Every network in the order run files store them.
    public var all: [BuiltNetwork] {
        switch self {
        case .autoencoder(let networks): networks.all
        case .adversarial(let networks): [networks.generator, networks.opponent]
        }
    }
}

/// The networks of an experiment, built, shape-checked against its dataset and initialised.
public struct BuiltModel {
    public var experiment: Experiment
    /// The networks by role.
    public let architecture: Architecture
    /// log σx of a Gaussian likelihood with learned σx (starts at 0), else nil.
    public let logSigmaX: Parameter?
    /// The random stream of the dropout layers' masks, shared by every network; nil when the
    /// model has no dropout.
    public let dropoutNoise: DropoutNoise?

    /// In a fixed order: encoder (+ separate heads, + hierarchy), decoder; or generator,
    /// discriminator/critic.
    public var networks: [BuiltNetwork] { architecture.all }

    /// What the networks' matrix products multiply (fp32 unless `use` set bf16).
    public private(set) var precision = Precision.fp32

    /// Sets what every network's matrix products multiply (see `Layer.use`).
    public mutating func use(_ precision: Precision) {
        self.precision = precision
        for built in networks { built.network.use(precision) }
    }

    /// The network stored under `name` in run files ("encoder", "critic", …).
    public func network(named name: String) -> BuiltNetwork? { networks.first { $0.name == name } }
    public var parameterCount: Int { parameterGroups.reduce(0) { $0 + $1.parameters.reduce(0) { $0 + $1.parameter.value.count } } }

    /// Every trainable parameter by group as stored in run files: one group per network, plus
    /// "likelihood" holding "log_sigma_x" when σx is learned.
    public var parameterGroups: [(name: String, parameters: [NamedParameter])] {
        networks.map { ($0.name, $0.network.parameters) } + (logSigmaX.map { [("likelihood", [("log_sigma_x", $0)])] } ?? [])
    }

    /// Builds every network of `experiment` and checks that the shapes fit: layers fit their
    /// inputs, decoders and generators return to the dataset's image shape, discriminators
    /// give one value per image, and the output activations suit the losses.
    ///
    /// With `initializing` false (checking a file, planning) the weights stay zero: their
    /// storage is never written, so even a model near this machine's memory costs nothing.
    public init(_ experiment: Experiment, initializing: Bool = true) throws(SpecError) {
        // Everything that can throw runs before any stored property is set.
        var generator = RandomGenerator(seed: experiment.seed, stream: .initialization)
        let architecture = try experiment.model.kind.implementation.networks(experiment, &generator)
        let networks = architecture.all
        try BuiltModel.checkMemory(networks, experiment)
        if initializing {
            for built in networks { experiment.model.initialization.apply(to: built.network, generator: &generator) }
        }
        let learnedSigma = experiment.model.autoencoder.map { $0.likelihood == .gaussian && $0.sigmaX == .learned } ?? false
        let dropouts = networks.flatMap(\.network.descendants).compactMap { $0 as? Dropout }
        self.experiment = experiment
        self.architecture = architecture
        logSigmaX = learnedSigma ? Parameter(shape: []) : nil
        dropoutNoise = dropouts.isEmpty ? nil : DropoutNoise(RandomGenerator(seed: experiment.seed, stream: .dropout))
        for dropout in dropouts { dropout.noise = dropoutNoise }
    }

    /// Parameters (with gradients and optimizer state) plus every layer's output and its
    /// gradient for one batch must fit in this machine's memory; the error names the layer
    /// with the largest output.
    private static func checkMemory(_ networks: [BuiltNetwork], _ e: Experiment) throws(SpecError) {
        let batch = Double(e.train.batchSize) * Double(e.model.autoencoder?.samples ?? 1)
        let parameters = networks.reduce(0.0) { $0 + Double($1.parameterCount) } * Double(ModelSize.bytesPerParameter)
        var activations = 0.0
        var largest: (network: BuiltNetwork, row: LayerRow, bytes: Double)?
        for network in networks {
            for row in network.rows {
                let bytes = Double(Tensor.elementCount(row.outputShape)) * batch * 4 * 2
                activations += bytes
                if bytes > largest?.bytes ?? -1 { largest = (network, row, bytes) }
            }
        }
        guard parameters + activations > Double(ModelSize.memoryBytes), let largest else { return }
        throw SpecError(.tooLarge, "training needs about \(ModelSize.describe(bytes: parameters + activations)) (parameters \(ModelSize.describe(bytes: parameters)), activations for batches of \(e.train.batchSize) \(ModelSize.describe(bytes: activations)), the largest \(ModelSize.describe(bytes: largest.bytes)) at \(largest.network.name) layer \(largest.row.index), \(largest.row.description) → \(largest.row.outputShape.shapeDescription)); GenLab may use \(ModelSize.describe(bytes: Double(ModelSize.memoryBytes))) here",
                        at: (e.tree.value(at: ["train", "batch_size"]) ?? e.tree).location)
    }
}

extension AutoencoderNetworks {
    /// Builds and shape-checks the encoder (with the latent head GenLab appends), the
    /// separate heads, the hierarchy and the decoder of `e`, drawing from `generator` in that
    /// order.
    static func build(_ e: Experiment, _ generator: inout RandomGenerator) throws(SpecError) -> AutoencoderNetworks {
        let spec = e.model.autoencoder!
        let image = e.dataset.imageShape, latent = e.model.latent
        let conditional = spec.classes > 0
        if conditional {
            let first = spec.encoder.first { !$0.is(Reshape.Flatten.self) }
            guard first?.is(Linear.Kind.self) == true else {
                throw SpecError(.shapeMismatch, "a cvae encoder is an MLP: its first layer after 'flatten' must be linear (the one-hot label joins the flattened image)", at: first?.location ?? spec.location)
            }
        }
        let encoderInput = conditional ? [image.reduce(1, *) + spec.classes] : image
        var encoderBuilder = NetworkBuilder(name: "encoder", path: "model.encoder", generator: generator)
        var body = try encoderBuilder.build(spec.encoder, inputShape: encoderInput)
        guard body.outputShape.count == 1 else {
            throw SpecError(.shapeMismatch, "the encoder must end flat (features) so that GenLab can add the latent head; it ends with \(body.outputShape.shapeDescription) (add 'flatten')", at: spec.encoder.last?.location ?? spec.location)
        }
        let features = body.outputShape[0]
        let scaleWidth = spec.posterior == .isotropic ? 1 : latent
        var heads: (mu: BuiltNetwork, scale: BuiltNetwork)?
        var hierarchyNetworks: [BuiltNetwork] = []
        let isVariational = e.model.kind.isVariational
        let headLocation = spec.location
        if !isVariational || spec.heads == .joint {
            let out = isVariational ? latent + scaleWidth : latent
            body = try encoderBuilder.extend(body, with: [LayerSpec(Linear.Kind(out: out), location: headLocation)])
        } else {
            var separate: [BuiltNetwork] = []
            for (name, width) in [("mu_head", latent), ("scale_head", scaleWidth)] {
                var headBuilder = NetworkBuilder(name: name, path: "model.heads", generator: encoderBuilder.generator,
                                                 parameterBudget: encoderBuilder.parameterBudget)
                separate.append(try headBuilder.build([LayerSpec(Linear.Kind(out: width), location: headLocation)],
                                                      inputShape: [features]))
                encoderBuilder.generator = headBuilder.generator
                encoderBuilder.parameterBudget = headBuilder.parameterBudget
            }
            heads = (separate[0], separate[1])
        }
        if let hierarchy = spec.hierarchy {
            // q(z2 | z1) and the prior p(z1 | z2), each ending in a [μ | log σ] head
            for (name, layers, input, width) in [("encoder2", hierarchy.encoder2, latent, hierarchy.latent2),
                                                  ("prior", hierarchy.prior, hierarchy.latent2, latent)] {
                var builder = NetworkBuilder(name: name, path: "model.\(name)", generator: encoderBuilder.generator,
                                             parameterBudget: encoderBuilder.parameterBudget)
                let built = try builder.build(layers + [LayerSpec(Linear.Kind(out: 2 * width), location: headLocation)],
                                              inputShape: [input])
                hierarchyNetworks.append(built)
                encoderBuilder.generator = builder.generator
                encoderBuilder.parameterBudget = builder.parameterBudget
            }
        }
        let decoderInput = [latent + (conditional ? spec.classes : 0)]
        let decoderSpecs: [LayerSpec]
        switch spec.decoder {
        case .mirror(let output):
            // A cvae's encoder sees the flattened image plus the label; its mirror returns
            // the flattened image only, then restores the image shape.
            var mirrored = try NetworkBuilder.mirror(of: spec.encoder,
                                                     inputShape: conditional ? [image.reduce(1, *)] : image,
                                                     head: LayerSpec(Linear.Kind(out: features), location: spec.decoderLocation),
                                                     location: spec.decoderLocation)
            if conditional { mirrored.append(LayerSpec(Reshape.Unflatten(shape: image), location: spec.decoderLocation)) }
            if let output { mirrored.append(output) }
            decoderSpecs = mirrored
        case .layers(let layers):
            decoderSpecs = layers
        }
        var decoderBuilder = NetworkBuilder(name: "decoder", path: "model.decoder", generator: encoderBuilder.generator,
                                            parameterBudget: encoderBuilder.parameterBudget)
        let decoder = try decoderBuilder.build(decoderSpecs, inputShape: decoderInput)
        generator = decoderBuilder.generator
        guard decoder.outputShape == image else {
            throw SpecError(.shapeMismatch, "decoder produces \(decoder.outputShape.shapeDescription) but the dataset's images are \(image.shapeDescription)", at: decoderSpecs.last?.location ?? spec.location)
        }
        let lastComputing = decoderSpecs.last { !$0.is(Reshape.Unflatten.self) && !$0.is(Reshape.Flatten.self) }
        if spec.likelihood == .bce, lastComputing?.is(Activation.Sigmoid.self) != true {
            throw SpecError(.shapeMismatch, "likelihood 'bce' takes probabilities: end the decoder with 'sigmoid'\(spec.decoder == .mirror(output: nil) ? " (write 'output: sigmoid')" : "")", at: decoderSpecs.last?.location ?? spec.location)
        }
        return AutoencoderNetworks(encoder: body, heads: heads,
                                   hierarchy: hierarchyNetworks.isEmpty ? nil : (hierarchyNetworks[0], hierarchyNetworks[1]),
                                   decoder: decoder)
    }
}

extension AdversarialNetworks {
    /// Builds and shape-checks the generator and its opponent (`opponent` names it:
    /// "discriminator" or "critic") of `e`, drawing from `generator` in that order.
    static func build(_ e: Experiment, _ generator: inout RandomGenerator, opponent name: String) throws(SpecError) -> AdversarialNetworks {
        let spec = e.model.adversarial!
        let image = e.dataset.imageShape
        let noiseShape: [Int]
        let convolutional = spec.generator.first.map { $0.is(Conv2d.Kind.self) || $0.is(ConvTranspose2d.Kind.self) } ?? false
        // a conditional G takes the one-hot label after its noise (as channels of a 1×1 image)
        noiseShape = convolutional ? [e.model.latent + spec.classes, 1, 1] : [e.model.latent + spec.classes]
        var gBuilder = NetworkBuilder(name: "generator", path: "model.generator", generator: generator)
        let g = try gBuilder.build(spec.generator, inputShape: noiseShape)
        guard g.outputShape == image else {
            throw SpecError(.shapeMismatch, "generator produces \(g.outputShape.shapeDescription) but the dataset's images are \(image.shapeDescription)", at: spec.generator.last?.location ?? spec.location)
        }
        var dBuilder = NetworkBuilder(name: name, path: "model.\(name)", generator: gBuilder.generator,
                                      parameterBudget: gBuilder.parameterBudget)
        let d = try dBuilder.build(spec.discriminator, inputShape: AdversarialNetworks.opponentInput(spec, image: image))
        generator = dBuilder.generator
        let last = spec.discriminator.last
        guard d.outputShape == [1] else {
            throw SpecError(.shapeMismatch, "the \(name) must give one value per image (end with 'linear: {out: 1}'), it gives \(d.outputShape.shapeDescription)", at: last?.location ?? spec.location)
        }
        return AdversarialNetworks(generator: g, opponent: d)
    }

    /// Whether a conditional opponent takes the label as columns after the flattened image (it
    /// starts with `flatten` or `linear`, as the CVAE's encoder), else as constant channels.
    static func labelsAsColumns(_ spec: AdversarialSpec) -> Bool {
        spec.discriminator.first.map { $0.is(Reshape.Flatten.self) || $0.is(Linear.Kind.self) } ?? false
    }

    /// The opponent's input: the image, with a conditional model's label columns or channels.
    static func opponentInput(_ spec: AdversarialSpec, image: [Int]) -> [Int] {
        guard spec.classes > 0 else { return image }
        return labelsAsColumns(spec) ? [image.reduce(1, *) + spec.classes] : [image[0] + spec.classes] + image.dropFirst()
    }
}
