import GenLabNN
/// How long and how an experiment trains.
public struct TrainSpec: Equatable, Sendable {
    /// Training length: whole epochs or a number of steps.
    public enum Length: Equatable, Sendable {
        case epochs(Int)
        case steps(Int)
    }

    public var length: Length

    /// The steps the run trains for, with `batchesPerEpoch` batches per epoch.
    public func totalSteps(batchesPerEpoch: Int) -> Int {
        switch length {
        case .epochs(let n): n * batchesPerEpoch
        case .steps(let n): n
        }
    }
    public var batchSize: Int
    /// Drop the last incomplete batch of each epoch.
    public var dropLast: Bool
    /// One optimizer per network name ("model" for autoencoders, where encoder and decoder
    /// share one optimizer; "generator" and "discriminator" or "critic" for GANs).
    public var optimizers: [String: OptimizerSpec]

    static let keys = ["epochs", "steps", "batch_size", "drop_last", "optimizer"]

    /// The optimizer every network gets when the file names none.
    static func defaultOptimizer(for kind: ModelSpec.Kind) -> OptimizerSpec {
        switch kind {
        case .ae, .vae, .cvae, .hvae: .adam(lr: 1e-3, betas: (0.9, 0.999), eps: 1e-8, weightDecay: 0)
        case .gan: .adam(lr: 2e-4, betas: (0.5, 0.999), eps: 1e-8, weightDecay: 0)
        case .wgan: .rmsprop(lr: 5e-5, alpha: 0.99, eps: 1e-8, weightDecay: 0)
        }
    }

    /// The networks that have their own optimizer.
    static func optimizedNetworks(for kind: ModelSpec.Kind) -> [String] {
        switch kind {
        case .ae, .vae, .cvae, .hvae: ["model"]
        case .gan: ["generator", "discriminator"]
        case .wgan: ["generator", "critic"]
        }
    }

    static func parse(_ node: YAMLNode?, kind: ModelSpec.Kind, at location: SourceLocation) throws(SpecError) -> TrainSpec {
        let networks = optimizedNetworks(for: kind)
        var spec = TrainSpec(length: .epochs(1), batchSize: 64, dropLast: false,
                             optimizers: Dictionary(uniqueKeysWithValues: networks.map { ($0, defaultOptimizer(for: kind)) }))
        guard let node else { return spec }
        let f = try node.fields("train", allowed: keys)
        if f["epochs"] != nil, let s = f["steps"] {
            throw SpecError(.invalidValue, "'train' takes 'epochs' or 'steps', not both", at: s.location)
        }
        if let e = f["epochs"] { spec.length = .epochs(try e.int("train.epochs", min: 1, max: 1_000_000)) }
        if let s = f["steps"] { spec.length = .steps(try s.int("train.steps", min: 1, max: 1_000_000_000_000)) }
        if let b = f["batch_size"] { spec.batchSize = try b.int("train.batch_size", min: 1, max: 1_000_000) }
        if let d = f["drop_last"] { spec.dropLast = try d.bool("train.drop_last") }
        if let o = f["optimizer"] {
            let perNetwork: Bool
            if networks.count > 1, case .mapping(let pairs, _) = o, let first = pairs.first,
               NearestKey.suggestion(for: first.key, among: OptimizerSpec.names) == nil {
                perNetwork = true
            } else {
                perNetwork = false
            }
            if perNetwork {
                let g = try o.fields("train.optimizer", allowed: networks)
                for network in networks {
                    if let n = g[network] { spec.optimizers[network] = try OptimizerSpec.parse(n, path: g.path(network)) }
                }
            } else {
                let single = try OptimizerSpec.parse(o, path: "train.optimizer")
                for network in networks { spec.optimizers[network] = single }
            }
        }
        return spec
    }
}
