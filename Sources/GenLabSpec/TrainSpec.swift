import GenLabNN
/// How long and how an experiment trains.
public struct TrainSpec: Equatable, Sendable {
    /// Training length: whole epochs or a number of steps.
    public enum Length: Equatable, Sendable {
        case epochs(Int)
        case steps(Int)
    }

    public var length: Length
    /// Stopping when a history column stops improving; nil trains to the end.
    public var earlyStopping: EarlyStopping?

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
    /// What the matrix products multiply (`train.precision`, fp32 unless set).
    public var precision = PrecisionSpec()

    static let keys = ["epochs", "steps", "batch_size", "drop_last", "optimizer", "early_stopping", "precision"]

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
        if let e = f["early_stopping"] { spec.earlyStopping = try EarlyStopping.parse(e) }
        if let p = f["precision"] { spec.precision = PrecisionSpec(try p.choice("train.precision", PrecisionSpec.Choice.self), location: p.location) }
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

    /// `train.early_stopping`, as Keras's `EarlyStopping` callback: the point stops once its
    /// metric has not improved (by more than `minDelta`) in `patience` values in a row.
    public struct EarlyStopping: Equatable, Sendable {
        /// The history column watched ("validation.total").
        public var metric: String
        /// Whether smaller or larger values are better.
        public var mode: PruneSpec.Mode
        /// Values without improvement before the point stops.
        public var patience: Int
        /// The least change that counts as an improvement.
        public var minDelta: Double
        /// Keep the best value's weights as the final ones.
        public var restoreBest: Bool
        public var location: SourceLocation
        public var metricLocation: SourceLocation

        public static func == (a: EarlyStopping, b: EarlyStopping) -> Bool {
            a.metric == b.metric && a.mode == b.mode && a.patience == b.patience && a.minDelta == b.minDelta && a.restoreBest == b.restoreBest
        }

        static func parse(_ node: YAMLNode) throws(SpecError) -> EarlyStopping {
            let f = try node.fields("train.early_stopping", allowed: ["metric", "mode", "patience", "min_delta", "restore_best"])
            let metric = try f.required("metric")
            return EarlyStopping(
                metric: try metric.string("train.early_stopping.metric"),
                mode: try f["mode"]?.choice("train.early_stopping.mode", PruneSpec.Mode.self) ?? .min,
                patience: try f.required("patience").int("train.early_stopping.patience", min: 1, max: 1_000_000_000),
                minDelta: try f["min_delta"]?.double("train.early_stopping.min_delta", min: 0) ?? 0,
                restoreBest: try f["restore_best"]?.bool("train.early_stopping.restore_best") ?? false,
                location: f.location, metricLocation: metric.location)
        }

        /// Whether `value` improves on `best` (any value improves on none; NaN never does).
        public func improves(_ value: Double, on best: Double?) -> Bool {
            guard !value.isNaN else { return false }
            guard let best else { return true }
            return mode == .min ? value < best - minDelta : value > best + minDelta
        }
    }
}
