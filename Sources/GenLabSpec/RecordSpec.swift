import GenLabNN
/// What a run writes to its HDF5 file while training.
public struct RecordSpec: Equatable, Sendable {
    /// When something is recorded: `epoch`, a number of steps, `{images: N}`,
    /// `{epoch_steps: N}`, or a list of these (due when any is).
    public indirect enum Every: Equatable, Sendable {
        /// When the step count is a multiple of N.
        case steps(Int)
        /// At the end of every epoch.
        case epoch
        /// When the number of images trained on is a multiple of N (ARENA's autoencoder
        /// counts its step in images, 000:395).
        case images(Int)
        /// When the batch index within the epoch, counted from 1, is a multiple of N (the
        /// lab's `(i + 1) % 25 == 0`, 001:296).
        case epochSteps(Int)
        /// When any of these is due.
        case any([Every])

        /// Whether a record is due after a step.
        /// - Parameters:
        ///   - step: steps done, this one included.
        ///   - batchInEpoch: batches done in the current epoch, this one included.
        ///   - imagesSeen: images trained on, this batch included.
        public func isDue(step: Int, batchInEpoch: Int, epochEnded: Bool, imagesSeen: Int) -> Bool {
            switch self {
            case .steps(let n): step % n == 0
            case .epoch: epochEnded
            case .images(let n): imagesSeen % n == 0
            case .epochSteps(let n): batchInEpoch % n == 0
            case .any(let all): all.contains { $0.isDue(step: step, batchInEpoch: batchInEpoch, epochEnded: epochEnded, imagesSeen: imagesSeen) }
            }
        }
    }

    /// Which z a VAE's holdout reconstructions decode.
    public enum SampleLatent: String, Sendable, CaseIterable {
        /// μ: the posterior's mean (the homework's `reconstruct` docstring).
        case mean
        /// z = μ + σ·ε with one fixed ε per holdout image (ARENA's `log_samples` runs the
        /// model forward, which samples z, 000:800).
        case sample
    }

    /// Holdout reconstructions or fixed-noise samples.
    public struct Samples: Equatable, Sendable {
        public var every: Every
        public var count: Int
        /// VAE and CVAE reconstructions: which z is decoded.
        public var latent: SampleLatent
    }

    /// Something recorded `count` items at a time.
    public struct Periodic: Equatable, Sendable {
        public var every: Every
        public var count: Int

        /// `every` (default epoch) and `count` of a samples or latents section.
        static func parse(_ g: Fields, maxCount: Int) throws(SpecError) -> Periodic {
            Periodic(every: try g["every"].map { n throws(SpecError) in try RecordSpec.every(n, g.path("every")) } ?? .epoch,
                     count: try g.required("count").int(g.path("count"), min: 1, max: maxCount))
        }
    }

    /// The objective's loss terms on held-out images (`validation.<term>` history columns).
    public struct Validation: Equatable, Sendable {
        public var every: Every
        /// The first `count` test images (training images when the dataset has no test split).
        public var count: Int
        /// Also the Fréchet distance of `count` generated images to them, by the cached
        /// evaluation classifier (`validation.fd`).
        public var fd: Bool
    }

    /// Loss history: one row every N steps.
    public var lossesEvery: Int
    /// Validation losses; nil for none.
    public var validation: Validation?
    /// Holdout reconstructions or fixed-noise samples; nil for none.
    public var samples: Samples?
    /// Latents (μ, log σ, z, labels) of the first `count` test images; nil for none.
    public var latents: Periodic?
    public var checkpointEvery: Every
    /// TensorBoard event files in the point's `tensorboard/` folder, written as the run file
    /// commits (default on).
    public var tensorboard: Bool

    static let keys = ["losses_every", "validation", "samples", "latents", "checkpoint", "tensorboard"]

    static func parse(_ node: YAMLNode?, kind: ModelSpec.Kind) throws(SpecError) -> RecordSpec {
        var spec = RecordSpec(lossesEvery: 1, validation: nil, samples: Samples(every: .epoch, count: 64, latent: .mean), latents: nil, checkpointEvery: .epoch,
                              tensorboard: true)
        guard let node else { return spec }
        let f = try node.fields("record", allowed: keys)
        if let l = f["losses_every"] { spec.lossesEvery = try l.int("record.losses_every", min: 1) }
        if let v = f["validation"], v.plainText != "none" {
            let g = try v.fields("record.validation", allowed: ["every", "count", "fd"])
            let periodic = try Periodic.parse(g, maxCount: 1_000_000)
            spec.validation = Validation(every: periodic.every, count: periodic.count, fd: try g["fd"]?.bool(g.path("fd")) ?? false)
            if let fd = g["fd"], spec.validation?.fd == true {
                guard kind != .ae else {
                    throw SpecError(.notApplicable, "'record.validation.fd' scores generated images: an ae does not generate from a prior", at: fd.location)
                }
                guard periodic.count >= 2 else {
                    throw SpecError(.outOfRange, "'record.validation.fd' needs a count of at least 2 images", at: fd.location)
                }
            }
        }
        if let s = f["samples"] {
            if s.plainText == "none" {
                spec.samples = nil
            } else {
                let g = try s.fields("record.samples", allowed: ["every", "count", "latent"])
                let periodic = try Periodic.parse(g, maxCount: 10_000)
                spec.samples = Samples(every: periodic.every, count: periodic.count,
                                       latent: try g["latent"]?.choice(g.path("latent"), SampleLatent.self) ?? .mean)
                if let l = g["latent"], kind != .vae {
                    throw SpecError(.notApplicable, "'record.samples.latent' applies to vae models only (their samples are holdout reconstructions)", at: l.location)
                }
            }
        }
        if let l = f["latents"] {
            spec.latents = l.plainText == "none" ? nil : try Periodic.parse(try l.fields("record.latents", allowed: ["every", "count"]), maxCount: 1_000_000)
        }
        if let c = f["checkpoint"] {
            let g = try c.fields("record.checkpoint", allowed: ["every"])
            spec.checkpointEvery = try every(try g.required("every"), "record.checkpoint.every")
        }
        if let t = f["tensorboard"] { spec.tensorboard = try t.bool("record.tensorboard") }
        return spec
    }

    static func every(_ node: YAMLNode, _ path: String) throws(SpecError) -> Every {
        switch node {
        case .sequence(let items, _):
            guard !items.isEmpty else { throw SpecError(.invalidValue, "'\(path)' lists no schedule", at: node.location) }
            var all: [Every] = []
            for (i, item) in items.enumerated() { all.append(try every(item, "\(path)[\(i)]")) }
            return .any(all)
        case .mapping:
            let g = try node.fields(path, allowed: ["steps", "images", "epoch_steps"])
            guard g.pairs.count == 1, let pair = g.pairs.first else {
                throw SpecError(.invalidValue, "'\(path)' takes one of 'steps: N', 'images: N' or 'epoch_steps: N'", at: node.location)
            }
            let n = try pair.value.int(g.path(pair.key), min: 1)
            switch pair.key {
            case "steps": return .steps(n)
            case "images": return .images(n)
            default: return .epochSteps(n)
            }
        case .scalar:
            if node.plainText == "epoch" { return .epoch }
            guard node.plainText.flatMap(Int.init) != nil else {
                throw SpecError(.wrongType, "'\(path)' must be 'epoch', a number of steps, {images: N}, {epoch_steps: N} or a list of these, found \(node.kindDescription)", at: node.location)
            }
            return .steps(try node.int(path, min: 1))
        }
    }
}
