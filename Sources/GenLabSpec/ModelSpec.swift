import GenLabNN
/// The networks and the objective of an experiment.
public struct ModelSpec: Equatable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Autoencoder: reconstruction loss only.
        case ae
        /// VAE / β-VAE.
        case vae
        /// Conditional VAE: the one-hot label joins the encoder input and z.
        case cvae
        /// Hierarchical VAE with two stochastic layers: x → z1 → z2, a learned prior
        /// p(z1 | z2) and a standard normal prior on z2.
        case hvae
        /// GAN with a discriminator (DCGAN).
        case gan
        /// Wasserstein GAN with a critic and weight clipping.
        case wgan

        public var isAutoencoder: Bool { self == .ae || self == .vae || self == .cvae || self == .hvae }
        public var isVariational: Bool { self == .vae || self == .cvae || self == .hvae }
    }

    public var kind: Kind
    /// Size of the latent code z (for GANs: of the noise vector).
    public var latent: Int
    public var initialization: Initialization
    /// Autoencoders: the encoder and decoder. GANs: nil.
    public var autoencoder: AutoencoderSpec?
    /// GANs: the generator and discriminator or critic. Autoencoders: nil.
    public var adversarial: AdversarialSpec?

    /// Every key a model section can hold (which apply depends on `kind`).
    static let keys = ["kind", "latent", "init"] + AutoencoderSpec.keys + AdversarialSpec.keys

    static func parse(_ node: YAMLNode) throws(SpecError) -> ModelSpec {
        let f = try node.fields("model", allowed: keys)
        let kind = try f.required("kind").choice("model.kind", Kind.self)
        // `classes`: a CVAE's, and a conditional GAN's or WGAN's
        for key in kind.isAutoencoder ? AdversarialSpec.keys : AutoencoderSpec.keys.filter({ $0 != "classes" }) {
            try f.reject(key, "does not apply to a model of kind '\(kind.rawValue)'")
        }
        return ModelSpec(
            kind: kind,
            latent: try f.required("latent").int("model.latent", min: 1, max: 65_536),
            initialization: try f["init"]?.choice("model.init", Initialization.self) ?? (kind.isAutoencoder ? .pytorch : .dcgan),
            autoencoder: kind.isAutoencoder ? try AutoencoderSpec.parse(f, kind: kind) : nil,
            adversarial: kind.isAutoencoder ? nil : try AdversarialSpec.parse(f, kind: kind))
    }
}

/// The encoder, decoder and losses of an AE, VAE or CVAE.
public struct AutoencoderSpec: Equatable, Sendable {
    public enum Decoder: Equatable, Sendable {
        /// The exact mirror of the encoder, followed by an optional output activation.
        case mirror(output: LayerSpec?)
        case layers([LayerSpec])
    }

    public enum Posterior: String, Sendable, CaseIterable {
        /// One σ per latent dimension.
        case diagonal
        /// One σ shared by all latent dimensions.
        case isotropic
    }

    public enum Heads: String, Sendable, CaseIterable {
        /// One Linear emitting [μ | scale] (ARENA).
        case joint
        /// Two Linear heads, μ and scale (lab VAE).
        case separate
    }

    public enum KLEstimate: String, Sendable, CaseIterable {
        case closedForm = "closed_form"
        case monteCarlo = "monte_carlo"
    }

    /// How a denoising autoencoder corrupts its input (the target stays clean).
    public enum Corruption: Equatable, Sendable {
        /// Adds N(0, σ²) noise to the normalised input.
        case gaussian(Double)
        /// Sets each input value to 0 with this probability.
        case mask(Double)
    }

    /// σx of the Gaussian likelihood.
    public enum SigmaX: Equatable, Sendable {
        case fixed(Double)
        /// A learned scalar log σx starting at 0 (σx = 1).
        case learned
    }

    /// The encoder layers before the head GenLab appends (Linear to latent, 2·latent, or
    /// latent + 1, or two Linear heads).
    public var encoder: [LayerSpec]
    public var decoder: Decoder
    public var likelihood: Likelihood
    public var reduction: Reduction
    /// Weight of the KL term (VAE, CVAE).
    public var beta: Double
    public var posterior: Posterior
    /// How z = μ + σ·ε reads the scale head.
    public var scaleHead: ScaleHead
    /// How the KL term reads the scale head: `scaleHead`, unless the file writes
    /// `scale_head: {sample: …, kl: …}` to reproduce an objective that reads it two ways (the
    /// lab VAE samples with exp(s/2) but computes the KL with s as log σ).
    public var klScaleHead: ScaleHead
    public var heads: Heads
    public var kl: KLEstimate
    /// Samples of z per image for the Monte-Carlo KL and the reconstruction term.
    public var samples: Int
    public var sigmaX: SigmaX
    /// Label classes (CVAE).
    public var classes: Int
    /// Denoising: the corruption of the encoder's input; nil for none.
    public var corruption: Corruption?
    /// Sparse autoencoder: weight of the L1 penalty mean|z| (0 for none).
    public var sparsity: Double
    /// The upper stochastic layer of a hierarchical VAE; nil otherwise.
    public var hierarchy: HierarchySpec?
    /// β-TCVAE: the KL split, its total correlation weighted; nil for the plain KL.
    public var tc: TotalCorrelationSpec?
    /// Location of the model section, for errors about the whole network.
    public var location: SourceLocation
    /// Location of the decoder's value ('mirror' or the list).
    public var decoderLocation: SourceLocation

    static let keys = [
        "encoder", "decoder", "output", "likelihood", "reduction", "beta", "posterior", "scale_head", "heads",
        "kl", "samples", "sigma_x", "classes", "corruption", "sparsity", "tc",
    ] + HierarchySpec.keys
    static let variationalKeys = ["beta", "posterior", "scale_head", "heads", "kl", "samples"]

    static func parse(_ f: Fields, kind: ModelSpec.Kind) throws(SpecError) -> AutoencoderSpec {
        if !kind.isVariational {
            for key in variationalKeys { try f.reject(key, "applies to vae and cvae models only") }
        }
        if kind != .cvae { try f.reject("classes", "applies to cvae, gan and wgan models only") }
        if kind != .ae { try f.reject("sparsity", "applies to ae models only") }
        if kind != .vae { try f.reject("tc", "applies to vae models only (β-TCVAE)") }
        if kind == .cvae || kind == .hvae { try f.reject("corruption", "applies to ae and vae models only") }
        if kind != .hvae {
            for key in HierarchySpec.keys { try f.reject(key, "applies to hvae models only") }
        } else {
            try f.reject("posterior", "is diagonal for both layers of an hvae")
            try f.reject("heads", "is joint for every head of an hvae")
            try f.reject("kl", "is closed_form for an hvae")
            try f.reject("samples", "is 1 for an hvae")
        }
        var corruption: Corruption?
        if let c = f["corruption"] {
            let g = try c.fields("model.corruption", allowed: ["gaussian", "mask"])
            guard g.pairs.count == 1 else {
                throw SpecError(.invalidValue, "'model.corruption' takes one of 'gaussian: σ' or 'mask: p'", at: c.location)
            }
            corruption = g["gaussian"] != nil
                ? .gaussian(try g["gaussian"]!.double(g.path("gaussian"), exclusiveMin: 0))
                : .mask(try g["mask"]!.double(g.path("mask"), exclusiveMin: 0, max: 0.99))
        }
        let encoder = try LayerSpec.parseList(try f.required("encoder"), path: "model.encoder")
        let decoderNode = try f.required("decoder")
        let decoder: Decoder
        if decoderNode.plainText == "mirror" {
            var output: LayerSpec?
            if let o = f["output"] {
                output = try LayerSpec.parse(o, path: "model.output")
                guard output!.is(Activation.Sigmoid.self) || output!.is(Activation.Tanh.self) || output!.is(Activation.ReLU.self) else {
                    throw SpecError(.invalidValue, "'model.output' must be sigmoid, tanh or relu", at: o.location)
                }
            }
            decoder = .mirror(output: output)
        } else if case .sequence = decoderNode {
            try f.reject("output", "applies to 'decoder: mirror' only; write the activation at the end of the decoder list")
            decoder = .layers(try LayerSpec.parseList(decoderNode, path: "model.decoder"))
        } else {
            throw SpecError(.wrongType, "'model.decoder' must be 'mirror' or a list of layers, found \(decoderNode.kindDescription)", at: decoderNode.location)
        }
        let likelihood = try f["likelihood"]?.choice("model.likelihood", Likelihood.self) ?? .mse
        var sigmaX = SigmaX.learned
        if let s = f["sigma_x"] {
            guard likelihood == .gaussian else {
                throw SpecError(.notApplicable, "'model.sigma_x' applies to 'likelihood: gaussian' only", at: s.location)
            }
            sigmaX = s.plainText == "learned" ? .learned : .fixed(try s.double("model.sigma_x", exclusiveMin: 0))
        }
        let tc = try f["tc"].map { node throws(SpecError) in try TotalCorrelationSpec.parse(node, model: f) }
        let kl = try f["kl"]?.choice("model.kl", KLEstimate.self) ?? (tc == nil ? .closedForm : .monteCarlo)
        let (scaleHead, klScaleHead) = try parseScaleHead(f["scale_head"], kind: kind)
        if scaleHead != klScaleHead, kl == .monteCarlo {
            throw SpecError(.notApplicable, "'model.scale_head' reads the head two ways, which only 'kl: closed_form' can (the Monte-Carlo KL uses the sampled z)", at: f["scale_head"]!.location)
        }
        return AutoencoderSpec(
            encoder: encoder,
            decoder: decoder,
            likelihood: likelihood,
            reduction: try f["reduction"]?.choice("model.reduction", Reduction.self) ?? .mean,
            beta: try f["beta"]?.double("model.beta", min: 0) ?? 1,
            posterior: try f["posterior"]?.choice("model.posterior", Posterior.self) ?? .diagonal,
            scaleHead: scaleHead,
            klScaleHead: klScaleHead,
            heads: try f["heads"]?.choice("model.heads", Heads.self) ?? .joint,
            kl: kl,
            samples: try f["samples"]?.int("model.samples", min: 1, max: 1000) ?? 1,
            sigmaX: sigmaX,
            classes: kind == .cvae ? try f.required("classes").int("model.classes", min: 2, max: 1000) : 0,
            corruption: corruption,
            sparsity: try f["sparsity"]?.double("model.sparsity", min: 0) ?? 0,
            hierarchy: kind == .hvae ? try HierarchySpec.parse(f) : nil,
            tc: tc,
            location: f.location,
            decoderLocation: decoderNode.location)
    }
}

extension AutoencoderSpec {
    /// `scale_head: log_sigma | log_variance`, or `{sample: …, kl: …}` for an objective that
    /// reads the head one way to sample z and another way in the KL (VAE and CVAE only).
    static func parseScaleHead(_ node: YAMLNode?, kind: ModelSpec.Kind) throws(SpecError) -> (sample: ScaleHead, kl: ScaleHead) {
        guard let node else { return (.logSigma, .logSigma) }
        guard case .mapping = node else {
            let head = try node.choice("model.scale_head", ScaleHead.self)
            return (head, head)
        }
        guard kind == .vae || kind == .cvae else {
            throw SpecError(.notApplicable, "'model.scale_head: {sample: …, kl: …}' applies to vae and cvae models only", at: node.location)
        }
        let g = try node.fields("model.scale_head", allowed: ["sample", "kl"])
        return (try g.required("sample").choice(g.path("sample"), ScaleHead.self),
                try g.required("kl").choice(g.path("kl"), ScaleHead.self))
    }
}

/// β-TCVAE (Chen et al., 2018): `tc: {weight: β, estimator: minibatch_weighted |
/// minibatch_stratified, dataset_size: N}` — the KL split into index-code mutual information,
/// total correlation and dimension-wise KL from the batch, the total correlation weighted by
/// β. It replaces `beta`; the KL is estimated from the one sampled z (`kl: monte_carlo`,
/// `samples: 1`).
public struct TotalCorrelationSpec: Equatable, Sendable {
    /// β, the total correlation's weight.
    public var weight: Double
    public var estimator: TotalCorrelationKL.Estimator
    /// N, the size of the dataset the batches are drawn from.
    public var datasetSize: Int
    /// Where `dataset_size` is written (checked against the batch size).
    public var datasetSizeLocation: SourceLocation

    static func parse(_ node: YAMLNode, model f: Fields) throws(SpecError) -> TotalCorrelationSpec {
        try f.reject("beta", "does not apply with 'tc': β-TCVAE's β is 'tc.weight'")
        try f.reject("samples", "is 1 with 'tc' (the total correlation is estimated from one sampled z per image)")
        if let kl = f["kl"], kl.plainText != AutoencoderSpec.KLEstimate.monteCarlo.rawValue {
            throw SpecError(.notApplicable, "'model.kl' is monte_carlo with 'tc' (the total correlation is estimated from the sampled z)", at: kl.location)
        }
        if let head = f["scale_head"], case .mapping = head {
            throw SpecError(.notApplicable, "'model.scale_head' must read the head one way with 'tc'", at: head.location)
        }
        let g = try node.fields("model.tc", allowed: ["weight", "estimator", "dataset_size"])
        let size = try g.required("dataset_size")
        return TotalCorrelationSpec(weight: try g.required("weight").double(g.path("weight"), min: 0),
                                    estimator: try g["estimator"]?.choice(g.path("estimator"), TotalCorrelationKL.Estimator.self) ?? .minibatchWeighted,
                                    datasetSize: try size.int(g.path("dataset_size"), min: 1, max: 1 << 40),
                                    datasetSizeLocation: size.location)
    }
}

/// The second stochastic layer of a hierarchical VAE: q(z2 | z1) from `encoder2` and the
/// learned prior p(z1 | z2) from `prior`; GenLab appends to each the Linear head that emits
/// [μ | scale].
public struct HierarchySpec: Equatable, Sendable {
    /// Size of z2.
    public var latent2: Int
    /// Layers from z1 to features (the head to [μ2 | s2] is appended).
    public var encoder2: [LayerSpec]
    /// Layers from z2 to features (the head to [μp | sp] of z1 is appended).
    public var prior: [LayerSpec]

    static let keys = ["latent2", "encoder2", "prior"]

    static func parse(_ f: Fields) throws(SpecError) -> HierarchySpec {
        HierarchySpec(latent2: try f.required("latent2").int("model.latent2", min: 1, max: 65_536),
                      encoder2: try LayerSpec.parseList(try f.required("encoder2"), path: "model.encoder2"),
                      prior: try LayerSpec.parseList(try f.required("prior"), path: "model.prior"))
    }
}

/// The networks and the game of a GAN or WGAN.
public struct AdversarialSpec: Equatable, Sendable {
    /// The noise of the generator's update (GAN).
    public enum GeneratorNoise: String, Sendable, CaseIterable {
        /// The generator's first update goes through the fake batch D was just trained on
        /// (the lab's DCGAN, 001:290).
        case reuse
        /// The generator's update draws a fresh noise batch (the homework's DCGAN, 002:2371).
        case fresh
    }

    /// How the WGAN's generator updates are counted against `critic_steps` n.
    public enum CriticSchedule: String, Sendable, CaseIterable {
        /// On iterations 0, n, 2n, … of the whole run.
        case run
        /// When the batch index within the epoch is a multiple of n (the lab's
        /// `if i % n_critic == 0`, 001:466): the count restarts at every epoch.
        case epoch
    }

    public enum Loss: String, Sendable, CaseIterable {
        /// BCE on probabilities: D ends in a Sigmoid.
        case bce
        /// BCE with logits: D ends in a Linear.
        case bceLogits = "bce_logits"
        /// The hinge loss (D: mean relu(1 − D(x)) + mean relu(1 + D(G(z))); G: −mean D(G(z))).
        case hinge
        /// Least squares (Mao et al.; D: ½·mean (D(x) − 1)² + ½·mean D(G(z))²; G:
        /// ½·mean (D(G(z)) − 1)²).
        case leastSquares = "least_squares"

        /// Whether D gives probabilities (ends in a sigmoid).
        public var takesProbabilities: Bool { self == .bce }
    }

    public var generator: [LayerSpec]
    /// The discriminator (GAN) or critic (WGAN).
    public var discriminator: [LayerSpec]
    /// GAN only.
    public var loss: Loss
    /// Discriminator updates per iteration (GAN).
    public var dSteps: Int
    /// Generator updates per iteration (GAN).
    public var gSteps: Int
    /// The noise of the generator's first update (GAN).
    public var generatorNoise: GeneratorNoise
    /// Critic updates per generator update (WGAN's n_critic).
    public var criticSteps: Int
    /// How generator updates are counted against `criticSteps` (WGAN).
    public var criticSchedule: CriticSchedule
    /// Weight clipping c after each critic step (WGAN); nil for none.
    public var clip: Double?
    /// The gradient penalty of each critic step (WGAN-GP); nil for none.
    public var penalty: GradientPenalty?
    /// Label classes of a conditional GAN or WGAN (0: unconditional): the one-hot label goes
    /// with G's noise and with D's input.
    public var classes: Int
    public var location: SourceLocation

    /// `penalty: {gradient: λ, target: t}`: Gulrajani et al.'s (2017) λ·mean (‖∇x̂ f(x̂)‖₂ − t)²
    /// over interpolates x̂ = ε·x + (1 − ε)·G(z) between each real image and a fake one, ε
    /// uniform in [0, 1) per image.
    public struct GradientPenalty: Sendable, Equatable {
        /// λ.
        public var weight: Double
        /// The norm t the input gradients are pulled to (1).
        public var target: Double

        public init(weight: Double, target: Double = 1) {
            self.weight = weight
            self.target = target
        }

        static func parse(_ node: YAMLNode) throws(SpecError) -> GradientPenalty {
            let f = try node.fields("model.penalty", allowed: ["gradient", "target"])
            return GradientPenalty(weight: try f.required("gradient").double("model.penalty.gradient", exclusiveMin: 0, max: 1e6),
                                   target: try f["target"]?.double("model.penalty.target", min: 0, max: 1e6) ?? 1)
        }
    }

    static let keys = ["generator", "discriminator", "critic", "loss", "d_steps", "g_steps", "generator_noise", "critic_steps",
                       "critic_schedule", "clip", "penalty"]

    static func parse(_ f: Fields, kind: ModelSpec.Kind) throws(SpecError) -> AdversarialSpec {
        let isWGAN = kind == .wgan
        for key in isWGAN ? ["discriminator", "loss", "d_steps", "g_steps", "generator_noise"] : ["critic", "critic_steps", "critic_schedule", "clip", "penalty"] {
            try f.reject(key, "does not apply to a model of kind '\(kind.rawValue)'\(isWGAN ? " (a WGAN has a 'critic')" : "")")
        }
        let criticKey = isWGAN ? "critic" : "discriminator"
        let penalty = try f["penalty"].map { (node) throws(SpecError) in try GradientPenalty.parse(node) }
        // the lab's clipping by default; none with a penalty, which replaces it
        var clip: Double? = penalty == nil ? 0.01 : nil
        if let c = f["clip"] {
            clip = c.plainText == "none" ? nil : try c.double("model.clip", exclusiveMin: 0)
            if clip != nil, penalty != nil {
                throw SpecError(.invalidValue, "'model.clip' with 'model.penalty': a critic with a gradient penalty is not clipped (write 'clip: none' or leave it out)", at: c.location)
            }
        }
        return AdversarialSpec(
            generator: try LayerSpec.parseList(try f.required("generator"), path: "model.generator"),
            discriminator: try LayerSpec.parseList(try f.required(criticKey), path: "model.\(criticKey)"),
            loss: try f["loss"]?.choice("model.loss", Loss.self) ?? .bce,
            dSteps: try f["d_steps"]?.int("model.d_steps", min: 1, max: 100) ?? 1,
            gSteps: try f["g_steps"]?.int("model.g_steps", min: 1, max: 100) ?? 1,
            generatorNoise: try f["generator_noise"]?.choice("model.generator_noise", GeneratorNoise.self) ?? .reuse,
            criticSteps: try f["critic_steps"]?.int("model.critic_steps", min: 1, max: 100) ?? 5,
            criticSchedule: try f["critic_schedule"]?.choice("model.critic_schedule", CriticSchedule.self) ?? .run,
            clip: clip,
            penalty: penalty,
            classes: try f["classes"]?.int("model.classes", min: 2, max: 1000) ?? 0,
            location: f.location)
    }
}
