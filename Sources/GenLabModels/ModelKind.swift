import GenLabNN
import GenLabSpec

/// What one kind of model (`model.kind` in YAML) is made of: its networks, the generative
/// model over them, and the trainer of its objective. Each kind conforms once, in the file
/// of its model, and `ModelSpec.Kind.implementation` is the one place that lists them, as
/// `LayerCatalog` lists the layers. (What a kind's `model` section may hold is read with the
/// rest of the YAML, in `ModelSpec`.)
public protocol ModelKind: Sendable {
    /// Builds and shape-checks the networks of `experiment`, initialising nothing yet;
    /// `generator` is the initialisation stream, passed on from network to network.
    func networks(_ experiment: Experiment, _ generator: inout RandomGenerator) throws(SpecError) -> Architecture
    /// The generative model over `model`'s networks (encode, decode, sample), without
    /// optimizers: what a trained run is loaded as.
    func generativeModel(_ model: BuiltModel) -> any GenerativeModel
    /// The trainer of the kind's objective over `model`, for epochs of `batchesPerEpoch`
    /// iterations (a WGAN's per-epoch critic schedule counts within them).
    func trainer(_ model: BuiltModel, batchesPerEpoch: Int) -> any Trainer
}

/// A kind whose networks are an encoder and a decoder (with heads or a hierarchy as its
/// spec says): AE, VAE, CVAE, HVAE.
protocol EncoderDecoderKind: ModelKind {
    func generativeModel(_ model: BuiltModel, _ networks: AutoencoderNetworks) -> any GenerativeModel
    func trainer(_ model: BuiltModel, _ networks: AutoencoderNetworks) -> any Trainer
}

extension EncoderDecoderKind {
    func networks(_ experiment: Experiment, _ generator: inout RandomGenerator) throws(SpecError) -> Architecture {
        .autoencoder(try AutoencoderNetworks.build(experiment, &generator))
    }

    /// The kind's model over its networks (a GAN's model over a generator and an opponent,
    /// which this kind never builds: the match is total, nothing traps).
    func generativeModel(_ model: BuiltModel) -> any GenerativeModel {
        switch model.architecture {
        case .autoencoder(let networks): generativeModel(model, networks)
        case .adversarial(let networks): GANKind().generativeModel(model, networks)
        }
    }

    func trainer(_ model: BuiltModel, batchesPerEpoch: Int) -> any Trainer {
        switch model.architecture {
        case .autoencoder(let networks): trainer(model, networks)
        case .adversarial(let networks): GANKind().trainer(model, networks, batchesPerEpoch: batchesPerEpoch)
        }
    }
}

/// A kind whose networks are a generator and its opponent: GAN, WGAN.
protocol GeneratorOpponentKind: ModelKind {
    func generativeModel(_ model: BuiltModel, _ networks: AdversarialNetworks) -> AdversarialModel
    func trainer(_ model: BuiltModel, _ networks: AdversarialNetworks, batchesPerEpoch: Int) -> any Trainer
}

extension GeneratorOpponentKind {
    /// The kind's model over its networks (an autoencoder's over an encoder and a decoder,
    /// which this kind never builds: the match is total, nothing traps).
    func generativeModel(_ model: BuiltModel) -> any GenerativeModel {
        switch model.architecture {
        case .adversarial(let networks): generativeModel(model, networks)
        case .autoencoder(let networks): AutoencoderKind().generativeModel(model, networks)
        }
    }

    func trainer(_ model: BuiltModel, batchesPerEpoch: Int) -> any Trainer {
        switch model.architecture {
        case .adversarial(let networks): trainer(model, networks, batchesPerEpoch: batchesPerEpoch)
        case .autoencoder(let networks): AutoencoderKind().trainer(model, networks)
        }
    }
}

extension ModelSpec.Kind {
    /// The kind's networks, generative model and trainer.
    public var implementation: any ModelKind {
        switch self {
        case .ae: AutoencoderKind()
        case .vae, .cvae: VAEKind()
        case .hvae: HierarchicalVAEKind()
        case .gan: GANKind()
        case .wgan: WGANKind()
        }
    }
}

extension BuiltModel {
    /// The generative model over these networks (no optimizers).
    public func generativeModel() -> any GenerativeModel { experiment.model.kind.implementation.generativeModel(self) }

    /// The trainer of the experiment's objective over these networks, for epochs of
    /// `batchesPerEpoch` iterations.
    public func trainer(batchesPerEpoch: Int) -> any Trainer {
        experiment.model.kind.implementation.trainer(self, batchesPerEpoch: batchesPerEpoch)
    }
}
